"""The image guard: a JSON body that carries, or may carry, an image or video is refused.

The services record what an image is (its nature), never the image (S-IMAGE). This is a pure
scan over parsed JSON so that it can be unit-tested and run before any handler sees the body.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# No legitimate text field in either service is longer than this (narratives are capped at
# 10,000 characters by their schemas); anything longer is treated as possible encoded media.
LONGEST_LEGITIMATE_TEXT = 20_000
MAX_JSON_DEPTH = 32
_MIN_ENCODED_MEDIA = 16
# No prose has a run of this many characters without a space or punctuation outside the base64
# alphabet; such a run is encoded data (base64 or hex) whatever its first bytes decode to.
LONGEST_PLAUSIBLE_WORD = 256

_DATA_URI = re.compile(r"data:\s*[\w.+-]+/[\w.+-]+[^,]{0,200},", re.IGNORECASE)
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")

# Magic numbers of the image and video formats a phone produces or a platform serves.
_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (0, b"\xff\xd8\xff"),  # JPEG
    (0, b"\x89PNG\r\n\x1a\n"),  # PNG
    (0, b"GIF87a"),
    (0, b"GIF89a"),
    (4, b"ftyp"),  # MP4, MOV, HEIC, HEIF, AVIF, 3GP
    (0, b"\x1a\x45\xdf\xa3"),  # WebM, Matroska
    (0, b"BM"),  # BMP (checked only on long runs, see below)
    (0, b"II*\x00"),  # TIFF
    (0, b"MM\x00*"),
)
_RIFF_MEDIA = (b"WEBP", b"AVI ", b"WAVE")


class MediaFinding(StrEnum):
    data_uri = "data_uri"
    encoded_media = "encoded_media"
    oversized_text = "oversized_text"


class UnstorableText(StrEnum):
    nul_character = "nul_character"
    unpaired_surrogate = "unpaired_surrogate"
    too_deep = "too_deep"


@dataclass(frozen=True)
class Inspection:
    media: MediaFinding | None = None
    unstorable: UnstorableText | None = None


def inspect_json(document: Any) -> Inspection:
    """Walk a parsed JSON document iteratively (deep nesting must not exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return Inspection(unstorable=UnstorableText.too_deep)
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            finding = inspect_text(value)
            if finding.media or finding.unstorable:
                return finding
    return Inspection()


def inspect_text(text: str) -> Inspection:
    if len(text) > LONGEST_LEGITIMATE_TEXT:
        return Inspection(media=MediaFinding.oversized_text)
    if "\x00" in text:
        return Inspection(unstorable=UnstorableText.nul_character)
    if _has_unpaired_surrogate(text):
        return Inspection(unstorable=UnstorableText.unpaired_surrogate)
    if "data:" in text.lower() and _DATA_URI.search(text):
        return Inspection(media=MediaFinding.data_uri)
    if len(text) >= _MIN_ENCODED_MEDIA:
        compact = "".join(text.split())
        for run in _BASE64_RUN.findall(compact):
            if len(run) >= LONGEST_PLAUSIBLE_WORD or _decodes_to_media(run):
                return Inspection(media=MediaFinding.encoded_media)
    return Inspection()


def _has_unpaired_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _decodes_to_media(run: str) -> bool:
    # Try every alignment: a character or three put in front must not hide the signature.
    return any(_starts_with_media_signature(run[start : start + 64]) for start in range(4))


def _starts_with_media_signature(head: str) -> bool:
    head = head[: len(head) - len(head) % 4]
    try:
        decoded = base64.b64decode(head.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return False
    for offset, signature in _SIGNATURES:
        if signature == b"BM" and len(head) < 64:
            continue  # "Qk" starts ordinary words too; only a long run is a plausible bitmap
        if decoded[offset : offset + len(signature)] == signature:
            return True
    return decoded[:4] == b"RIFF" and decoded[8:12] in _RIFF_MEDIA
