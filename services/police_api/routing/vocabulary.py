from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """The two branches of the police flow chart (P-ROUTE)."""

    cid = "cid"  # consider prosecution for CSE: contact CID
    scpo = "scpo"  # decision not to prosecute: restorative approach and education


class FullInvestigationIndicator(StrEnum):
    """What the officer has found that calls for a full criminal investigation (P-FULL-INVESTIGATION)."""

    exploitation = "exploitation"
    coercion = "coercion"
    grooming = "grooming"
    profit_motive = "profit_motive"
    malicious_intent = "malicious_intent"
    persistent_behaviour = "persistent_behaviour"


class EducationKind(StrEnum):
    """The educational response of the SCPO route (P-ROUTE)."""

    general_lesson = "general_lesson"
    assembly = "assembly"
    victim_input = "victim_input"
    offender_input = "offender_input"

    @property
    def for_a_person(self) -> bool:
        return self in (EducationKind.victim_input, EducationKind.offender_input)


class FindingAction(StrEnum):
    """What an officer does with a full-investigation finding (P-FULL-INVESTIGATION)."""

    cleared = "cleared"  # the finding was wrong: it no longer stands
    overridden = "overridden"  # the finding stands, but is set aside for the outcome, with the reason


class PoliceRank(StrEnum):
    """Police ranks of England and Wales, lowest first (RANK_ORDER); police staff hold none."""

    constable = "constable"
    sergeant = "sergeant"
    inspector = "inspector"
    chief_inspector = "chief_inspector"
    superintendent = "superintendent"
    chief_superintendent = "chief_superintendent"
    assistant_chief_constable = "assistant_chief_constable"
    deputy_chief_constable = "deputy_chief_constable"
    chief_constable = "chief_constable"


RANK_ORDER: dict[PoliceRank, int] = {rank: position for position, rank in enumerate(PoliceRank)}
