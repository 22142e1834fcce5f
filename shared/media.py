"""The image guard: a JSON body that carries, or may carry, an image or video is refused.

The services record what an image is (its nature), never the image (S-IMAGE). This is a pure
scan over parsed JSON so that it can be unit-tested and run before any handler sees the body.

Every string is decoded every way a client could have encoded bytes into it, and the decoded bytes
are searched, at every offset, for the header of an image or video container
(`shared.media_signatures`): base64 and base64url at all four alignments after dropping every
character outside the alphabet (so runs split by dots, spaces or junk, or glued to a word, join up
again), hex runs split by short separators, ascii85 and base85 at all five alignments, quoted-
printable, percent-encoding, backslash escapes, and the string's own characters as Latin-1 bytes
(binary sent as JSON text). Decoded bytes that are text again are decoded once more, two levels
deep, so base64 of hex or a percent-encoded base64 is found too.

Work per string is bounded: each pass is linear in the text it decodes (a fixed number of decoders
and alignments, each a C-speed transform plus one compiled pattern search), and the passes of one
string may together read at most `NESTED_WORK_FACTOR` times its length; a string that needs more
than that is refused rather than waved through.
"""
from __future__ import annotations

import binascii
import math
import re
import struct
import urllib.parse
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.media_signatures import SHORTEST_HEADER, find_container

# No legitimate text field in either service is longer than this (narratives are capped at
# 10,000 characters by their schemas); anything longer is treated as possible encoded media.
LONGEST_LEGITIMATE_TEXT = 20_000
MAX_JSON_DEPTH = 32
# A run of base64-alphabet characters this long, with no space or punctuation outside the alphabet
# and as varied as encoded bytes are, is encoded data whatever it decodes to: prose has no such
# word. A run of one character (300 zeros) or of a few (a reference padded out) is not varied.
LONGEST_PLAUSIBLE_WORD = 256
OPAQUE_ENTROPY_BITS = 4.5
# Decoded text is decoded again this many times (base64 of hex of an image is two levels).
MAX_NESTING = 2
NESTED_WORK_FACTOR = 16
_NESTED_WORK_FLOOR = 4096
# Decoded bytes are decoded again only where they hold a printable run this long.
_NESTED_TEXT_RUN = re.compile(rb"[\x20-\x7e\t\r\n]{24,}")

_DATA_URI = re.compile(r"data:\s*[\w.+-]+/[\w.+-]+[^,]{0,200},", re.IGNORECASE)
_OPAQUE_RUN = re.compile(r"[A-Za-z0-9+/_-]{%d,}" % LONGEST_PLAUSIBLE_WORD)

_URL_TO_STANDARD = str.maketrans("-_", "+/")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]+")
_NOT_BASE64URL = re.compile(r"[^A-Za-z0-9_-]+")
_PADDING = re.compile(r"=+")
# Fewest base64 characters that decode to the shortest header, plus three for any alignment.
_MIN_BASE64 = math.ceil(SHORTEST_HEADER / 3) * 4

_HEX_PREFIX = re.compile(r"(?:0[xX]|\\x)(?=[0-9A-Fa-f])")
# Hex digits in runs split by up to four separators that are neither letters nor digits.
_HEX_RUN = re.compile(r"[0-9A-Fa-f]+(?:[^0-9A-Za-z]{1,4}[0-9A-Fa-f]+)*")
_NOT_HEX = re.compile(r"[^0-9A-Fa-f]+")
_MIN_HEX = 2 * SHORTEST_HEADER

_A85_DIGITS = "".join(chr(c) for c in range(33, 118))
_B85_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_A85_RUN = re.compile(r"[!-uz]+")
_B85_RUN = re.compile(r"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]+")
_WORD = re.compile(r"[A-Z]?[a-z]{1,15}")
_MIN_BASE85 = math.ceil(SHORTEST_HEADER / 4) * 5

_QUOTED_PRINTABLE = re.compile(r"=[0-9A-Fa-f]{2}")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_BACKSLASH_ESCAPE = re.compile(rb"\\(?:x([0-9A-Fa-f]{2})|u00([0-9A-Fa-f]{2})|([0-7]{1,3})|([rnt]))")
_SIMPLE_ESCAPES = {b"r": b"\r", b"n": b"\n", b"t": b"\t"}


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
    if _has_unpaired_surrogate(text):
        return Inspection(unstorable=UnstorableText.unpaired_surrogate)
    if "data:" in text.lower() and _DATA_URI.search(text):
        return Inspection(media=MediaFinding.data_uri)
    # Before the NUL check: binary image bytes sent as JSON text hold NULs, and are an image first.
    if len(text) >= SHORTEST_HEADER and carries_media(text):
        return Inspection(media=MediaFinding.encoded_media)
    if "\x00" in text:
        return Inspection(unstorable=UnstorableText.nul_character)
    return Inspection()


def carries_media(text: str) -> bool:
    """Whether any decoding of `text`, up to `MAX_NESTING` levels deep, holds a media header."""
    if _has_opaque_run(text):
        return True
    budget = NESTED_WORK_FACTOR * len(text) + _NESTED_WORK_FLOOR
    queue: deque[tuple[str, int]] = deque([(text, 0)])
    seen: set[str] = set()
    while queue:
        current, depth = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        budget -= len(current)
        if budget < 0:
            return True  # more nested encoding than legitimate text has: refuse, never skip
        for decoded, is_transcoding in _decodings(current):
            if find_container(decoded) is not None:
                return True
            if is_transcoding and depth < MAX_NESTING:
                queue.extend((run.group().decode("ascii"), depth + 1) for run in _NESTED_TEXT_RUN.finditer(decoded))
    return False


def _has_unpaired_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_opaque_run(text: str) -> bool:
    unwrapped = text.replace("\r", "").replace("\n", "")
    return any(_entropy_bits(run) >= OPAQUE_ENTROPY_BITS for run in _OPAQUE_RUN.findall(unwrapped))


def _entropy_bits(run: str) -> float:
    counts = Counter(run)
    return -sum(n / len(run) * math.log2(n / len(run)) for n in counts.values())


def _decodings(text: str) -> Iterator[tuple[bytes, bool]]:
    """Byte strings `text` may stand for, each with whether it is a decoding (worth decoding again)."""
    yield text.encode("latin-1", "replace"), False
    yield from _base64(text)
    yield from _hex(text)
    yield from _base85(text)
    if _QUOTED_PRINTABLE.search(text):
        yield binascii.a2b_qp(text.encode("latin-1", "replace")), True
    if _PERCENT.search(text):
        yield urllib.parse.unquote_to_bytes(text), True
    if "\\" in text:
        yield _unescape(text.encode("latin-1", "replace")), True


def _base64(text: str) -> Iterator[tuple[bytes, bool]]:
    # Readings: both alphabets at once; "-" and "_" as separators; "+" and "/" as separators; and
    # each of those four alone as a separator, so that runs split by a character of the alphabet
    # itself still join (only the header's own uses of that character are lost).
    streams = {
        _NOT_BASE64.sub("", text.translate(_URL_TO_STANDARD)),
        _NOT_BASE64.sub("", text),
        _NOT_BASE64URL.sub("", text).translate(_URL_TO_STANDARD),
    }
    for separator in "-_+/":
        if separator in text:
            streams.add(_NOT_BASE64.sub("", text.replace(separator, "").translate(_URL_TO_STANDARD)))
    for stream in streams:
        if len(stream) >= _MIN_BASE64:
            yield from _base64_alignments(stream)
    # Chunks encoded one by one carry their own padding; decoded alone and joined they are the bytes.
    if "=" in text.strip("= \t\r\n"):
        chunks = [_NOT_BASE64.sub("", chunk.translate(_URL_TO_STANDARD)) for chunk in _PADDING.split(text)]
        if sum(map(len, chunks)) >= _MIN_BASE64:
            rest = b"".join(_b64(chunk) for chunk in chunks[1:])
            for start in range(4):
                yield _b64(chunks[0][start:]) + rest, True


def _base64_alignments(stream: str) -> Iterator[tuple[bytes, bool]]:
    for start in range(4):
        yield _b64(stream[start:]), True


def _b64(chunk: str) -> bytes:
    whole = len(chunk) - len(chunk) % 4
    tail = chunk[whole:]
    # A tail of two or three characters still holds one or two whole bytes.
    padded = chunk[:whole] + (tail + "=" * (4 - len(tail)) if len(tail) >= 2 else "")
    return binascii.a2b_base64(padded)


def _hex(text: str) -> Iterator[tuple[bytes, bool]]:
    for run in _HEX_RUN.finditer(_HEX_PREFIX.sub(" ", text)):
        if run.end() - run.start() < _MIN_HEX:
            continue
        digits = _NOT_HEX.sub("", run.group())
        if len(digits) < _MIN_HEX:
            continue
        for start in (0, 1):
            aligned = digits[start:]
            yield binascii.unhexlify(aligned[: len(aligned) - len(aligned) % 2]), True


def _base85(text: str) -> Iterator[tuple[bytes, bool]]:
    # As with base64, every run of the alphabet joins one stream decoded at all five alignments,
    # but ordinary words (a lower-case or capitalised run of letters) are left out: they are
    # most of a note, decoding them is the costly part, and encoded bytes are almost never one.
    delimited = text.replace("<~", " ").replace("~>", " ")
    for pattern, digits, zero_group in ((_A85_RUN, _A85_DIGITS, True), (_B85_RUN, _B85_DIGITS, False)):
        stream = "".join(run for run in pattern.findall(delimited if zero_group else text) if not _WORD.fullmatch(run))
        if zero_group:
            stream = stream.replace("z", "!!!!!")
        if len(stream) < _MIN_BASE85:
            continue
        values = stream.translate(_DIGIT_VALUES[digits]).encode("latin-1")
        for start in range(5):
            yield _base85_groups(values[start:]), True


_DIGIT_VALUES = {digits: {ord(c): i for i, c in enumerate(digits)} for digits in (_A85_DIGITS, _B85_DIGITS)}


def _base85_groups(values: bytes) -> bytes:
    # Tolerant of groups that overflow 32 bits (ordinary words do): they decode to garbage, not an error.
    count = len(values) // 5
    groups = zip(values[0::5], values[1::5], values[2::5], values[3::5], values[4::5])
    words = [((((a * 85 + b) * 85 + c) * 85 + d) * 85 + e) & 0xFFFFFFFF for a, b, c, d, e in groups]
    return struct.pack(f">{count}I", *words[:count])


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        hex_byte, unicode_byte, octal, simple = match.groups()
        if hex_byte or unicode_byte:
            return bytes([int(hex_byte or unicode_byte, 16)])
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        return _SIMPLE_ESCAPES[simple]

    return _BACKSLASH_ESCAPE.sub(replace, raw)
