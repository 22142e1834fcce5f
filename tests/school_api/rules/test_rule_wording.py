"""What each rule says when it refuses, word for word, and where its written-reason threshold lies.

The DSL reads these messages in every refusal (problem+json `violations`) and in the next-steps answer, so the
wording is part of the behaviour: a changed or emptied message is a changed answer. Each case pins every
violation a rule gives at once, in order.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.school_api.actions.vocabulary import ActionKind as A
from services.school_api.assessments.vocabulary import ImmediateCriterion as C
from services.school_api.assessments.vocabulary import JudgementFactor as F
from services.school_api.assessments.vocabulary import Recommendation as R
from services.school_api.assessments.vocabulary import Typology as T
from services.school_api.decisions.vocabulary import DecisionOutcome as D
from services.school_api.devices.vocabulary import CustodyEventKind
from services.school_api.next_steps.vocabulary import StepKind as K
from services.school_api.rules.assessment import FactorAnswers, Finding, ImmediateAnswers, recommend, s_factors, s_immediate, s_typology
from services.school_api.rules.child_first import s_child_first
from services.school_api.rules.decision import DecisionFacts, decision_violations, s_parents, s_police
from services.school_api.rules.dsl import s_dsl
from services.school_api.rules.facts import RecordFacts
from services.school_api.rules.image import CustodyStep, ImageViewing, s_image
from services.school_api.rules.next_steps import CaseFacts, LoggedAction, next_steps
from services.school_api.rules.record import s_record
from services.school_api.rules.review import s_review
from services.school_api.rules.search import SearchConditions, s_search
from services.school_api.rules.steps import s_cse, s_delete

TEN = "ten chars!"  # exactly the minimum of every written reason
NINE = "  nine ch  "  # nine characters once stripped


def said(violations: list) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in violations]


def test_s_search_names_every_unmet_condition() -> None:
    refused = s_search(SearchConditions(False, False, False, False, True))
    assert said(refused) == [
        ("S-SEARCH", "The search must be in line with the school's policies."),
        ("S-SEARCH", "A search is done by the headteacher or a person they authorise: no headteacher authorisation is recorded."),
        ("S-SEARCH", "A member of the safeguarding team must be present."),
        ("S-SEARCH", "The searcher must be of the same sex as the pupil."),
        ("S-SEARCH", "Do not search if it would cause additional stress to the pupil pictured."),
    ]


def test_s_image_refuses_deletion_and_unauthorised_viewing_in_words() -> None:
    assert said(s_image(CustodyStep(CustodyEventKind.image_deleted))) == [
        ("S-IMAGE", "Suspected evidence is never deleted: secure the device (flight mode or off) and hand it to the police.")
    ]
    assert said(s_image(ImageViewing(viewer_is_dsl=False, headteacher_agreed=False, written_reason=NINE))) == [
        ("S-IMAGE", "Only the DSL may view an image; other staff never view imagery."),
        ("S-IMAGE", "Viewing needs the headteacher's agreement, recorded first."),
        ("S-IMAGE", "The reason for viewing must be recorded in writing."),
    ]
    assert s_image(ImageViewing(viewer_is_dsl=True, headteacher_agreed=True, written_reason=TEN)) == []


def test_s_dsl_says_which_entry_to_log() -> None:
    assert said(s_dsl([])) == [
        ("S-DSL", "The DSL must be informed and record the incident: log 'dsl_informed' as taken."),
        ("S-DSL", "Senior management is always informed: log 'senior_management_informed' as taken."),
    ]


def test_s_record_names_the_action_and_takes_ten_characters() -> None:
    assert said(s_record(A.parents_informed, False, NINE)) == [
        ("S-RECORD", "'parents_informed' was not taken: record the justification in writing.")
    ]
    assert said(s_record(A.other, True, None)) == [("S-RECORD", "'other' always needs a written justification.")]
    assert s_record(A.parents_informed, False, TEN) == [] and s_record(A.other, True, TEN) == []


def test_s_review_says_what_closing_waits_for() -> None:
    assert said(s_review(has_decision=False, has_review=False)) == [
        ("S-REVIEW", "An incident cannot be closed before a decision is recorded."),
        ("S-REVIEW", "An incident cannot be closed before its outcome is reviewed."),
    ]


def test_s_child_first_names_the_activity_and_takes_ten_characters() -> None:
    assert said(s_child_first(NINE, activity="search")) == [
        ("S-CHILD-FIRST", "Record the judgement on whether the search would add to the child's distress (best interests first).")
    ]
    assert s_child_first(TEN, activity="search") == []


def test_s_police_and_s_parents_in_words_with_ten_characters_enough() -> None:
    assert said(s_police(D.manage_in_school, adult_involved=True, typology=None, reasons=TEN)) == [
        ("S-POLICE", "An adult is or may be involved: the incident is always referred to the police.")
    ]
    assert said(s_police(D.manage_in_school, adult_involved=False, typology=T.aggravated_youth_reckless_misuse, reasons=NINE)) == [
        ("S-POLICE", "An aggravated incident not referred to the police needs written reasons.")
    ]
    assert said(s_police(D.refer_social_care, adult_involved=False, typology=T.experimental_other, reasons=NINE)) == [
        ("S-POLICE", "An experimental incident not referred needs its reasons recorded in writing.")
    ]
    assert s_police(D.manage_in_school, adult_involved=False, typology=T.experimental_other, reasons=TEN) == []
    assert s_police(D.manage_in_school, adult_involved=False, typology=None, reasons=None) == []
    assert said(s_parents(False, NINE)) == [("S-PARENTS", "A decision not to inform parents or carers must record its reason.")]
    assert s_parents(False, TEN) == []


def test_a_decision_gathers_every_refusal_of_the_guidance() -> None:
    facts = DecisionFacts(adult_involved=True, typology=T.aggravated_adult_involved, immediate_criteria_met=True, factors_present=(F.widely_distributed,))
    refused = decision_violations(D.manage_in_school, facts, reasons=TEN, inform_parents=False, reason_not_to_inform=None, factor_reasons={})
    assert said(refused) == [
        ("S-POLICE", "An adult is or may be involved: the incident is always referred to the police."),
        ("S-FACTORS", "Factor 'widely_distributed' is present: write why the school may still manage the incident itself."),
        ("S-IMMEDIATE", "An immediate-referral criterion is met: refer to the police or children's social care."),
        ("S-PARENTS", "A decision not to inform parents or carers must record its reason."),
    ]
    aggravated = DecisionFacts(adult_involved=False, typology=T.aggravated_youth_intent_to_harm, immediate_criteria_met=False)
    assert [v.rule for v in decision_violations(
        D.refer_social_care, aggravated, reasons=None, inform_parents=False, reason_not_to_inform=TEN, factor_reasons={}
    )] == ["S-POLICE"]


def test_the_assessment_refusals_in_words() -> None:
    record = RecordFacts(adult_involved=True, coercion_recorded=True, pictured_under_13=True, widely_distributed=True)
    assert said(s_immediate(ImmediateAnswers(), record).violations) == [
        ("S-IMMEDIATE", "The record names an adult involved: criterion 1 cannot be answered no."),
        ("S-IMMEDIATE", "The record names a coercer: criterion 2 cannot be answered no."),
        ("S-IMMEDIATE", "The record shows a pictured pupil under 13: that answer cannot be no."),
    ]
    assert said(s_factors(FactorAnswers(), record).violations) == [
        ("S-FACTORS", "The record already shows 'widely_distributed': that factor cannot be answered no.")
    ]
    assert said(s_typology(T.experimental_romantic, record, ImmediateAnswers())) == [
        ("S-TYPOLOGY", "An adult is involved: the typology is 'aggravated_adult_involved'."),
        ("S-TYPOLOGY", "Coercion, blackmail or grooming is not willing participation: the incident is not experimental."),
    ]


@pytest.mark.parametrize(
    ("on_record", "answered"),
    [(True, False), (False, True)],
)
def test_an_adult_on_the_record_or_answered_makes_the_typology_adult_involved(on_record: bool, answered: bool) -> None:
    violations = s_typology(T.aggravated_youth_intent_to_harm, RecordFacts(adult_involved=on_record), ImmediateAnswers(adult_involved=answered))
    assert [v.rule for v in violations] == ["S-TYPOLOGY"]
    assert s_typology(T.aggravated_adult_involved, RecordFacts(adult_involved=on_record), ImmediateAnswers(adult_involved=answered)) == []


def test_each_recommendation_gives_its_rule_ids_and_reasons() -> None:
    adult = recommend(Finding(met=(C.adult_involved, C.immediate_risk_of_harm)), Finding(), T.aggravated_adult_involved)
    assert (adult.recommendation, adult.rule_ids, adult.reasons) == (
        R.refer_police_immediately,
        ["S-IMMEDIATE", "S-POLICE"],
        [
            "An adult is involved.",
            "A young person is at immediate risk of harm owing to the sharing.",
            "Conduct involving an adult is always referred to the police.",
        ],
    )
    immediate = recommend(Finding(met=(C.coercion_blackmail_grooming_or_capacity, C.unusual_or_violent_acts, C.sexual_acts_pupil_under_13)), Finding(), T.aggravated_youth_intent_to_harm)
    assert (immediate.recommendation, immediate.rule_ids, immediate.reasons) == (
        R.refer_police_immediately,
        ["S-IMMEDIATE"],
        [
            "A young person may have been coerced, blackmailed or groomed, or their capacity to consent is in doubt.",
            "The imagery suggests sexual acts unusual for the developmental stage, or violence.",
            "The imagery involves sexual acts and a pupil pictured is under 13.",
        ],
    )
    aggravated = recommend(Finding(), Finding(met=(F.significant_age_difference,)), T.aggravated_youth_reckless_misuse)
    assert (aggravated.recommendation, aggravated.rule_ids, aggravated.reasons) == (
        R.refer_police,
        ["S-TYPOLOGY", "S-POLICE", "S-FACTORS"],
        [
            "The incident is aggravated (criminal or abusive elements beyond creating and sending): aggravated incidents are almost always referred to the police.",
            "There is a significant age difference between sender and receiver.",
        ],
    )
    bare = recommend(Finding(), Finding(), T.aggravated_youth_intent_to_harm)
    assert bare.rule_ids == ["S-TYPOLOGY", "S-POLICE"] and len(bare.reasons) == 1
    factors = recommend(Finding(), Finding(met=tuple(F)), T.experimental_other)
    assert (factors.recommendation, factors.rule_ids, factors.reasons) == (
        R.refer_social_care,
        ["S-FACTORS"],
        [
            "There is a significant age difference between sender and receiver.",
            "There was coercion or encouragement beyond the sender and receiver.",
            "A child involved is more vulnerable than usual.",
            "The image is of a severe or extreme nature.",
            "The situation is not isolated: the image has been more widely distributed.",
            "It is not the first time the children have been involved.",
            "Other knowledge of the sender or recipient adds cause for concern.",
            "A factor presents cause for concern: escalate or refer under normal safeguarding procedures.",
        ],
    )
    school = recommend(Finding(), Finding(), T.experimental_romantic)
    assert (school.recommendation, school.rule_ids, school.reasons) == (
        R.manage_in_school,
        ["S-FACTORS", "S-TYPOLOGY", "S-POLICE", "S-RECORD"],
        [
            "No immediate-referral criterion is met and no judgement factor presents cause for concern.",
            "The incident is experimental: it may proportionately be handled in school; record the reasons for not referring.",
            "Record details, action and resolution.",
        ],
    )


def test_the_next_steps_in_words() -> None:
    everything = CaseFacts(
        actions=(LoggedAction(A.deletion_requested, True),),
        assessed=True, decision=D.manage_in_school, parents_to_be_informed=True,
        school_device_or_network=True, image_online=True, abuse_risk=True,
    )
    assert [(s.kind, s.rule, s.step, s.text, s.required) for s in next_steps(everything)] == [
        (K.dsl_informed, "S-DSL", 4, "Inform the DSL, who records the incident (step 4).", True),
        (K.senior_management_informed, "S-DSL", 4, "Inform senior management (step 4).", True),
        (K.block_network_and_isolate_image, "S-IMAGE", 3, "Device is a school device: block the network and isolate the image (step 3).", True),
        (K.initial_review_meeting, "S-INITIAL-REVIEW", 5, "Hold the DSL's initial review meeting: record who attended and what was decided (step 5).", True),
        (K.child_account, "S-CHILD-VOICE", 5, "Hear the child's own account and wishes, and record them as theirs (step 5).", True),
        (K.consider_exploitation, "S-CSE", 5, "Consider whether this is child sexual exploitation and record the judgement (step 5).", True),
        (K.inform_parents, "S-PARENTS", 5, "Inform the parents or carers, as decided (step 5).", True),
        (K.report_remove_or_take_it_down, "S-REMOVAL", 6, "Help the young person have the image removed: Report Remove or Take It Down (step 6).", False),
        (K.report_to_hosting_site, "S-REMOVAL", 6, "Report the image to the site hosting it (step 6).", False),
        (K.ceop_report, "S-REMOVAL", 6, "A child may be at risk of abuse: consider a report to CEOP (step 6).", False),
        (K.confirm_deletion, "S-DELETE", 7, "Record the young people's confirmation that the imagery is deleted (step 7).", True),
        (K.review, "S-REVIEW", 8, "Review the outcome and the procedure (step 8).", True),
    ]
    new = next_steps(CaseFacts(actions=tuple(LoggedAction(k, True) for k in (A.dsl_informed, A.senior_management_informed))))
    assert [(s.kind, s.rule, s.step, s.text, s.required) for s in new][-1] == (
        K.risk_assessment, "S-IMMEDIATE", 5, "Carry out the risk assessment (step 5).", True
    )
    assessed = next_steps(CaseFacts(assessed=True))
    assert [(s.rule, s.step, s.text, s.required) for s in assessed if s.kind is K.decision] == [
        ("S-POLICE", 5, "Decide: refer to the police, to children's social care, or manage in school (step 5).", True)
    ]
    managed = next_steps(CaseFacts(assessed=True, decision=D.manage_in_school, reviewed_since_decision=True))
    assert [(s.rule, s.step, s.text, s.required) for s in managed if s.kind is K.ask_for_deletion] == [
        ("S-DELETE", 7, "Ask the young people to delete the imagery, with a deadline to confirm it (step 7).", True)
    ]


def test_a_deletion_request_not_taken_sets_no_deadline_to_confirm() -> None:
    facts = CaseFacts(actions=(LoggedAction(A.deletion_requested, False), LoggedAction(A.education_input, True)), decision=D.manage_in_school)
    assert K.confirm_deletion not in [step.kind for step in next_steps(facts)]


def test_a_decision_to_refer_an_adult_involved_incident_to_the_police_is_not_refused() -> None:
    facts = DecisionFacts(adult_involved=True, typology=T.aggravated_adult_involved, immediate_criteria_met=True)
    assert decision_violations(D.refer_police, facts, reasons=None, inform_parents=True, reason_not_to_inform=None, factor_reasons={}) == []


def test_the_deletion_and_exploitation_refusals_in_words() -> None:
    assert said(s_cse(A.exploitation_considered, True, NINE)) == [("S-CSE", "Write the judgement on whether this is child sexual exploitation.")]
    assert said(s_delete(A.deletion_requested, True, None, managed_in_school=False, requested=False)) == [
        ("S-DELETE", "Only an incident managed in school asks for deletion: a referred incident keeps the imagery as evidence."),
        ("S-DELETE", "Set the deadline (due_at) by which deletion is to be confirmed."),
    ]
    assert said(s_delete(A.deletion_confirmed, True, datetime(2026, 11, 28, tzinfo=UTC), managed_in_school=True, requested=False)) == [
        ("S-DELETE", "A deadline (due_at) belongs to a deletion request only."),
        ("S-DELETE", "A deletion is confirmed after the young people were asked (deletion_requested)."),
    ]
