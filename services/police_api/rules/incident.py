"""P-INCIDENT: in all cases an incident is created and BOTH the safeguarding route and the crime
route are followed; an incident cannot be finalised until each has been."""
from __future__ import annotations

from dataclasses import dataclass

from shared.problems import RuleViolation


@dataclass(frozen=True)
class IncidentPaths:
    children: int
    ppu_notifications: int
    victims: int
    victims_with_crime: int
    no_crime_reason_recorded: bool
    crimes: int
    crimes_finalised: int


def incident_paths_followed(paths: IncidentPaths) -> list[RuleViolation]:
    """P-INCIDENT: the safeguarding route (PPU told of every child) and the crime route (a crime for every
    victim, or a reasoned decision not to record, and every crime finalised) have both been followed."""
    violations: list[RuleViolation] = []
    if paths.ppu_notifications < paths.children:
        violations.append(RuleViolation("P-INCIDENT", "The safeguarding route: not every child has a PPU notification."))
    crime_route_decided = paths.no_crime_reason_recorded or (paths.victims > 0 and paths.victims_with_crime >= paths.victims)
    if not crime_route_decided:
        violations.append(
            RuleViolation("P-INCIDENT", "The crime route: not every victim has a crime, and no reasoned decision not to record one.")
        )
    if paths.crimes_finalised < paths.crimes:
        violations.append(RuleViolation("P-INCIDENT", f"{paths.crimes - paths.crimes_finalised} crime(s) have no final outcome."))
    return violations
