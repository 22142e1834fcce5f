"""S-IMAGE (APPX8 step 3, DfE searching guidance 2018): staff never view, copy or delete imagery."""
from __future__ import annotations

from dataclasses import dataclass

from services.school_api.devices.vocabulary import CustodyEventKind
from shared.problems import RuleViolation

MIN_REASON_CHARS = 10


@dataclass(frozen=True)
class ImageViewing:
    """A request to record that an image was viewed."""

    viewer_is_dsl: bool
    headteacher_agreed: bool
    written_reason: str | None


@dataclass(frozen=True)
class CustodyStep:
    """A step in a device's chain of custody."""

    kind: CustodyEventKind


def s_image(act: ImageViewing | CustodyStep) -> list[RuleViolation]:
    """S-IMAGE: in exceptional cases only the DSL views an image, after agreeing it with the head, with the
    reasons recorded in writing; and suspected evidence of an offence is never deleted (the device goes to
    the police), so no device is ever marked "image deleted"."""
    if isinstance(act, CustodyStep):
        if act.kind is CustodyEventKind.image_deleted:
            return [
                RuleViolation(
                    "S-IMAGE",
                    "Suspected evidence is never deleted: secure the device (flight mode or off) and hand it to the police.",
                )
            ]
        return []
    violations = []
    if not act.viewer_is_dsl:
        violations.append(RuleViolation("S-IMAGE", "Only the DSL may view an image; other staff never view imagery."))
    if not act.headteacher_agreed:
        violations.append(RuleViolation("S-IMAGE", "Viewing needs the headteacher's agreement, recorded first."))
    if act.written_reason is None or len(act.written_reason.strip()) < MIN_REASON_CHARS:
        violations.append(RuleViolation("S-IMAGE", "The reason for viewing must be recorded in writing."))
    return violations
