"""S-IMAGE: only the DSL views, with the head's agreement and a written reason; evidence is never deleted."""
from __future__ import annotations

import pytest

from services.school_api.devices.vocabulary import CustodyEventKind
from services.school_api.rules.image import CustodyStep, ImageViewing, s_image

REASON = "Needed to establish whether the image shows an under-13 (exceptional)."


@pytest.mark.parametrize(
    ("viewer_is_dsl", "headteacher_agreed", "reason", "unmet"),
    [
        (True, True, REASON, 0),
        (False, True, REASON, 1),  # only the DSL views an image
        (True, False, REASON, 1),  # after agreeing it with the head
        (True, True, None, 1),  # reasons recorded in writing
        (True, True, "   ", 1),
        (False, False, None, 3),
    ],
)
def test_only_the_dsl_views_an_image_with_head_agreement_and_written_reason(
    viewer_is_dsl: bool, headteacher_agreed: bool, reason: str | None, unmet: int
) -> None:
    violations = s_image(ImageViewing(viewer_is_dsl, headteacher_agreed, reason))
    assert len(violations) == unmet
    assert all(v.rule == "S-IMAGE" for v in violations)


def test_image_is_never_deleted_from_a_device_that_may_hold_evidence() -> None:
    assert [v.rule for v in s_image(CustodyStep(CustodyEventKind.image_deleted))] == ["S-IMAGE"]


@pytest.mark.parametrize("kind", [k for k in CustodyEventKind if k is not CustodyEventKind.image_deleted])
def test_securing_and_handing_over_a_device_is_allowed(kind: CustodyEventKind) -> None:
    assert s_image(CustodyStep(kind)) == []
