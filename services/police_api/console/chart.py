"""The registrar's chart: crimes recorded on time and late, by week, drawn as SVG on the server.

No chart library and no script: the page is accessible as an image with a text alternative and the
same numbers in a table beside it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 260
LEFT = 40
BOTTOM = 40
TOP = 20
ON_TIME = "#00703c"
LATE = "#d4351c"


@dataclass(frozen=True)
class Week:
    starts: datetime
    on_time: int
    late: int


def weeks_of(crimes: list[dict[str, Any]], now: datetime, weeks: int) -> list[Week]:
    """Crimes counted by the week (Monday to Sunday, UTC) in which they were recorded, oldest first."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = {start: [0, 0] for start in starts}
    for crime in crimes:
        recorded = datetime.fromisoformat(crime["recorded_at"])
        week = (recorded - timedelta(days=recorded.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        if week in counts:
            counts[week][1 if crime["recorded_late"] else 0] += 1
    return [Week(start, *counts[start]) for start in starts]


def weekly_chart(crimes: list[dict[str, Any]], now: datetime, weeks: int) -> dict[str, Any]:
    rows = weeks_of(crimes, now, weeks)
    return {"rows": rows, "svg": render_svg(rows)}


def render_svg(rows: list[Week]) -> Markup:
    tallest = max([row.on_time + row.late for row in rows] + [1])
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - 10) / len(rows)
    bar = slot * 0.6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc">',
        '<title id="chart-title">Crimes recorded on time and late, by week</title>',
        f'<desc id="chart-desc">{escape(_describe(rows))}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 5}" y2="{HEIGHT - BOTTOM}" stroke="#0b0c0c"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="12" fill="#0b0c0c">{tallest}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="12" fill="#0b0c0c">0</text>',
    ]
    for index, row in enumerate(rows):
        x = LEFT + index * slot + (slot - bar) / 2
        on_time_height = plot_height * row.on_time / tallest
        late_height = plot_height * row.late / tallest
        base = HEIGHT - BOTTOM
        parts.append(f'<rect x="{x:.1f}" y="{base - on_time_height:.1f}" width="{bar:.1f}" height="{on_time_height:.1f}" fill="{ON_TIME}"/>')
        parts.append(f'<rect x="{x:.1f}" y="{base - on_time_height - late_height:.1f}" width="{bar:.1f}" height="{late_height:.1f}" '
                     f'fill="{LATE}" stroke="#0b0c0c" stroke-dasharray="3 2"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="12" fill="#0b0c0c">'
                     f'{row.starts.strftime("%d %b")}</text>')
    parts.append(f'<rect x="{LEFT}" y="{HEIGHT - 14}" width="12" height="12" fill="{ON_TIME}"/>'
                 f'<text x="{LEFT + 16}" y="{HEIGHT - 4}" font-size="12" fill="#0b0c0c">On time (within 24 hours)</text>'
                 f'<rect x="{LEFT + 200}" y="{HEIGHT - 14}" width="12" height="12" fill="{LATE}" stroke="#0b0c0c" stroke-dasharray="3 2"/>'
                 f'<text x="{LEFT + 216}" y="{HEIGHT - 4}" font-size="12" fill="#0b0c0c">Late (after the NCRS 24 hours)</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(rows: list[Week]) -> str:
    return "; ".join(f"week of {row.starts.strftime('%d %B')}: {row.on_time} on time, {row.late} late" for row in rows)
