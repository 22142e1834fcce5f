from __future__ import annotations

from enum import IntEnum, StrEnum


class OutcomeCode(IntEnum):
    """The Home Office outcomes framework (short labels, not official titles; DOMAIN.md)."""

    not_yet_assigned = 0
    charged_summonsed = 1
    caution_youth = 2
    caution_adult = 3
    taken_into_consideration = 4
    offender_died = 5
    penalty_notice_for_disorder = 6
    cannabis_khat_warning = 7
    community_resolution = 8
    prosecution_not_in_public_interest_cps = 9
    formal_action_not_in_public_interest_police = 10
    prosecution_prevented_suspect_under_age = 11
    prosecution_prevented_suspect_too_ill = 12
    victim_or_key_witness_dead_or_too_ill = 13
    evidential_difficulties_suspect_not_identified_victim_does_not_support = 14
    evidential_difficulties_suspect_identified_victim_supports = 15
    evidential_difficulties_suspect_identified_victim_does_not_support = 16
    prosecution_time_limit_expired = 17
    investigation_complete_no_suspect_identified = 18
    nfib_filed_fraud = 19
    further_investigation_transferred_to_another_body = 20
    further_investigation_not_in_public_interest = 21
    diversionary_educational_or_intervention_activity = 22


OUTCOME_LABELS: dict[OutcomeCode, str] = {
    OutcomeCode.not_yet_assigned: "Not yet assigned",
    OutcomeCode.charged_summonsed: "Charged or summonsed",
    OutcomeCode.caution_youth: "Caution, youth",
    OutcomeCode.caution_adult: "Caution, adult",
    OutcomeCode.taken_into_consideration: "Taken into consideration",
    OutcomeCode.offender_died: "Offender died",
    OutcomeCode.penalty_notice_for_disorder: "Penalty notice for disorder",
    OutcomeCode.cannabis_khat_warning: "Cannabis or khat warning",
    OutcomeCode.community_resolution: "Community resolution",
    OutcomeCode.prosecution_not_in_public_interest_cps: "Prosecution not in the public interest (CPS)",
    OutcomeCode.formal_action_not_in_public_interest_police: "Formal action not in the public interest (police)",
    OutcomeCode.prosecution_prevented_suspect_under_age: "Prosecution prevented, suspect under age",
    OutcomeCode.prosecution_prevented_suspect_too_ill: "Prosecution prevented, suspect too ill",
    OutcomeCode.victim_or_key_witness_dead_or_too_ill: "Victim or key witness dead or too ill",
    OutcomeCode.evidential_difficulties_suspect_not_identified_victim_does_not_support: (
        "Evidential difficulties, suspect not identified, victim does not support action"
    ),
    OutcomeCode.evidential_difficulties_suspect_identified_victim_supports: (
        "Evidential difficulties, suspect identified, victim supports action"
    ),
    OutcomeCode.evidential_difficulties_suspect_identified_victim_does_not_support: (
        "Evidential difficulties, suspect identified, victim does not support action"
    ),
    OutcomeCode.prosecution_time_limit_expired: "Prosecution time limit expired",
    OutcomeCode.investigation_complete_no_suspect_identified: "Investigation complete, no suspect identified",
    OutcomeCode.nfib_filed_fraud: "NFIB filed (fraud)",
    OutcomeCode.further_investigation_transferred_to_another_body: "Further investigation transferred to another body",
    OutcomeCode.further_investigation_not_in_public_interest: (
        "Further investigation, resulting from the crime report, which could provide evidence sufficient to "
        "support formal action being taken against the suspect is not in the public interest (police decision)"
    ),
    OutcomeCode.diversionary_educational_or_intervention_activity: (
        "Diversionary, educational or intervention activity undertaken; further action not in the public interest"
    ),
}


class CrimeStatus(StrEnum):
    recorded = "recorded"
    finalised = "finalised"


class ContactMethod(StrEnum):
    """How the victim (for a child, a parent or guardian) was told of the outcome (P-OUTCOME21)."""

    in_person = "in_person"
    telephone = "telephone"
    letter = "letter"
    email = "email"
    video = "video"


class ContactedParty(StrEnum):
    """Who was told of the outcome: the victim, or for a child a parent or guardian (P-OUTCOME21)."""

    victim = "victim"
    parent_or_guardian = "parent_or_guardian"


class CrimeDecision(StrEnum):
    """Where an incident stands under NCRS (P-CRIME)."""

    pending = "pending"
    crimes_recorded = "crimes_recorded"
    no_crime = "no_crime"
