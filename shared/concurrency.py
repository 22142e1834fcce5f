"""Optimistic concurrency for edits: a version column, its ETag, and If-Match.

Two people editing the same record must not silently overwrite each other: an update without
If-Match is refused with 428, one with a stale ETag with 412.
"""
from __future__ import annotations

import re

from shared.problems import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^\s*(?:W/)?"v(\d{1,12})"\s*$')


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("Send the record's ETag in If-Match to change it.")
    match = _ETAG.match(if_match)
    if match is None:
        raise PreconditionFailed("If-Match does not name a version of this record.")
    return int(match.group(1))


def check_version(current: int, expected: int) -> None:
    if current != expected:
        raise PreconditionFailed("The record changed since it was read; read it again and retry.")
