"""What the image guard costs per request: `python -m scripts.media_guard_cost` (docs/security.md).

Times (CPU time of this process, so that other work on the machine does not count) the scan of a 64 KiB legitimate note (as one text, past the 20,000-character field cap, to
show the per-character cost; and as a 64 KiB JSON body of fields under the cap, the largest body the
services accept), and of 20,000-character fields built to make the scan work hardest.
"""
from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable

from shared.media import carries_media, inspect_json
from tests.security.media_corpus import legitimate_corpus

KIB = 1024


def _note(size: int) -> str:
    notes = [payload.text for payload in legitimate_corpus()]
    text = ""
    while len(text) < size:
        text += random.Random(len(text)).choice(notes) + "\n"
    return text[:size]


def _body(size: int) -> dict[str, str]:
    fields: dict[str, str] = {}
    for index in range(size // 16_000):
        fields[f"field_{index}"] = _note(16_000 - 20)
    return fields


def _worst_cases() -> dict[str, str]:
    rng = random.Random(7)
    return {
        "20,000 chars of percent, quoted-printable and backslash escapes": "".join(
            rng.choice(["%41", "=42", "\\x43", "%2", "abc "]) for _ in range(6_000)
        )[:20_000],
        "20,000 hex digits in runs": " ".join("".join(rng.choice("0123456789abcdef") for _ in range(7)) for _ in range(2_500))[:20_000],
        "20,000 chars of ascii85-like punctuation": "".join(rng.choice("!#$%&()*+,-./:;<=>?@[]^_`") for _ in range(20_000)),
        "20,000 base64 characters in 12-character runs": " ".join(
            "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(12))
            for _ in range(1_540)
        )[:20_000],
    }


def _median_ms(work: Callable[[], object], rounds: int = 15) -> float:
    work()
    timings = []
    for _ in range(rounds):
        started = time.process_time()
        work()
        timings.append((time.process_time() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    note = _note(64 * KIB)
    assert not carries_media(note)
    print(f"64 KiB legitimate note as one text: {_median_ms(lambda: carries_media(note)):.1f} ms")
    body = _body(64 * KIB)
    assert inspect_json(body).media is None
    print(f"{len(json.dumps(body)) // KIB} KiB JSON body of legitimate notes ({len(body)} fields): {_median_ms(lambda: inspect_json(body)):.1f} ms")
    for label, text in _worst_cases().items():
        print(f"{label}: {_median_ms(lambda: carries_media(text)):.1f} ms (refused: {carries_media(text)})")


if __name__ == "__main__":
    main()
