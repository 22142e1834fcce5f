"""P-REPEAT (FLOW note 6): a repeat offender has previously come to police attention on two or more
occasions for the same offence. Each case is still considered on its merits: the service flags, an
officer decides (an override with a written reason)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

REPEAT_THRESHOLD = 2


@dataclass(frozen=True)
class OffenceProfile:
    """What an incident was for, for one person: the codes of the crimes they are on, and the
    incident's classification (used when either side has no crime recorded yet)."""

    classification: str
    offence_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Occasion:
    incident_id: str
    reference: str
    profile: OffenceProfile


@dataclass(frozen=True)
class RepeatFinding:
    is_repeat: bool
    earlier_references: list[str]
    earlier_incident_ids: list[str]


def same_offence(current: OffenceProfile, earlier: OffenceProfile) -> bool:
    """Crimes recorded on both sides: same offence when a Home Office code is shared. Otherwise the
    incidents' classifications are compared, so that a repeat is seen before the crime is recorded."""
    if current.offence_codes and earlier.offence_codes:
        return bool(current.offence_codes & earlier.offence_codes)
    return current.classification == earlier.classification


def repeat_finding(current: OffenceProfile, earlier: Iterable[Occasion]) -> RepeatFinding:
    """P-REPEAT: repeat when two or more EARLIER occasions (distinct incidents) were for the same offence."""
    matching: dict[str, str] = {}
    for occasion in earlier:
        if same_offence(current, occasion.profile):
            matching.setdefault(occasion.incident_id, occasion.reference)
    return RepeatFinding(
        is_repeat=len(matching) >= REPEAT_THRESHOLD,
        earlier_references=sorted(matching.values()),
        earlier_incident_ids=[incident_id for incident_id, _ in sorted(matching.items(), key=lambda item: item[1])],
    )
