"""S-RECORD (FACTORS, APPX8): every action taken and every action not taken, each with its justification."""
from __future__ import annotations

from services.school_api.actions.vocabulary import ActionKind
from shared.problems import RuleViolation

MIN_JUSTIFICATION_CHARS = 10

# Actions the guidance says always need written reasons even when taken (S-IMAGE: viewing) or that are
# free-form ("other" says nothing without its justification).
ALWAYS_JUSTIFIED = frozenset({ActionKind.image_viewed, ActionKind.other})


def s_record(kind: ActionKind, taken: bool, justification: str | None) -> list[RuleViolation]:
    """S-RECORD: an action not taken needs its justification; so does every action the guidance says needs
    reasons (viewing an image; not informing parents and not referring are actions not taken)."""
    has_reason = justification is not None and len(justification.strip()) >= MIN_JUSTIFICATION_CHARS
    if has_reason:
        return []
    if not taken:
        return [RuleViolation("S-RECORD", f"'{kind.value}' was not taken: record the justification in writing.")]
    if kind in ALWAYS_JUSTIFIED:
        return [RuleViolation("S-RECORD", f"'{kind.value}' always needs a written justification.")]
    return []
