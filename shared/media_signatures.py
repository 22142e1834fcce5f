"""Image and video container headers, found at any offset of a byte string (S-IMAGE).

Each format has an anchor (its magic bytes, searched with one compiled pattern in C) and a check of
the header's structure behind the anchor, so that a chance match in bytes decoded from ordinary text
is not taken for an image: PNG needs its 8-byte magic and the IHDR chunk, JPEG a start-of-image and a
real first segment, an ISO BMFF `ftyp` box a plausible size and a known brand. `MIN_HEADER_BYTES` is
the shortest run of decoded bytes that can hold each checked header; nothing shorter is a finding.

Why a table here and not a signature library: `puremagic` and `filetype` identify a whole file from
its first bytes. Here the header may start anywhere in bytes decoded from a text field, and most of
those libraries' rules are magic bytes only (`filetype`'s BMP is "BM", its JPEG FF D8 FF), which
ordinary text decodes to far too often. The tests check every header they build against `filetype`
and `puremagic`, so this table and the libraries agree on what an image is.
"""
from __future__ import annotations

import re
import struct
from collections.abc import Callable
from enum import StrEnum


class Container(StrEnum):
    jpeg = "jpeg"
    png = "png"
    gif = "gif"
    webp = "webp"
    bmp = "bmp"
    tiff = "tiff"
    isobmff = "isobmff"  # MP4, MOV, M4V, 3GP, HEIC/HEIF, AVIF: an `ftyp` box with a known brand
    quicktime = "quicktime"  # a MOV that starts with its `moov` atom instead of `ftyp`
    matroska = "matroska"  # WebM and MKV: an EBML header naming its doc type
    avi = "avi"
    jpeg_xl = "jpeg_xl"
    jpeg_2000 = "jpeg_2000"


# Shortest decoded run that holds the header each check reads (bytes from the anchor's start).
MIN_HEADER_BYTES: dict[Container, int] = {
    Container.png: 16,  # magic (8) + IHDR length and type (8)
    Container.jpeg: 11,  # SOI (2) + marker (2) + length (2) + APP identifier (5), or the next marker
    Container.gif: 14,  # "GIF89a" + logical screen descriptor (7) + the next block's introducer
    Container.webp: 16,  # RIFF, size, "WEBP", first chunk "VP8 " / "VP8L" / "VP8X"
    Container.avi: 16,  # RIFF, size, "AVI ", "LIST"
    Container.bmp: 18,  # file header (14) + DIB header size (4)
    Container.tiff: 8,  # byte order, 42, first IFD offset: checked further when the IFD is in reach
    Container.isobmff: 16,  # box size, "ftyp", major brand, minor version
    Container.quicktime: 16,  # atom size, "moov", first child atom size and type
    Container.matroska: 12,  # EBML id, size, then a DocType element naming webm or matroska
    Container.jpeg_xl: 12,
    Container.jpeg_2000: 12,
}

# Brands of the ISO base media file format that phones, cameras and platforms write (ISO/IEC 14496-12,
# 23008-12 for HEIF, AV1 Image File Format, 3GPP TS 26.244, QuickTime).
_ISOBMFF_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42",
        b"mp71", b"avc1", b"hvc1", b"hev1", b"av01", b"M4V ", b"M4VH", b"M4VP", b"MSNV", b"qt  ", b"dash",
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"miaf",
        b"avif", b"avis", b"avio", b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gs7", b"3g2a", b"3g2b", b"3g2c",
        b"f4v ", b"f4p ", b"crx ", b"jpeg", b"jpgs", b"XAVC", b"CAEP", b"nikn",
    }
)
_JPEG_FIRST_MARKERS = frozenset({*range(0xE0, 0xF0), 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xFE, 0xDD})
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_MOOV_CHILDREN = frozenset({b"mvhd", b"cmov", b"trak", b"udta", b"prfl", b"meta", b"iods"})


def _png(data: bytes, at: int) -> bool:
    return data[at + 8 : at + 16] == b"\x00\x00\x00\x0dIHDR"


def _jpeg(data: bytes, at: int) -> bool:
    marker = data[at + 3]
    if marker not in _JPEG_FIRST_MARKERS or len(data) < at + 6:
        return False
    (length,) = struct.unpack_from(">H", data, at + 4)
    if length < 2:
        return False
    identifier = data[at + 6 : at + 11]
    if marker == 0xE0 and identifier in (b"JFIF\x00", b"JFXX\x00"):
        return True
    if marker == 0xE1 and (identifier[:4] == b"Exif" or identifier[:4] == b"http"):
        return True
    # Any other first segment: the next marker must sit where the segment's length says it ends.
    return data[at + 4 + length : at + 5 + length] == b"\xff"


def _gif(data: bytes, at: int) -> bool:
    width, height, packed = struct.unpack_from("<HHB", data, at + 6)
    if width == 0 or height == 0:
        return False
    table = 3 * (2 << (packed & 0x07)) if packed & 0x80 else 0
    # After the screen descriptor and its colour table comes an extension, an image or the trailer.
    return data[at + 13 + table : at + 14 + table] in (b"\x21", b"\x2c", b"\x3b")


def _riff(data: bytes, at: int) -> Container | None:
    kind, chunk = data[at + 8 : at + 12], data[at + 12 : at + 16]
    if kind == b"WEBP" and chunk in (b"VP8 ", b"VP8L", b"VP8X"):
        return Container.webp
    if kind == b"AVI " and chunk in (b"LIST", b"JUNK"):
        return Container.avi
    return None


def _bmp(data: bytes, at: int) -> bool:
    _size, reserved, pixels, dib = struct.unpack_from("<IIII", data, at + 2)
    return reserved == 0 and dib in _BMP_DIB_SIZES and 14 + dib <= pixels < 1 << 28


def _tiff(data: bytes, at: int) -> bool:
    order = "<" if data[at] == 0x49 else ">"
    (ifd,) = struct.unpack_from(order + "I", data, at + 4)
    if not 8 <= ifd < 1 << 24:
        return False
    if len(data) < at + ifd + 4:
        return True  # the first directory lies beyond what was sent: the 8-byte header must do
    entries, tag = struct.unpack_from(order + "HH", data, at + ifd)
    return 1 <= entries <= 4096 and tag >= 0x00FE


def _ftyp(data: bytes, at: int) -> bool:
    (size,) = struct.unpack_from(">I", data, at)
    if not 16 <= size <= 4096 or size % 4:
        return False
    brands = [data[at + 8 : at + 12]]
    brands += [data[at + offset : at + offset + 4] for offset in range(16, min(size, len(data) - at), 4)]
    return any(brand in _ISOBMFF_BRANDS for brand in brands)


def _moov(data: bytes, at: int) -> bool:
    (size,) = struct.unpack_from(">I", data, at)
    (child_size,) = struct.unpack_from(">I", data, at + 8)
    return size >= 16 and 8 <= child_size <= size - 8 and data[at + 12 : at + 16] in _MOOV_CHILDREN


def _ebml(data: bytes, at: int) -> bool:
    header = data[at + 4 : at + 64]
    doc_type = header.find(b"\x42\x82")
    if doc_type < 0:
        return False
    length = header[doc_type + 2 : doc_type + 3]
    if not length or not length[0] & 0x80:
        return False
    name = header[doc_type + 3 : doc_type + 3 + (length[0] & 0x7F)]
    return name in (b"webm", b"matroska")


# (anchor, how far before the anchor the container starts, container or None if decided by the check, check)
_Check = Callable[[bytes, int], "bool | Container | None"]
_TABLE: tuple[tuple[bytes, int, Container | None, _Check], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, Container.png, _png),
    (b"\xff\xd8\xff", 0, Container.jpeg, _jpeg),
    (b"GIF87a", 0, Container.gif, _gif),
    (b"GIF89a", 0, Container.gif, _gif),
    (b"RIFF", 0, None, _riff),
    (b"BM", 0, Container.bmp, _bmp),
    (b"II*\x00", 0, Container.tiff, _tiff),
    (b"MM\x00*", 0, Container.tiff, _tiff),
    (b"ftyp", 4, Container.isobmff, _ftyp),
    (b"moov", 4, Container.quicktime, _moov),
    (b"\x1a\x45\xdf\xa3", 0, Container.matroska, _ebml),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", 0, Container.jpeg_xl, lambda data, at: True),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", 0, Container.jpeg_2000, lambda data, at: True),
)
_BY_ANCHOR = {anchor: (back, container, check) for anchor, back, container, check in _TABLE}
_ANCHORS = re.compile(b"|".join(re.escape(anchor) for anchor, *_ in _TABLE))
SHORTEST_HEADER = min(MIN_HEADER_BYTES.values())


def find_container(data: bytes) -> Container | None:
    """The first image or video container header anywhere in `data`, or None."""
    position = 0
    while (match := _ANCHORS.search(data, position)) is not None:
        anchor = match.group()
        back, container, check = _BY_ANCHOR[anchor]
        start = match.start() - back
        # A failed candidate may overlap a real header (FF D8 FF D8 FF E0 …): resume one byte on.
        position = match.start() + 1
        if start < 0:
            continue
        found = _checked(data, start, container, check)
        if found is not None:
            return found
    return None


def _checked(data: bytes, start: int, container: Container | None, check: _Check) -> Container | None:
    shortest = MIN_HEADER_BYTES[container] if container is not None else 16
    if len(data) - start < shortest:
        return None
    verdict = check(data, start)
    if isinstance(verdict, Container):
        return verdict
    return container if verdict is True else None
