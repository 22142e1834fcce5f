"""Reading a /metrics answer as Prometheus would, and scanning its labels for anything personal."""
from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def label_values(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> set[str]:
    return {value for _, labels in samples for _, value in labels}


def personal_label_values(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], secrets: list[str]) -> list[str]:
    """Label values that carry a record id, a date, or any of the given names or texts."""
    found = []
    for value in label_values(samples):
        if _UUID.search(value) or _DATE.search(value) or any(secret.lower() in value.lower() for secret in secrets):
            found.append(value)
    return found


def value_of(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, missing: float | None = None, **labels: str
) -> float:
    """The sum of the samples of `name` with these labels; `missing` if none (and none is expected)."""
    matches = [v for (n, ls), v in samples.items() if n == name and all((k, lv) in ls for k, lv in labels.items())]
    if not matches and missing is not None:
        return missing
    assert matches, f"{name} {labels} not exposed"
    return sum(matches)
