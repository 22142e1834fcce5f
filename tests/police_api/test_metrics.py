"""/metrics on the police service (issue 15): NCRS clocks near their deadline, unacknowledged PPU
notifications, and no personal data in any label."""
from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.police_api.conftest import Submit, report_payload, reported_person
from tests.shared.metrics_scan import personal_label_values, scrape, value_of


async def test_an_undecided_report_and_its_unacknowledged_ppu_notifications_are_exposed(
    police: httpx.AsyncClient, submit: Submit, officer: Callable[..., dict[str, str]]
) -> None:
    before = await scrape(police)
    child = reported_person(["pictured", "sender"], given_name="Gaugeford", family_name="Scrapeley")
    receipt = await submit(report_payload([child, reported_person(["recipient"])]))
    after = await scrape(police)

    # The report was received "now": its 24-hour NCRS clock runs, more than 6 hours from its end.
    assert value_of(after, "police_ncrs_undecided_reports", clock="due_later") == (
        value_of(before, "police_ncrs_undecided_reports", clock="due_later") + 1
    )
    # P-PPU: both children notified, neither acknowledged yet.
    assert value_of(after, "police_ppu_notifications_unacknowledged") == (
        value_of(before, "police_ppu_notifications_unacknowledged") + 2
    )
    incident = await police.get(f"/incidents/{receipt['police_incident_id']}", headers=officer("supervisor"))
    assert incident.status_code == 200
    samples = await scrape(police)
    assert value_of(samples, "http_requests_total", method="GET", route="/incidents/{incident_id}", status="200") >= 1
    assert personal_label_values(samples, ["Gaugeford", "Scrapeley", receipt["police_reference"]]) == []
