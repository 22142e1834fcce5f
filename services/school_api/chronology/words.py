"""Every code the chronology shows, in the words the guidance uses: the one place a code becomes words.

The JSON chronology keeps the codes (a machine reads them) beside these words; the printable page and the
PDF show only the words. A vocabulary added to the school's record gets its words here
(`tests/school_api/test_chronology_reads.py` fails for any member without them).
"""
from __future__ import annotations

from enum import StrEnum

from services.school_api.access import SchoolRole
from services.school_api.actions.vocabulary import ActionKind
from services.school_api.assessments.vocabulary import ImmediateCriterion, JudgementFactor, Recommendation, Typology
from services.school_api.authorisations.vocabulary import AuthorisationKind
from services.school_api.chronology.vocabulary import ChronologyKind
from services.school_api.decisions.vocabulary import DecisionOutcome
from services.school_api.devices.vocabulary import CustodyEventKind, DeviceOwner
from services.school_api.incidents.vocabulary import (
    DeviceOwnership,
    DevicePossession,
    DisclosureSource,
    ImageInvolvement,
    ImageNature,
    IncidentStatus,
    SharingExtent,
)
from services.school_api.people.vocabulary import PersonKind, PersonRole, Sex, Vulnerability
from services.school_api.referrals.vocabulary import DeliveryState, PoliceChannel

WORDS: dict[StrEnum, str] = {
    # The chronology's own entry kinds
    ChronologyKind.disclosure: "Disclosure",
    ChronologyKind.incident_opened: "Incident opened",
    ChronologyKind.observation: "Staff observation",
    ChronologyKind.person_added: "Person involved recorded",
    ChronologyKind.device_added: "Device recorded",
    ChronologyKind.custody: "Device custody",
    ChronologyKind.authorisation: "Headteacher's authorisation",
    ChronologyKind.device_search: "Device search",
    ChronologyKind.image_viewing: "Image viewed by the DSL",
    ChronologyKind.risk_assessment: "Risk assessment",
    ChronologyKind.decision: "Decision",
    ChronologyKind.police_referral: "Police referral",
    ChronologyKind.referral_delivered: "Referral received by the police",
    ChronologyKind.police_status: "Police status received",
    ChronologyKind.review: "Review of outcome and procedures",
    ChronologyKind.action: "Action log",
    ChronologyKind.incident_closed: "Incident closed",
    # Who recorded it
    SchoolRole.dsl: "DSL",
    SchoolRole.deputy_dsl: "Deputy DSL",
    SchoolRole.headteacher: "Headteacher",
    SchoolRole.staff: "Member of staff",
    SchoolRole.mis: "The school's MIS",
    # Action log (S-RECORD)
    ActionKind.dsl_informed: "DSL informed",
    ActionKind.senior_management_informed: "Senior management informed",
    ActionKind.parents_informed: "Parents or carers informed",
    ActionKind.device_confiscated: "Device confiscated",
    ActionKind.device_searched: "Device searched",
    ActionKind.image_viewed: "Image viewed",
    ActionKind.network_blocked_image_isolated: "Network blocked and the image isolated",
    ActionKind.reported_to_hosting_site: "Image reported to the site hosting it",
    ActionKind.report_remove_advised: "Report Remove (Childline and IWF) advised",
    ActionKind.ceop_report: "Report made to CEOP",
    ActionKind.social_care_referral: "Referral to children's social care",
    ActionKind.police_referral: "Referral to the police",
    ActionKind.counselling_or_support: "Counselling or support offered",
    ActionKind.education_input: "Education input",
    ActionKind.other_staff_informed: "Other staff informed",
    ActionKind.review_held: "Review held",
    ActionKind.other: "Other action",
    # Risk assessment (S-TYPOLOGY, S-IMMEDIATE, S-FACTORS)
    Typology.aggravated_adult_involved: "Aggravated: adult involved",
    Typology.aggravated_youth_intent_to_harm: "Aggravated: youth only, intent to harm",
    Typology.aggravated_youth_reckless_misuse: "Aggravated: youth only, reckless misuse",
    Typology.experimental_romantic: "Experimental: romantic",
    Typology.experimental_sexual_attention_seeking: "Experimental: sexual attention seeking",
    Typology.experimental_other: "Experimental: other",
    Recommendation.refer_police_immediately: "Refer to the police immediately",
    Recommendation.refer_police: "Refer to the police",
    Recommendation.refer_social_care: "Refer to children's social care",
    Recommendation.manage_in_school: "Manage within school",
    ImmediateCriterion.adult_involved: "The incident involves an adult",
    ImmediateCriterion.coercion_blackmail_grooming_or_capacity: "Coercion, blackmail or grooming, or a concern about capacity to consent",
    ImmediateCriterion.unusual_or_violent_acts: "Sexual acts unusual for the developmental stage, or violent",
    ImmediateCriterion.sexual_acts_pupil_under_13: "Sexual acts, and a pupil pictured is under 13",
    ImmediateCriterion.immediate_risk_of_harm: "A young person at immediate risk of harm",
    JudgementFactor.significant_age_difference: "Significant age difference between sender and receiver",
    JudgementFactor.external_coercion_or_encouragement: "External coercion or encouragement",
    JudgementFactor.child_more_vulnerable: "The child is more vulnerable than usual",
    JudgementFactor.severe_or_extreme_image: "The image is of a severe or extreme nature",
    JudgementFactor.widely_distributed: "Not isolated: the image has been more widely distributed",
    JudgementFactor.not_first_time: "Not the first time the children have been involved",
    JudgementFactor.other_cause_for_concern: "Other knowledge of sender or recipient adds cause for concern",
    # Authorisations, decisions, referrals
    AuthorisationKind.device_search: "a device search",
    AuthorisationKind.image_viewing: "the DSL viewing an image",
    DecisionOutcome.refer_police: "Refer to the police",
    DecisionOutcome.refer_social_care: "Refer to children's social care",
    DecisionOutcome.manage_in_school: "Manage within school",
    PoliceChannel.call_101: "101 (police non-emergency number)",
    PoliceChannel.scpo: "Safer Schools officer (SCPO)",
    DeliveryState.queued: "waiting to be delivered",
    DeliveryState.delivered: "delivered to the police",
    DeliveryState.failed: "failed: the police refused it",
    # Devices and custody (S-IMAGE)
    DeviceOwner.school: "School device",
    DeviceOwner.personal: "Personal device",
    CustodyEventKind.confiscated: "Confiscated",
    CustodyEventKind.flight_mode: "Put in flight mode",
    CustodyEventKind.switched_off: "Switched off",
    CustodyEventKind.secured: "Secured",
    CustodyEventKind.network_blocked: "Network blocked",
    CustodyEventKind.handed_to_police: "Handed to the police",
    CustodyEventKind.returned_to_owner: "Returned to its owner",
    CustodyEventKind.image_deleted: "Image deleted",
    # The incident
    IncidentStatus.open: "Open",
    IncidentStatus.assessed: "Assessed",
    IncidentStatus.referred: "Referred",
    IncidentStatus.managed_in_school: "Managed within school",
    IncidentStatus.reviewed: "Reviewed",
    IncidentStatus.closed: "Closed",
    DisclosureSource.pupil_about_self: "A pupil, about themselves",
    DisclosureSource.peer: "Another pupil",
    DisclosureSource.staff: "A member of staff",
    DisclosureSource.parent: "A parent or carer",
    DisclosureSource.third_party: "A third party",
    DisclosureSource.device_found: "A device was found",
    ImageNature.potentially_illegal: "Potentially illegal",
    ImageNature.inappropriate: "Inappropriate",
    ImageNature.unknown: "Not known",
    ImageInvolvement.receiving: "Receiving",
    ImageInvolvement.sending: "Sending",
    ImageInvolvement.sharing: "Sharing",
    SharingExtent.not_shared: "Not shared",
    SharingExtent.few_people: "A few people",
    SharingExtent.widely: "Widely",
    SharingExtent.unknown: "Not known",
    DevicePossession.pupil: "The pupil",
    DevicePossession.another_pupil: "Another pupil",
    DevicePossession.school: "The school",
    DevicePossession.other: "Someone else",
    DevicePossession.unknown: "Not known",
    DeviceOwnership.school: "School device",
    DeviceOwnership.personal: "Personal device",
    DeviceOwnership.unknown: "Not known",
    # People
    PersonRole.pictured: "pictured",
    PersonRole.sender: "sender",
    PersonRole.recipient: "recipient",
    PersonRole.sharer: "sharer",
    PersonRole.possessor: "possessor",
    PersonRole.discloser: "discloser",
    PersonRole.coercer: "coercer",
    PersonKind.pupil: "Pupil",
    PersonKind.child_elsewhere: "Child from elsewhere",
    PersonKind.adult: "Adult",
    PersonKind.unknown: "Person of unknown age",
    Sex.female: "female",
    Sex.male: "male",
    Sex.other: "other",
    Sex.not_known: "not known",
    Vulnerability.special_educational_needs: "Special educational needs",
    Vulnerability.looked_after: "Looked-after child",
    Vulnerability.child_protection_plan: "Child protection plan",
    Vulnerability.previous_incident: "A previous incident",
}

# Where a vocabulary has no entry yet (one added on another branch), the code still reads as words.
VOCABULARIES: tuple[type[StrEnum], ...] = tuple(dict.fromkeys(type(member) for member in WORDS))


def words(value: object) -> str:
    if isinstance(value, StrEnum):
        return WORDS.get(value) or value.value.replace("_", " ").capitalize()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def words_of(vocabulary: type[StrEnum], code: str) -> str:
    """The words of a code stored as text (a list of roles, a reason's criteria) in its vocabulary."""
    try:
        return words(vocabulary(code))
    except ValueError:
        return code.replace("_", " ")
