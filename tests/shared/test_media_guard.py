"""The image guard (S-IMAGE): what an image is may be recorded, never the image."""
from __future__ import annotations

import base64

import httpx
import pytest

from shared.media import LONGEST_LEGITIMATE_TEXT, MediaFinding, UnstorableText, inspect_json

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
GIF = b"GIF89a" + bytes(64)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + bytes(64)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(64)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64)


@pytest.mark.parametrize("name, raw", [("jpeg", JPEG), ("png", PNG), ("gif", GIF), ("heic", HEIC), ("mp4", MP4), ("webp", WEBP)])
def test_base64_media_in_any_text_field_is_found(name: str, raw: bytes) -> None:
    encoded = base64.b64encode(raw).decode()
    assert inspect_json({"narrative": encoded}).media is MediaFinding.encoded_media, name
    assert inspect_json({"nested": [{"deep": "see: " + encoded}]}).media is MediaFinding.encoded_media, name


def test_url_safe_and_line_wrapped_base64_is_found_too() -> None:
    encoded = base64.urlsafe_b64encode(JPEG).decode()
    wrapped = "\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    assert inspect_json({"a": encoded}).media is MediaFinding.encoded_media
    assert inspect_json({"a": wrapped}).media is MediaFinding.encoded_media


def test_data_uri_is_found() -> None:
    assert inspect_json({"note": "data:image/png;base64,AAAA"}).media is MediaFinding.data_uri


def test_a_field_longer_than_any_legitimate_text_is_treated_as_media() -> None:
    assert inspect_json({"a": "x" * (LONGEST_LEGITIMATE_TEXT + 1)}).media is MediaFinding.oversized_text


@pytest.mark.parametrize(
    "text",
    [
        "The pupil said the image was shared on a group chat at 21:40.",
        "Year 9 pupil; device confiscated and switched off; secured in the DSL's safe.",
        "Reference 100001-2026-0007, UPN B801200005001, call ref 52-2026-000123",
        "QmFzZTY0IGlzIG5vdCBhbiBpbWFnZQ==",  # base64 of ordinary words
        "'; DROP TABLE incidents; --  <script>alert(1)</script>",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    assert inspect_json({"narrative": text}) == inspect_json({})


def test_nul_and_unpaired_surrogates_cannot_be_stored() -> None:
    assert inspect_json({"a": "x\x00y"}).unstorable is UnstorableText.nul_character
    assert inspect_json({"a": "x\ud800y"}).unstorable is UnstorableText.unpaired_surrogate


def test_deep_nesting_is_refused_without_recursion() -> None:
    document: object = "leaf"
    for _ in range(10_000):
        document = [document]
    assert inspect_json(document).unstorable is UnstorableText.too_deep


async def test_a_base64_jpeg_in_a_text_field_is_refused_before_any_handler(school: httpx.AsyncClient, dsl: dict) -> None:
    body = {
        "disclosed_at": "2026-11-27T09:00:00Z",
        "disclosure_source": "peer",
        "narrative": base64.b64encode(JPEG).decode(),
    }
    response = await school.post("/incidents", json=body, headers=dsl)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/image-refused"


@pytest.mark.parametrize("content_type", ["image/jpeg", "video/mp4", "multipart/form-data; boundary=x", "application/octet-stream"])
async def test_an_image_upload_is_refused_as_unsupported_media(school: httpx.AsyncClient, dsl: dict, content_type: str) -> None:
    response = await school.post("/incidents", content=JPEG, headers={**dsl, "Content-Type": content_type})
    assert response.status_code == 415
    assert "never accepted" in response.json()["detail"]


async def test_a_non_json_body_is_refused(school: httpx.AsyncClient, dsl: dict) -> None:
    response = await school.post("/incidents", content=b"disclosed_at=today", headers={**dsl, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["type"] == "/problems/unsupported-media-type"


async def test_a_body_over_the_limit_gets_413_before_parsing(school: httpx.AsyncClient, dsl: dict) -> None:
    response = await school.post("/incidents", content=b"{" + b" " * 70_000 + b"}", headers={**dsl, "Content-Type": "application/json"})
    assert response.status_code == 413


async def test_invalid_utf8_is_a_malformed_request_not_a_server_error(school: httpx.AsyncClient, dsl: dict) -> None:
    response = await school.post("/incidents", content=b'{"narrative": "\xff\xfe"}', headers={**dsl, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-request"


async def test_the_guard_refuses_images_before_authentication(school: httpx.AsyncClient) -> None:
    response = await school.post("/incidents", json={"narrative": "data:image/jpeg;base64,/9j/4AAQ"})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/image-refused"


@pytest.mark.parametrize("prefix", ["A", "AB", "ABC", "x=", "photo:"])
def test_a_prefix_in_front_of_encoded_media_does_not_hide_it(prefix: str) -> None:
    assert inspect_json({"narrative": prefix + base64.b64encode(JPEG).decode()}).media is MediaFinding.encoded_media


def test_a_long_run_of_encoded_data_is_refused_whatever_it_decodes_to() -> None:
    assert inspect_json({"narrative": JPEG.hex() * 4}).media is MediaFinding.encoded_media
    assert inspect_json({"narrative": base64.b64encode(bytes(range(256))).decode()}).media is MediaFinding.encoded_media
