"""Generators of the image-guard corpora (S-IMAGE), committed as code rather than as files.

`HEADERS` are small real image and video files (or, for video, their opening boxes and elements),
built byte by byte here so that no image is ever kept in the repository. `hostile_corpus()` is each
of them under each encoding a client could use, each wrapped the way an attacker would hide it
(a word in front, junk bytes, separators every few characters, glued to a word, inside a sentence).
`legitimate_corpus()` is safeguarding notes built from templates with the content that looks most
like encoded data: long URLs, references, UPNs, hashes, runs of zeros, Welsh, accents and emoji.
"""
from __future__ import annotations

import base64
import binascii
import random
import struct
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass

# --- Real headers ----------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    rows = b"".join(b"\x00" + b"\x7f\x00\x00\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + (_png_chunk(b"tEXt", b"Comment\x00" + tail) if tail else b"")
        + _png_chunk(b"IEND", b"")
    )


def _jpeg_segment(marker: int, data: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data


def _jpeg_body(width: int, height: int, tail: bytes) -> bytes:
    dqt = _jpeg_segment(0xDB, b"\x00" + bytes([1] * 64))
    sof0 = _jpeg_segment(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
    dht_dc = _jpeg_segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00")
    dht_ac = _jpeg_segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    sos = _jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return dqt + sof0 + dht_dc + dht_ac + sos + b"\x00" + tail.replace(b"\xff", b"\xff\x00") + b"\xff\xd9"


def jpeg_jfif(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    app0 = _jpeg_segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    return b"\xff\xd8" + app0 + _jpeg_body(width, height, tail)


def jpeg_exif(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    app1 = _jpeg_segment(0xE1, b"Exif\x00\x00" + b"MM\x00*\x00\x00\x00\x08\x00\x00")
    return b"\xff\xd8" + app1 + _jpeg_body(width, height, tail)


def jpeg_bare(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    """A JPEG whose first segment is its quantisation table (no JFIF or Exif block): some encoders write these."""
    return b"\xff\xd8" + _jpeg_body(width, height, tail)


def gif(width: int = 1, height: int = 1, tail: bytes = b"", version: bytes = b"89a") -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    image = b"," + struct.pack("<HHHH", 0, 0, width, height) + b"\x00" + b"\x02\x02\x44\x01\x00"
    comment = b"!\xfe" + bytes([min(len(tail), 255)]) + tail[:255] + b"\x00" if tail else b""
    return b"GIF" + version + screen + comment + image + b";"


def gif87a(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return gif(width, height, tail, version=b"87a")


def _riff(kind: bytes, chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + kind + chunks


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def webp_lossless(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    bits = (width - 1) | (height - 1) << 14 | 1 << 28  # alpha used, version 0
    return _riff(b"WEBP", _riff_chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\x00\x00\x10\x07" + tail))


def webp_extended(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    vp8x = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"WEBP", _riff_chunk(b"VP8X", vp8x) + _riff_chunk(b"ALPH", tail or b"\x00"))


def bmp(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    row = (b"\x00\x00\xff" * width).ljust((3 * width + 3) // 4 * 4, b"\x00")
    pixels = row * height + tail
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + len(pixels), 0, 0, 14 + len(info)) + info + pixels


def tiff(width: int = 1, height: int = 1, tail: bytes = b"", order: str = "<") -> bytes:
    pixels = bytes([0x80] * (width * height)) + tail
    entries = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, height), (279, 4, 1, len(pixels))]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    ifd = struct.pack(order + "H", len(entries))
    for tag, kind, count, value in entries:
        value = data_offset if tag == 273 else value
        # A SHORT value sits in the first two bytes of the entry's four-byte value field.
        packed = struct.pack(order + "H", value) + b"\x00\x00" if kind == 3 else struct.pack(order + "I", value)
        ifd += struct.pack(order + "HHI", tag, kind, count) + packed
    ifd += b"\x00\x00\x00\x00"
    return magic + struct.pack(order + "I", 8) + ifd + pixels


def tiff_big_endian(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return tiff(width, height, tail, order=">")


def _box(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", 8 + len(data)) + kind + data


def _mvhd(duration: int) -> bytes:
    return _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, duration) + b"\x00\x01\x00\x00\x01\x00" + b"\x00" * 70 + b"\x00\x00\x00\x02")


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    return _box(b"ftyp", major + b"\x00\x00\x02\x00" + b"".join(compatible))


def mp4(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41") + _box(b"moov", _mvhd(width * height)) + _box(b"mdat", tail)


def mov(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _ftyp(b"qt  ", b"qt  ") + _box(b"moov", _mvhd(width * height)) + _box(b"mdat", tail)


def mov_without_ftyp(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _box(b"moov", _mvhd(width * height)) + _box(b"mdat", tail)


def three_gp(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _ftyp(b"3gp4", b"isom", b"3gp4") + _box(b"moov", _mvhd(width * height)) + _box(b"mdat", tail)


def _heif(brand: bytes, width: int, height: int, tail: bytes) -> bytes:
    ispe = _box(b"ispe", b"\x00" * 4 + struct.pack(">II", width, height))
    meta = _box(b"meta", b"\x00" * 4 + _box(b"hdlr", b"\x00" * 8 + b"pict" + b"\x00" * 13) + _box(b"iprp", _box(b"ipco", ispe)))
    return _ftyp(brand, b"mif1", brand, b"miaf") + meta + _box(b"mdat", tail)


def heic(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _heif(b"heic", width, height, tail)


def avif(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _heif(b"avif", width, height, tail)


def _ebml_element(element_id: bytes, data: bytes) -> bytes:
    return element_id + bytes([0x80 | len(data)]) + data


def _ebml(doc_type: bytes, width: int, height: int, tail: bytes) -> bytes:
    header = (
        _ebml_element(b"\x42\x86", b"\x01") + _ebml_element(b"\x42\xf7", b"\x01") + _ebml_element(b"\x42\xf2", b"\x04")
        + _ebml_element(b"\x42\xf3", b"\x08") + _ebml_element(b"\x42\x82", doc_type)
        + _ebml_element(b"\x42\x87", b"\x04") + _ebml_element(b"\x42\x85", b"\x02")
    )
    video = _ebml_element(b"\xb0", struct.pack(">H", width)) + _ebml_element(b"\xba", struct.pack(">H", height))
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + _ebml_element(b"\xe0", video) + tail
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(header)]) + header + segment


def webm(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _ebml(b"webm", width, height, tail)


def mkv(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    return _ebml(b"matroska", width, height, tail)


def avi(width: int = 1, height: int = 1, tail: bytes = b"") -> bytes:
    avih = _riff_chunk(b"avih", struct.pack("<IIIIIIIIII", 33333, 0, 0, 0x10, 1, 0, 1, 0, width, height) + b"\x00" * 16)
    hdrl = _riff_chunk(b"LIST", b"hdrl" + avih)
    movi = _riff_chunk(b"LIST", b"movi" + _riff_chunk(b"00dc", tail or b"\x00"))
    return _riff(b"AVI ", hdrl + movi)


Builder = Callable[..., bytes]
# name -> (builder, the extensions `filetype` or `puremagic` may call it: the oracle the tests check against)
HEADERS: dict[str, tuple[Builder, frozenset[str]]] = {
    "png": (png, frozenset({"png", "apng"})),
    "jpeg_jfif": (jpeg_jfif, frozenset({"jpg", "jpeg", "jfif"})),
    "jpeg_exif": (jpeg_exif, frozenset({"jpg", "jpeg"})),
    "jpeg_bare": (jpeg_bare, frozenset({"jpg", "jpeg"})),
    "gif89a": (gif, frozenset({"gif"})),
    "gif87a": (gif87a, frozenset({"gif"})),
    "webp_lossless": (webp_lossless, frozenset({"webp"})),
    "webp_extended": (webp_extended, frozenset({"webp"})),
    "bmp": (bmp, frozenset({"bmp", "dib"})),
    "tiff_little_endian": (tiff, frozenset({"tif", "tiff"})),
    "tiff_big_endian": (tiff_big_endian, frozenset({"tif", "tiff"})),
    "mp4": (mp4, frozenset({"mp4", "m4v", "mov"})),
    "mov": (mov, frozenset({"mov", "qt"})),
    "mov_without_ftyp": (mov_without_ftyp, frozenset({"mov", "qt"})),
    "3gp": (three_gp, frozenset({"3gp", "mp4"})),
    "heic": (heic, frozenset({"heic", "heif"})),
    "avif": (avif, frozenset({"avif", "heic", "heif"})),
    "webm": (webm, frozenset({"webm", "mkv"})),
    "mkv": (mkv, frozenset({"mkv", "webm"})),
    "avi": (avi, frozenset({"avi"})),
}


# --- Encodings -------------------------------------------------------------------------------


def _hex_runs(data: bytes, size: int, separator: str) -> str:
    text = data.hex()
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _chunked_b64(data: bytes, size: int = 4) -> str:
    """Each few bytes encoded on their own, each with its padding: decoded one by one and joined they are the file."""
    return " ".join(_b64(data[i : i + size]) for i in range(0, len(data), size))


# name -> (encode, whether characters may be inserted into its output and a lenient decoder still reads it)
ENCODINGS: dict[str, tuple[Callable[[bytes], str], bool]] = {
    "base64": (_b64, True),
    "base64_unpadded": (lambda d: _b64(d).rstrip("="), True),
    "base64url": (lambda d: base64.urlsafe_b64encode(d).decode(), True),
    "base64_mime_lines": (lambda d: base64.encodebytes(d).decode(), True),
    "base64_chunks_padded": (_chunked_b64, False),
    "hex": (lambda d: d.hex(), True),
    "hex_upper": (lambda d: d.hex().upper(), True),
    "hex_pairs_spaced": (lambda d: d.hex(" "), False),
    "hex_colons": (lambda d: d.hex(":"), False),
    "hex_runs_of_8": (lambda d: _hex_runs(d, 8, " "), False),
    "hex_runs_on_lines": (lambda d: _hex_runs(d, 32, "\n"), False),
    "hex_backslash_x": (lambda d: "".join(f"\\x{b:02x}" for b in d), False),
    "hex_0x_list": (lambda d: ", ".join(f"0x{b:02X}" for b in d), False),
    "ascii85": (lambda d: base64.a85encode(d).decode(), False),
    "ascii85_adobe": (lambda d: base64.a85encode(d, adobe=True).decode(), False),
    "ascii85_wrapped": (lambda d: base64.a85encode(d, wrapcol=20).decode(), False),
    "base85": (lambda d: base64.b85encode(d).decode(), False),
    "quoted_printable": (lambda d: binascii.b2a_qp(d, quotetabs=True, istext=False).decode(), False),
    "percent": (lambda d: urllib.parse.quote_from_bytes(d, safe=""), False),
    "percent_every_byte": (lambda d: "".join(f"%{b:02X}" for b in d), False),
    "data_uri": (lambda d: "data:image/jpeg;base64," + _b64(d), False),
    "data_uri_percent": (lambda d: "data:video/mp4," + urllib.parse.quote_from_bytes(d), False),
    "latin1_binary": (lambda d: d.decode("latin-1"), False),
    "base64_of_hex": (lambda d: _b64(d.hex().encode()), True),
    "hex_of_base64": (lambda d: _b64(d).encode().hex(), True),
    "base64_of_base64": (lambda d: _b64(_b64(d).encode()), True),
    "percent_of_base64": (lambda d: urllib.parse.quote(_b64(d), safe=""), False),
    "base64_of_percent": (lambda d: _b64(urllib.parse.quote_from_bytes(d).encode()), True),
    "ascii85_of_base64": (lambda d: base64.a85encode(_b64(d).encode()).decode(), False),
    "base64_of_data_uri": (lambda d: _b64(("data:image/png;base64," + _b64(d)).encode()), True),
}


# --- Wrappers --------------------------------------------------------------------------------


def _every(size: int, separator: str) -> Callable[[str], str]:
    return lambda text: separator.join(text[i : i + size] for i in range(0, len(text), size))


# name -> (wrap, needs an encoding that survives inserted characters)
WRAPPERS: dict[str, tuple[Callable[[str], str], bool]] = {
    "bare": (lambda text: text, False),
    "word_and_space": (lambda text: "photo " + text, False),
    "sentence": (lambda text: f"The pupil said the file was: {text} and then it was deleted.", False),
    "one_junk_char": (lambda text: "x" + text, False),
    "two_junk_chars": (lambda text: "#!" + text, False),
    "three_junk_chars": (lambda text: "q1Z" + text, False),
    "glued_to_word": (lambda text: "attachment" + text, False),
    "glued_both_sides": (lambda text: "see" + text + "thanks", False),
    "dots_every_5_after_junk": (lambda text: "abc" + _every(5, ".")(text), True),
    "spaces_every_7": (_every(7, " "), True),
    "newlines_every_10": (_every(10, "\n"), True),
    "commas_every_3": (_every(3, ", "), True),
    "pipes_every_9": (_every(9, "|"), True),
    "dashes_every_6": (_every(6, "-"), True),
}


@dataclass(frozen=True)
class Payload:
    label: str
    text: str


def encoded(header: str, encoding: str, wrapper: str, data: bytes | None = None) -> Payload:
    builder, _ = HEADERS[header]
    encode, splittable = ENCODINGS[encoding]
    wrap, needs_splittable = WRAPPERS[wrapper]
    assert splittable or not needs_splittable, f"{encoding} does not survive {wrapper}"
    return Payload(f"{header}/{encoding}/{wrapper}", wrap(encode(builder() if data is None else data)))


def applicable(encoding: str, wrapper: str) -> bool:
    return ENCODINGS[encoding][1] or not WRAPPERS[wrapper][1]


def hostile_corpus() -> list[Payload]:
    """Every header under every encoding; the wrappers rotate so that each meets every encoding and header."""
    payloads: list[Payload] = []
    wrappers = list(WRAPPERS)
    for h, header in enumerate(HEADERS):
        for e, encoding in enumerate(ENCODINGS):
            candidates = [w for w in wrappers if applicable(encoding, w)]
            wrapper = candidates[(h + e) % len(candidates)]
            payloads.append(encoded(header, encoding, wrapper))
    return payloads


def full_hostile_product() -> list[Payload]:
    return [
        encoded(header, encoding, wrapper)
        for header in HEADERS
        for encoding in ENCODINGS
        for wrapper in WRAPPERS
        if applicable(encoding, wrapper)
    ]


# --- Legitimate notes ------------------------------------------------------------------------

_NAMES = ["Siân Pritchard", "Dafydd ap Gwilym", "Zoë Ó Briain", "José Núñez", "Eilidh MacLeòid", "Chloé Dubois",
          "Mohammed Al-Farsi", "Ngozi Okonkwo", "Łukasz Wiśniewski", "Aoife Ní Bhriain", "Ffion Llŷr", "Tomás Ó Sé"]
_STAFF = ["Mrs Hughes (DSL)", "Mr Evans, deputy DSL", "Ms Jones (Head of Year 9)", "PC 4471 Williams", "DC Patel"]
_URLS = [
    "https://www.gov.uk/government/publications/sharing-nudes-and-semi-nudes-advice-for-education-settings-working-with-children-and-young-people/sharing-nudes-and-semi-nudes-advice-for-education-settings-working-with-children-and-young-people",
    "https://www.ceop.police.uk/Safety-Centre/Should-I-make-a-report-to-CEOP-YP/?utm_source=school&utm_medium=email&utm_campaign=autumn-term-2026",
    "https://www.childline.org.uk/info-advice/bullying-abuse-safety/online-mobile-safety/remove-nude-image-shared-online/report-remove/",
    "https://takeitdown.ncmec.org/",
    "https://contoso.sharepoint.com/:w:/r/sites/Safeguarding/Shared%20Documents/Incidents/2026/Autumn/Incident%20log%20Year%209.docx?d=w3f2a9c1b7e4d4f0a8b6c5d4e3f2a1b0c&csf=1&web=1&e=AbC123",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjM3YzE4ZTItYmFkNi00ZTUwLWI3ZDgtYTJhZjg0NTk3NDBm%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf-86f1-41af-91ab-2d7cd011db47%22%2c%22Oid%22%3a%22a1b2c3d4-e5f6-4789-abcd-ef0123456789%22%7d",
    "https://drive.google.com/file/d/1A2b3C4d5E6f7G8h9I0jKlMnOpQrStUvWxYz/view?usp=sharing",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=3",
    "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.nspcc.org.uk%2Fkeeping-children-safe%2Fonline-safety%2F&data=05%7C02%7Cdsl%40school.example.org%7C8f1e2d3c4b5a69788796a5b4c3d2e1f0%7C0%7C0%7C638667000000000000&sdata=Zm9vYmFyYmF6cXV4cXV1eGNvcmdl%3D&reserved=0",
    "https://web.archive.org/web/20240101000000*/https://example.org/forum/thread/123456789/page/42#post-987654321",
]
_REFERENCES = [
    "100001-2026-0007", "52/123456/26", "CAD 2026-11-27/0451", "crime ref 52NW/0048211/26", "MASH-2026-004512",
    "UPN B801200005001", "UPN H801200001234", "ULN 1234567890", "NHS 943 476 5919", "case 00012345/2026",
]
_HASHES = [
    "commit 3f9c2b1e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
    "SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "MD5 d41d8cd98f00b204e9800998ecf8427e",
    "IWF hash list entry 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    "device IMEI 356938035643809 and serial F2LXK3Q9HG7F",
    "Snapchat user @jay_k_2011, Instagram @xx.mia.xx, Discord id 284729104738291712",
    "UUID 6f1c1f0e-8a3c-4b8e-9a57-0d7f0c1f5a11",
    "token-looking code QmFzZTY0IGlzIG5vdCBhbiBpbWFnZQ== that the pupil wrote on the board",
    "Bluetooth MAC 3C:22:FB:9A:41:07 and Wi-Fi BSSID 00:1A:2B:3C:4D:5E",
    "IPv6 2001:0db8:85a3:0000:0000:8a2e:0370:7334",
]
_NUMBERS = ["0" * 300, "1" * 120, "000000000000000000000000", "07700 900123", "+44 29 2018 0000", "1,234,567.89",
            "9" * 64, "2026-11-27T09:40:00Z", "27/11/2026 21:40", "01234 567890 ext. 4402", "£1,500.00 and €20"]
_SENTENCES = [
    "{name} told {staff} at {time} that an image of them had been shared in a group chat of Year 9 pupils.",
    "Disclosure made by {name} to {staff}; the DSL was informed within the hour and the device was not viewed.",
    "Mae {name} wedi dweud wrth {staff} fod llun wedi'i rannu ar Snapchat. Siaradwyd â'r rhieni ddydd Llun.",
    "Parents contacted by phone ({number}); they asked that the police call after 17:00. Reference: {ref}.",
    "Guidance followed: {url}",
    "Removal help offered (Report Remove via Childline): {url} — the pupil agreed 👍 and felt relieved 😊.",
    "The pupil's phone was switched off, sealed in bag {ref} and placed in the safe; {hash}.",
    "Police informed via 101, {ref}; officer {staff} will attend on {date}. Notes: {number}.",
    "Earlier concern logged in the MIS on {date} ({ref}); no image was viewed, copied or forwarded by staff.",
    "L'élève a déclaré, à {time}, qu'une photo avait circulé — «pas moi», a-t-elle dit. Contact: {number}.",
    "Review meeting {date}: {staff}, the form tutor and the pupil's aunt attended; {name} wants to stay in class.",
    "Copied from the chat export: \"deleted it lol\" / \"u sure??\" / \"yes!!!\" — no image in the export.",
    "Checklist: [x] DSL informed [x] SLT informed [ ] parents (reason: risk of harm at home) — {ref}",
    "Pupil's account of events, in their own words: \"I only sent it to him, I didn't think he'd show anyone\".",
    "Long reference line for the MIS: {number}",
    "Device details: {hash}; school network log checked by the IT lead, nothing stored on school systems.",
]


# The pools, for the property-based test that mixes them into generated prose.
LEGITIMATE_POOLS = (_NAMES, _STAFF, _URLS, _REFERENCES, _HASHES, _NUMBERS)


def legitimate_corpus(count: int = 400, seed: int = 20261203) -> list[Payload]:
    """Notes of one to six sentences, each filled from the pools above, reproducible from `seed`."""
    rng = random.Random(seed)
    notes: list[Payload] = []
    for index in range(count):
        sentences = [
            rng.choice(_SENTENCES).format(
                name=rng.choice(_NAMES), staff=rng.choice(_STAFF), url=rng.choice(_URLS), ref=rng.choice(_REFERENCES),
                hash=rng.choice(_HASHES), number=rng.choice(_NUMBERS), time=f"{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}",
                date=f"{rng.randint(1, 28)} {rng.choice(['Medi', 'Hydref', 'November', 'December', 'janvier'])} 2026",
            )
            for _ in range(rng.randint(1, 6))
        ]
        notes.append(Payload(f"note-{index}", ("\n" if index % 3 == 0 else " ").join(sentences)))
    # Each pool entry on its own too, so that none is only ever seen diluted in prose.
    for pool in (_URLS, _REFERENCES, _HASHES, _NUMBERS):
        notes.extend(Payload(f"alone-{len(notes)}", value) for value in pool)
    return notes
