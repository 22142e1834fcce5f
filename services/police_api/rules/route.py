"""P-ROUTE and P-FULL-INVESTIGATION: which branch of the flow chart an incident takes.

FLOW: is this a repeat offender? is an adult implicated? Yes: consider prosecution for CSE, contact
CID. No: a decision is made not to prosecute, and the incident passes to the SCPO for a restorative
approach and an educational response, normally finalised with Outcome 21.
COP-2016: exploitation, coercion, a profit motive or an adult perpetrator means a full criminal
investigation; Outcome 21 fits only where there is no evidence of exploitation, grooming, profit
motive, malicious intent or persistent behaviour. Any of those therefore also routes to CID, and a
finding, once recorded, is never dropped silently: clearing it (it was wrong) or overriding it (it stands,
but is set aside for the outcome) needs a written reason from a named officer of at least the rank the
force configures, and is kept for the registrar's compliance view.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.police_api.routing.vocabulary import RANK_ORDER, FullInvestigationIndicator, PoliceRank, Route
from shared.problems import RuleViolation


@dataclass(frozen=True)
class RouteReason:
    rule: str
    reason: str


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reasons: list[RouteReason]


def full_investigation_reasons(
    indicators: Iterable[FullInvestigationIndicator], *, adult_implicated: bool
) -> list[RouteReason]:
    """P-FULL-INVESTIGATION: each finding that calls for a full criminal investigation."""
    reasons = [
        RouteReason("P-FULL-INVESTIGATION", f"Evidence of {indicator.value.replace('_', ' ')}.")
        for indicator in sorted(set(indicators), key=lambda item: item.value)
    ]
    if adult_implicated:
        reasons.append(RouteReason("P-FULL-INVESTIGATION", "An adult perpetrator is implicated."))
    return reasons


def compute_route(
    *, repeat_references: dict[str, list[str]], adult_implicated: bool, indicators: Iterable[FullInvestigationIndicator]
) -> RouteDecision:
    """P-ROUTE: CID when any suspect is a repeat, an adult is implicated, or a full investigation is
    called for; otherwise the SCPO route. `repeat_references` maps a person id to the earlier
    incident references that make them a repeat (P-REPEAT; only repeats are passed)."""
    reasons: list[RouteReason] = []
    for _person, references in sorted(repeat_references.items()):
        reasons.append(RouteReason("P-REPEAT", f"A suspect is a repeat: earlier incidents {', '.join(references)}."))
    if adult_implicated:
        reasons.append(RouteReason("P-ROUTE", "An adult is implicated: consider prosecution for CSE."))
    reasons.extend(full_investigation_reasons(indicators, adult_implicated=False))
    if reasons:
        return RouteDecision(Route.cid, reasons)
    return RouteDecision(
        Route.scpo,
        [RouteReason("P-ROUTE", "No repeat, no adult implicated, no finding calling for a full investigation.")],
    )


def check_route_choice(
    *, computed: Route, chosen: Route, override_reason: str | None, no_prosecution_reason: str | None
) -> list[RuleViolation]:
    """P-ROUTE: a route other than the computed one needs a written override reason; the SCPO route
    needs the officer's recorded decision not to prosecute."""
    violations: list[RuleViolation] = []
    if chosen is not computed and not (override_reason and override_reason.strip()):
        violations.append(
            RuleViolation("P-ROUTE", f"The computed route is {computed.value}; another route needs a written override reason.")
        )
    if chosen is Route.scpo and not (no_prosecution_reason and no_prosecution_reason.strip()):
        violations.append(RuleViolation("P-ROUTE", "The SCPO route follows a recorded decision not to prosecute, with its reason."))
    return violations


def check_scpo_route_activity(route: Route | None) -> list[RuleViolation]:
    """P-ROUTE: the restorative approach and the educational response belong to the SCPO route."""
    if route is not Route.scpo:
        return [RuleViolation("P-ROUTE", "Restorative meetings and education are recorded once the incident is on the SCPO route.")]
    return []


def reported_indicators(reported_roles: Iterable[Iterable[str]], typology: str | None) -> list[FullInvestigationIndicator]:
    """P-FULL-INVESTIGATION: what the school's report already shows. A reported coercer is evidence of
    coercion; the school's "aggravated, youth, intent to harm" typology (WF-2011) is malicious intent.
    Officers confirm or correct these with the assessment."""
    found: set[FullInvestigationIndicator] = set()
    if any("coercer" in set(roles) for roles in reported_roles):
        found.add(FullInvestigationIndicator.coercion)
    if typology == "aggravated_youth_intent_to_harm":
        found.add(FullInvestigationIndicator.malicious_intent)
    return sorted(found, key=lambda item: item.value)


def _named(indicator: FullInvestigationIndicator) -> str:
    return indicator.value.replace("_", " ")


def check_findings_change(
    standing: Iterable[FullInvestigationIndicator], recorded: Iterable[FullInvestigationIndicator]
) -> list[RuleViolation]:
    """P-FULL-INVESTIGATION: recording the assessment may add findings, never drop one; each finding the new
    record would drop is named (clearing one is a finding decision with a reason)."""
    dropped = sorted(set(standing) - set(recorded), key=lambda item: item.value)
    return [
        RuleViolation(
            "P-FULL-INVESTIGATION",
            f"The finding '{_named(indicator)}' can only be cleared by a finding decision with a reason "
            "from an officer of the force's minimum rank.",
        )
        for indicator in dropped
    ]


def check_finding_decision(
    indicator: FullInvestigationIndicator,
    *,
    standing: Iterable[FullInvestigationIndicator],
    reason: str | None,
    rank: PoliceRank | None,
    minimum_rank: PoliceRank,
) -> list[RuleViolation]:
    """P-FULL-INVESTIGATION: a finding is cleared or overridden only while it stands, with a written reason,
    by a named officer whose rank is at least the force's minimum."""
    v: list[RuleViolation] = []
    if indicator not in set(standing):
        v.append(RuleViolation("P-FULL-INVESTIGATION", f"The finding '{_named(indicator)}' is not recorded on this incident."))
    if not (reason and reason.strip()):
        v.append(RuleViolation("P-FULL-INVESTIGATION", "Clearing or overriding a finding needs a written reason."))
    if rank is None or RANK_ORDER[rank] < RANK_ORDER[minimum_rank]:
        held = rank.value if rank is not None else "no rank"
        v.append(
            RuleViolation(
                "P-FULL-INVESTIGATION",
                f"Clearing or overriding a finding needs an officer of rank {minimum_rank.value} or above; the caller holds {held}.",
            )
        )
    return v


def unresolved_findings(
    standing: Iterable[FullInvestigationIndicator], overridden: Iterable[FullInvestigationIndicator]
) -> list[FullInvestigationIndicator]:
    """P-FULL-INVESTIGATION: the findings that still call for a full investigation (standing, not overridden)."""
    return sorted(set(standing) - set(overridden), key=lambda item: item.value)
