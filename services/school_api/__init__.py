"""The school service: the Designated Safeguarding Lead's record of an incident, and the referral to police."""
