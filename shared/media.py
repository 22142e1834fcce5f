"""The image guard: a JSON body that carries, or may carry, an image or video is refused.

The services record what an image is (its nature), never the image (S-IMAGE). This is a pure
scan over parsed JSON so that it can be unit-tested and run before any handler sees the body.

The strings of a request, joined in document order, are decoded every way a client could have
encoded bytes into text, and the decoded bytes are searched, at every offset, for the header of an image or video container
(`shared.media_signatures`): base64 and base64url at all four alignments after dropping every
character outside the alphabet (so runs split by dots, spaces or junk, or glued to a word, join up
again), hex runs split by short separators, ascii85 and base85 at all five alignments, quoted-
printable, percent-encoding, backslash escapes, and the string's own characters as Latin-1 bytes
(binary sent as JSON text). Decoded bytes that are text again are decoded once more, two levels
deep, so base64 of hex or a percent-encoded base64 is found too.

The work is bounded: each pass is linear in the text it decodes (a fixed number of decoders and
alignments, each a C-speed transform plus one compiled pattern search), and the passes over one
request may together read at most `NESTED_WORK_FACTOR` times its length; a request that needs more
than that is refused rather than waved through. docs/security.md gives the measured cost.
"""
from __future__ import annotations

import binascii
import math
import re
import urllib.parse
from collections import Counter, deque
from collections.abc import Callable, Iterator
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
NESTED_WORK_FACTOR = 6
_NESTED_WORK_FLOOR = 4096
# Decoded bytes are decoded again only where they hold a printable run this long.
_SHORTEST_NESTED_TEXT = 24
_PRINTABLE_AS_MARK = bytes(0x61 if 0x20 <= b <= 0x7E or b in (0x09, 0x0A, 0x0D) else 0 for b in range(256))
_TEXT_RUN_MARK = b"a" * _SHORTEST_NESTED_TEXT

_DATA_URI = re.compile(r"data:\s*[\w.+-]+/[\w.+-]+[^,]{0,200},", re.IGNORECASE)
_OPAQUE_RUN = re.compile(r"[A-Za-z0-9+/_-]{%d,}" % LONGEST_PLAUSIBLE_WORD)


def _all_but(alphabet: bytes) -> bytes:
    return bytes(b for b in range(256) if b not in alphabet)


_BASE64_DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NOT_BASE64 = _all_but(_BASE64_DIGITS + b"+/")
_NOT_BASE64URL = _all_but(_BASE64_DIGITS + b"-_")
_NOT_EITHER_BASE64 = _all_but(_BASE64_DIGITS + b"+/-_")
_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_PADDING = re.compile(rb"=+")
# Fewest base64 characters that decode to the shortest header, plus three for any alignment.
_MIN_BASE64 = math.ceil(SHORTEST_HEADER / 3) * 4

_HEX_PREFIX = re.compile(rb"(?:0[xX]|\\x)(?=[0-9A-Fa-f])")
# Hex digits in runs split by up to four separators that are neither letters nor digits.
_HEX_RUN = re.compile(rb"[0-9A-Fa-f]+(?:[^0-9A-Za-z]{1,4}[0-9A-Fa-f]+)*")
_NOT_HEX = _all_but(b"0123456789ABCDEFabcdef")
_MIN_HEX = 2 * SHORTEST_HEADER

_A85_DIGITS = bytes(range(33, 118))
_B85_DIGITS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_DIGIT_VALUES = {digits: bytes.maketrans(digits, bytes(range(85))) for digits in (_A85_DIGITS, _B85_DIGITS)}
_A85_RUN = re.compile(rb"[!-uz]+")
_B85_RUN = re.compile(rb"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]+")
# A word, perhaps quoted or bracketed and followed by punctuation, or a number, a date or a time.
_PROSE_TOKEN = re.compile(rb"[\"'(\[]*[A-Za-z][a-z']{0,15}[.,;:!?)\]\"']*|[0-9]{1,4}(?:[.,:/-][0-9]{1,4})*[.,;:)]?")
_MIN_BASE85 = math.ceil(SHORTEST_HEADER / 4) * 5

_QUOTED_PRINTABLE = re.compile(r"=[0-9A-Fa-f]{2}")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_BACKSLASH = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u00[0-9A-Fa-f]{2}|[0-7]{1,3}|[rnt])")
_SPACE = re.compile(r"\s")
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
    texts: list[str] = []
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return Inspection(unstorable=UnstorableText.too_deep)
        # Pushed in reverse so that strings come off in document order: a header split over
        # neighbouring strings joins up again.
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((item, depth + 1))
                stack.append((key, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in reversed(value))
        elif isinstance(value, str):
            texts.append(value)
    return inspect_texts(texts)


def inspect_text(text: str) -> Inspection:
    return inspect_texts([text])


def inspect_texts(texts: list[str]) -> Inspection:
    """The strings of one request, scanned for media as one text (see `carries_media`)."""
    for text in texts:
        if len(text) > LONGEST_LEGITIMATE_TEXT:
            return Inspection(media=MediaFinding.oversized_text)
        if _has_unpaired_surrogate(text):
            return Inspection(unstorable=UnstorableText.unpaired_surrogate)
        if "data:" in text.lower() and _DATA_URI.search(text):
            return Inspection(media=MediaFinding.data_uri)
    # Before the NUL check: binary image bytes sent as JSON text hold NULs, and are an image first.
    if sum(map(len, texts)) >= SHORTEST_HEADER and carries_media(*texts):
        return Inspection(media=MediaFinding.encoded_media)
    if any("\x00" in text for text in texts):
        return Inspection(unstorable=UnstorableText.nul_character)
    return Inspection()


def carries_media(*texts: str) -> bool:
    """Whether any decoding of the texts, up to `MAX_NESTING` levels deep, holds a media header.

    The texts are decoded joined by line breaks, as one: a header split over several strings of a
    request (a list of short chunks) is found, and a request of many short strings costs one pass,
    not one per string.
    """
    if any(_has_opaque_run(text) for text in texts):
        return True
    joined = "\n".join(texts)
    budget = NESTED_WORK_FACTOR * len(joined) + _NESTED_WORK_FLOOR
    queue: deque[tuple[str, int]] = deque([(joined, 0)])
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
                for run in _text_runs(decoded):
                    queue.append((run.decode("ascii"), depth + 1))
    return False


def _text_runs(decoded: bytes) -> list[bytes]:
    """The runs of at least `_SHORTEST_NESTED_TEXT` printable ASCII bytes in `decoded`.

    Found with a byte translation and substring searches, all C loops: most decodings are
    garbage, and a pattern run over every one of them cost more than the rest of the scan.
    A list, not a generator: most decodings hold no run, and a request has dozens of decodings.
    """
    marked = decoded.translate(_PRINTABLE_AS_MARK)
    found = marked.find(_TEXT_RUN_MARK)
    runs = []
    while found >= 0:
        start = marked.rfind(b"\x00", 0, found) + 1
        end = marked.find(b"\x00", found)
        end = len(marked) if end < 0 else end
        runs.append(decoded[start:end])
        found = marked.find(_TEXT_RUN_MARK, end)
    return runs


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
    # No alphabet below has a character outside ASCII: what is not ASCII only separates runs.
    ascii_text = text.encode("ascii", "ignore")
    yield from _base64(ascii_text)
    yield from _hex(ascii_text)
    yield from _base85(ascii_text)
    for escape, decode in _ESCAPING_CODES:
        if escape.search(text):
            yield decode(_escaped_regions(text, escape).encode("latin-1", "replace")), True


def _escaped_regions(text: str, escape: re.Pattern[str]) -> str:
    """Each line of `text` from the word holding its first escape to the word holding its last.

    Only they change when unescaped; decoding them alone keeps a note with one percent-encoded link
    from being decoded again whole, while an escaped file with literal spaces stays in one piece.
    """
    regions = []
    for line in text.splitlines(keepends=True):
        escapes = list(escape.finditer(line))
        if not escapes:
            continue
        begin = max(line.rfind(" ", 0, escapes[0].start()), line.rfind("\t", 0, escapes[0].start())) + 1
        after = _SPACE.search(line, escapes[-1].end())
        regions.append(line[begin : after.start() if after else len(line)])
    # Lines are joined as they were, so that a quoted-printable soft line break ("=" at the end) still joins.
    return "\n".join(regions)


def _base64(text: bytes) -> Iterator[tuple[bytes, bool]]:
    # Readings: both alphabets at once; "-" and "_" as separators; "+" and "/" as separators; and
    # each of those four alone as a separator, so that runs split by a character of the alphabet
    # itself still join (only the header's own uses of that character are lost).
    streams = {
        text.translate(_URL_TO_STANDARD, _NOT_EITHER_BASE64),
        text.translate(None, _NOT_BASE64),
        text.translate(_URL_TO_STANDARD, _NOT_BASE64URL),
    }
    for separator in b"-_+/":
        if separator in text:
            streams.add(text.replace(bytes([separator]), b"").translate(_URL_TO_STANDARD, _NOT_EITHER_BASE64))
    for stream in streams:
        if len(stream) >= _MIN_BASE64:
            for start in range(4):
                yield _b64(stream[start:]), True
    # Chunks encoded one by one carry their own padding; decoded alone and joined they are the bytes.
    if b"=" in text.strip(b"= \t\r\n"):
        chunks = [chunk.translate(_URL_TO_STANDARD, _NOT_EITHER_BASE64) for chunk in _PADDING.split(text)]
        if sum(map(len, chunks)) >= _MIN_BASE64:
            rest = b"".join(_b64(chunk) for chunk in chunks[1:])
            for start in range(4):
                yield _b64(chunks[0][start:]) + rest, True


def _b64(chunk: bytes) -> bytes:
    whole = len(chunk) - len(chunk) % 4
    tail = chunk[whole:]
    # A tail of two or three characters still holds one or two whole bytes.
    padded = chunk[:whole] + (tail + b"=" * (4 - len(tail)) if len(tail) >= 2 else b"")
    return binascii.a2b_base64(padded)


def _hex(text: bytes) -> Iterator[tuple[bytes, bool]]:
    for run in _HEX_RUN.finditer(_HEX_PREFIX.sub(b" ", text)):
        if run.end() - run.start() < _MIN_HEX:
            continue
        digits = run.group().translate(None, _NOT_HEX)
        if len(digits) < _MIN_HEX:
            continue
        for start in (0, 1):
            aligned = digits[start:]
            yield binascii.unhexlify(aligned[: len(aligned) - len(aligned) % 2]), True


def _base85(text: bytes) -> Iterator[tuple[bytes, bool]]:
    # As with base64, every run of the alphabet joins one stream decoded at all five alignments,
    # but ordinary words and numbers (with their punctuation) are left out: they are most of a
    # note, decoding them is the costly part, and a run of encoded bytes is almost never one.
    delimited = text.replace(b"<~", b" ").replace(b"~>", b" ")
    for pattern, digits, zero_group in ((_A85_RUN, _A85_DIGITS, True), (_B85_RUN, _B85_DIGITS, False)):
        runs = pattern.findall(delimited if zero_group else text)
        stream = b"".join(run for run in runs if not _PROSE_TOKEN.fullmatch(run))
        if zero_group:
            stream = stream.replace(b"z", b"!!!!!")
        if len(stream) < _MIN_BASE85:
            continue
        for decoded in _base85_alignments(stream.translate(_DIGIT_VALUES[digits])):
            yield decoded, True


# A group's value is at most 255 * (85**4 + ... + 1) < 2**34: it fits a 64-bit lane with room to spare.
_GROUP_WEIGHTS = (85**4, 85**3, 85**2, 85, 1)
_LANE = 8


def _base85_alignments(values: bytes) -> list[bytes]:
    """The digit values decoded in groups of five from each of the five starting offsets, each group's
    32-bit word big-endian; a group that overflows 32 bits (ordinary words do) keeps its low 32 bits,
    garbage rather than an error.

    The group at every offset is computed at once, in C: the values are spread one to a 64-bit lane of
    a big integer, five such integers (the values at offsets 0 to 4 from each lane's own) are weighted
    and added, and the low four bytes of each lane are read back; an alignment is every fifth lane. A
    Python loop over the groups cost a quarter of the whole guard on an ordinary request.
    """
    offsets = max(len(values) - 4, 0)
    total = 0
    for shift, weight in enumerate(_GROUP_WEIGHTS):
        lanes = bytearray(_LANE * offsets)
        lanes[_LANE - 1 :: _LANE] = values[shift : shift + offsets]
        total += weight * int.from_bytes(lanes, "big")
    words = total.to_bytes(_LANE * offsets, "big")
    low = bytearray(4 * offsets)
    for byte in range(4):
        low[byte::4] = words[_LANE - 4 + byte :: _LANE]
    # Four-byte items, copied as they lie in memory: big-endian whatever the machine's byte order.
    groups = memoryview(low).cast("I")
    return [groups[start::5].tobytes() for start in range(5)]


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        hex_byte, unicode_byte, octal, simple = match.groups()
        if hex_byte or unicode_byte:
            return bytes([int(hex_byte or unicode_byte, 16)])
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        return _SIMPLE_ESCAPES[simple]

    return _BACKSLASH_ESCAPE.sub(replace, raw)


# Text codes that escape some bytes and leave the rest as they are: how to spot one, how to undo it.
_ESCAPING_CODES: tuple[tuple[re.Pattern[str], Callable[[bytes], bytes]], ...] = (
    (_QUOTED_PRINTABLE, binascii.a2b_qp),
    (_PERCENT, urllib.parse.unquote_to_bytes),
    (_BACKSLASH, _unescape),
)
