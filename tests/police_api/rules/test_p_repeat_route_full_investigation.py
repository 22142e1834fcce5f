"""P-REPEAT (two or more earlier occasions for the same offence), P-ROUTE and P-FULL-INVESTIGATION."""
from __future__ import annotations

import pytest

from services.police_api.routing.vocabulary import FullInvestigationIndicator as F
from services.police_api.routing.vocabulary import Route
from services.police_api.rules.repeat import Occasion, OffenceProfile, repeat_finding, same_offence
from services.police_api.rules.route import (
    check_route_choice,
    check_scpo_route_activity,
    compute_route,
    full_investigation_reasons,
    reported_indicators,
)

YPSI = "youth_produced_sexual_imagery"


def occasion(n: int, codes: set[str] | None = None, classification: str = YPSI) -> Occasion:
    return Occasion(f"id-{n}", f"52-2026-{n:06d}", OffenceProfile(classification, frozenset(codes or set())))


@pytest.mark.parametrize(
    ("earlier", "current_codes", "is_repeat", "named"),
    [
        ([], set(), False, []),
        ([occasion(1)], set(), False, ["52-2026-000001"]),
        ([occasion(1), occasion(2)], set(), True, ["52-2026-000001", "52-2026-000002"]),
        ([occasion(1, {"86/2"}), occasion(2, {"86/2"})], {"86/2"}, True, ["52-2026-000001", "52-2026-000002"]),
        ([occasion(1, {"86/10"}), occasion(2, {"86/10"})], {"86/2"}, False, []),  # a different offence
        ([occasion(1, {"86/2"}), occasion(2, {"86/2"})], set(), True, ["52-2026-000001", "52-2026-000002"]),
        ([occasion(1, classification="child_sexual_exploitation"), occasion(2)], set(), False, ["52-2026-000002"]),
        ([occasion(1), occasion(1)], set(), False, ["52-2026-000001"]),  # one incident is one occasion
    ],
)
def test_repeat_offender_has_two_or_more_earlier_occasions_for_the_same_offence(
    earlier: list[Occasion], current_codes: set[str], is_repeat: bool, named: list[str]
) -> None:
    finding = repeat_finding(OffenceProfile(YPSI, frozenset(current_codes)), earlier)
    assert finding.is_repeat is is_repeat
    assert finding.earlier_references == named


def test_same_offence_compares_codes_when_both_have_crimes_else_classification() -> None:
    assert same_offence(OffenceProfile(YPSI, frozenset({"86/2"})), OffenceProfile(YPSI, frozenset({"86/2", "86/10"})))
    assert not same_offence(OffenceProfile(YPSI, frozenset({"86/2"})), OffenceProfile(YPSI, frozenset({"86/10"})))
    assert same_offence(OffenceProfile(YPSI), OffenceProfile(YPSI, frozenset({"86/10"})))


@pytest.mark.parametrize(
    ("repeats", "adult", "indicators", "route", "rules"),
    [
        ({}, False, [], Route.scpo, {"P-ROUTE"}),
        ({"p": ["52-2026-000001", "52-2026-000002"]}, False, [], Route.cid, {"P-REPEAT"}),
        ({}, True, [], Route.cid, {"P-ROUTE"}),
        ({}, False, [F.coercion], Route.cid, {"P-FULL-INVESTIGATION"}),
        ({}, False, [F.profit_motive, F.exploitation], Route.cid, {"P-FULL-INVESTIGATION"}),
        ({"p": ["a", "b"]}, True, [F.grooming], Route.cid, {"P-REPEAT", "P-ROUTE", "P-FULL-INVESTIGATION"}),
    ],
)
def test_repeat_or_adult_or_full_investigation_routes_to_cid_otherwise_scpo(
    repeats: dict, adult: bool, indicators: list[F], route: Route, rules: set[str]
) -> None:
    decision = compute_route(repeat_references=repeats, adult_implicated=adult, indicators=indicators)
    assert decision.route is route
    assert {reason.rule for reason in decision.reasons} == rules


def test_repeat_reason_names_the_earlier_incidents() -> None:
    decision = compute_route(repeat_references={"p": ["52-2026-000001", "52-2026-000002"]}, adult_implicated=False, indicators=[])
    assert "52-2026-000001" in decision.reasons[0].reason and "52-2026-000002" in decision.reasons[0].reason


@pytest.mark.parametrize(
    ("indicators", "adult", "count"),
    [([], False, 0), ([F.exploitation], False, 1), ([], True, 1), ([F.coercion, F.profit_motive], True, 3)],
)
def test_exploitation_coercion_profit_or_adult_perpetrator_means_full_investigation(indicators: list[F], adult: bool, count: int) -> None:
    reasons = full_investigation_reasons(indicators, adult_implicated=adult)
    assert len(reasons) == count and all(r.rule == "P-FULL-INVESTIGATION" for r in reasons)


@pytest.mark.parametrize(
    ("computed", "chosen", "override", "no_prosecution", "unmet"),
    [
        (Route.scpo, Route.scpo, None, "Experimental; decision not to prosecute.", 0),
        (Route.scpo, Route.scpo, None, None, 1),  # the SCPO route follows a decision not to prosecute
        (Route.cid, Route.cid, None, None, 0),
        (Route.cid, Route.scpo, None, "No public interest.", 1),  # override without a reason
        (Route.cid, Route.scpo, "Considered on its merits: earlier reports were malicious.", "No public interest.", 0),
        (Route.cid, Route.scpo, "   ", None, 2),
    ],
)
def test_override_of_the_computed_route_needs_a_written_reason(
    computed: Route, chosen: Route, override: str | None, no_prosecution: str | None, unmet: int
) -> None:
    violations = check_route_choice(computed=computed, chosen=chosen, override_reason=override, no_prosecution_reason=no_prosecution)
    assert len(violations) == unmet and all(v.rule == "P-ROUTE" for v in violations)


@pytest.mark.parametrize(("route", "refused"), [(Route.scpo, False), (Route.cid, True), (None, True)])
def test_restorative_approach_and_education_belong_to_the_scpo_route(route: Route | None, refused: bool) -> None:
    assert bool(check_scpo_route_activity(route)) is refused


@pytest.mark.parametrize(
    ("roles", "typology", "expected"),
    [
        ([["pictured"], ["sender"]], "experimental_romantic", []),
        ([["pictured"], ["coercer", "possessor"]], None, [F.coercion]),
        ([["pictured"], ["sharer"]], "aggravated_youth_intent_to_harm", [F.malicious_intent]),
        ([["coercer"]], "aggravated_youth_intent_to_harm", [F.coercion, F.malicious_intent]),
        ([["sharer"]], "aggravated_youth_reckless_misuse", []),
    ],
)
def test_a_reported_coercer_or_intent_to_harm_is_a_full_investigation_finding_from_intake(
    roles: list[list[str]], typology: str | None, expected: list[F]
) -> None:
    assert reported_indicators(roles, typology) == expected
