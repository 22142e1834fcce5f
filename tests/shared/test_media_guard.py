"""The image guard (S-IMAGE): what an image is may be recorded, never the image."""
from __future__ import annotations

import base64
import random

import httpx
import pytest

from shared import media
from shared.media import LONGEST_LEGITIMATE_TEXT, MediaFinding, UnstorableText, inspect_json, inspect_text
from shared.media_signatures import MIN_HEADER_BYTES, Container, find_container
from tests.security import media_corpus as corpus

JPEG = corpus.jpeg_jfif()
PNG = corpus.png()
GIF = corpus.gif()
HEIC = corpus.heic()
MP4 = corpus.mp4()
WEBP = corpus.webp_lossless()


@pytest.mark.backend_independent
@pytest.mark.parametrize("name, raw", [("jpeg", JPEG), ("png", PNG), ("gif", GIF), ("heic", HEIC), ("mp4", MP4), ("webp", WEBP)])
def test_base64_media_in_any_text_field_is_found(name: str, raw: bytes) -> None:
    encoded = base64.b64encode(raw).decode()
    assert inspect_json({"narrative": encoded}).media is MediaFinding.encoded_media, name
    assert inspect_json({"nested": [{"deep": "see: " + encoded}]}).media is MediaFinding.encoded_media, name


@pytest.mark.backend_independent
def test_url_safe_and_line_wrapped_base64_is_found_too() -> None:
    encoded = base64.urlsafe_b64encode(JPEG).decode()
    wrapped = "\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    assert inspect_json({"a": encoded}).media is MediaFinding.encoded_media
    assert inspect_json({"a": wrapped}).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
def test_data_uri_is_found() -> None:
    assert inspect_json({"note": "data:image/png;base64,AAAA"}).media is MediaFinding.data_uri


@pytest.mark.backend_independent
def test_a_field_longer_than_any_legitimate_text_is_treated_as_media() -> None:
    assert inspect_json({"a": "x" * (LONGEST_LEGITIMATE_TEXT + 1)}).media is MediaFinding.oversized_text


@pytest.mark.backend_independent
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


@pytest.mark.backend_independent
def test_nul_and_unpaired_surrogates_cannot_be_stored() -> None:
    assert inspect_json({"a": "x\x00y"}).unstorable is UnstorableText.nul_character
    assert inspect_json({"a": "x\ud800y"}).unstorable is UnstorableText.unpaired_surrogate


@pytest.mark.backend_independent
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


@pytest.mark.parametrize(
    "content_type", ["image/jpeg", "image/png", "video/mp4", "multipart/form-data; boundary=x", "application/octet-stream"]
)
@pytest.mark.parametrize("service", ["school", "police"])
async def test_a_file_upload_answers_the_same_problem_type_as_an_image_in_json(
    school: httpx.AsyncClient, police: httpx.AsyncClient, service: str, content_type: str
) -> None:
    """One problem type for every way an image arrives, so that an MIS keys on it alone (issue 12)."""
    client = school if service == "school" else police
    path = "/incidents" if service == "school" else "/reports"
    upload = await client.post(path, content=JPEG, headers={"Content-Type": content_type})
    in_json = await client.post(path, json={"narrative": base64.b64encode(JPEG).decode()})
    assert upload.status_code == in_json.status_code == 422
    assert upload.json()["type"] == in_json.json()["type"] == "/problems/image-refused"
    assert "never accepted" in upload.json()["detail"]


async def test_a_multipart_form_with_a_file_is_refused_as_an_image(school: httpx.AsyncClient, dsl: dict) -> None:
    response = await school.post("/incidents", files={"file": ("photo.jpg", JPEG, "image/jpeg")}, headers=dsl)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/image-refused"


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


@pytest.mark.backend_independent
@pytest.mark.parametrize("prefix", ["A", "AB", "ABC", "x=", "photo:"])
def test_a_prefix_in_front_of_encoded_media_does_not_hide_it(prefix: str) -> None:
    assert inspect_json({"narrative": prefix + base64.b64encode(JPEG).decode()}).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
def test_a_long_run_of_encoded_data_is_refused_whatever_it_decodes_to() -> None:
    assert inspect_json({"narrative": JPEG.hex() * 4}).media is MediaFinding.encoded_media
    assert inspect_json({"narrative": base64.b64encode(bytes(range(256))).decode()}).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
@pytest.mark.parametrize("header", sorted(corpus.HEADERS))
def test_every_header_built_by_the_corpus_is_found_at_any_offset(header: str) -> None:
    raw = corpus.HEADERS[header][0]()
    found = find_container(raw)
    assert found is not None, header
    for offset in (1, 2, 3, 7, 100):
        assert find_container(bytes(range(offset % 256)) * (offset // 256 + 1) + raw) is found, (header, offset)


@pytest.mark.backend_independent
@pytest.mark.parametrize("header", sorted(corpus.HEADERS))
def test_a_header_cut_shorter_than_its_minimum_is_not_a_finding(header: str) -> None:
    raw = corpus.HEADERS[header][0]()
    container = find_container(raw)
    assert container is not None
    assert find_container(raw[: MIN_HEADER_BYTES[container] - 1]) is None


@pytest.mark.backend_independent
def test_binary_image_bytes_sent_as_json_text_are_an_image_not_just_a_nul() -> None:
    assert inspect_json({"narrative": PNG.decode("latin-1")}).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "text",
    [
        "0" * 300,
        "https://www.gov.uk/government/publications/sharing-nudes-and-semi-nudes-advice-for-education-settings"
        "-working-with-children-and-young-people/sharing-nudes-and-semi-nudes-advice-for-education-settings",
        "commit 3f9c2b1e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e and 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "UPN B801200005001, born 14/06/2011, seen 27/11/2026 at 09:40; ref 52/123456/26",
        "the file was called GIF89a animation, the pupil said",
        "BMW, II*, MM and RIFF are just letters here",
    ],
)
def test_ordinary_long_text_that_looks_like_data_passes(text: str) -> None:
    assert inspect_text(text) == inspect_text("")


async def test_an_image_refusal_does_not_echo_what_was_sent(school: httpx.AsyncClient, dsl: dict) -> None:
    marker = "Marker-Featherstonehaugh"
    text = f"{marker} " + base64.b64encode(PNG).decode()
    response = await school.post("/incidents", json={"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "peer", "narrative": text}, headers=dsl)
    assert response.status_code == 422 and response.json()["type"] == "/problems/image-refused"
    assert marker not in response.text and base64.b64encode(PNG).decode()[:12] not in response.text


@pytest.mark.backend_independent
def test_each_container_kind_has_a_minimum_length() -> None:
    assert set(MIN_HEADER_BYTES) == set(Container)


@pytest.mark.backend_independent
def test_an_image_split_over_several_strings_of_one_request_is_found() -> None:
    encoded = base64.b64encode(PNG).decode()
    assert inspect_json({"parts": [encoded[i : i + 6] for i in range(0, len(encoded), 6)]}).media is MediaFinding.encoded_media
    halves = {"narrative": JPEG.hex()[:30], "where_image_ended_up": JPEG.hex()[30:]}
    assert inspect_json(halves).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
def test_text_that_needs_more_nested_decoding_than_the_budget_is_refused_not_waved_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A percent-encoded link is decoded once more as text: a second pass over its words.
    note = "Guidance: https://example.org/search?q=sharing%20nudes%20advice%20for%20schools " * 200
    assert inspect_text(note).media is None
    monkeypatch.setattr(media, "NESTED_WORK_FACTOR", 0)
    monkeypatch.setattr(media, "_NESTED_WORK_FLOOR", len(note))
    assert inspect_text(note).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "text",
    [
        "photo " + base64.b64encode(PNG).decode(),
        "q1Z" + ".".join(base64.b64encode(PNG).decode()[i : i + 5] for i in range(0, 96, 5)),
        " ".join(PNG.hex()[i : i + 8] for i in range(0, len(PNG.hex()), 8)),
        base64.a85encode(PNG).decode(),
        "attachment" + base64.b64encode(PNG).decode(),
    ],
    ids=["word and space", "dot-split runs after three junk bytes", "hex in runs", "ascii85", "glued to a word"],
)
def test_the_evasions_the_black_box_attack_stored_are_refused(text: str) -> None:
    """Issue 14: a complete 70-byte PNG, hidden these ways, was stored in 12 text fields."""
    assert len(PNG) == 70
    assert inspect_text(text).media is MediaFinding.encoded_media


@pytest.mark.backend_independent
def test_base85_groups_at_every_alignment_match_the_arithmetic_of_one_group_at_a_time() -> None:
    # The guard decodes every alignment at once in big-integer lanes; here each group the plain way, its
    # 32-bit word kept low as the guard keeps it (ordinary words overflow), against values of any byte.
    def one_group_at_a_time(values: bytes) -> bytes:
        words = []
        for at in range(0, len(values) - 4, 5):
            word = 0
            for value in values[at : at + 5]:
                word = word * 85 + value
            words.append((word & 0xFFFFFFFF).to_bytes(4, "big"))
        return b"".join(words)

    generator = random.Random(15)
    for length in [*range(12), 69, 1000, *(generator.randrange(2000) for _ in range(50))]:
        for highest in (85, 256):
            values = bytes(generator.randrange(highest) for _ in range(length))
            expected = [one_group_at_a_time(values[start:]) for start in range(5)]
            assert media._base85_alignments(values) == expected, (length, highest)
    # And through the decoder: a85 of a real header is found at each of the five offsets it can start at.
    for lead in range(5):
        assert inspect_text("x" * lead + " " + base64.a85encode(PNG).decode()).media is MediaFinding.encoded_media
