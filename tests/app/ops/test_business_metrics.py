"""/metrics measures the objectives: business gauges read at scrape time, and the fix fan-out histogram."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from app.composition import Services
from app.metrics import FastHistogram
from app.ops import business_metrics
from app.store.schema import BOOKINGS, OUTBOX, PAYMENTS
from tests.app.marketplace import business_account
from tests.realtime.conftest import LAT, LNG, add_worker


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_business_gauges_are_read_when_scraped(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    bookings, payments = services.store.backend.collection(BOOKINGS), services.store.backend.collection(PAYMENTS)
    for n, status in enumerate(["pending", "in_progress", "in_progress", "completed"]):
        await bookings.insert({"id": f"b{n}", "status": status, "bookingNumber": f"N{n}"})
    for n, status in enumerate(["succeeded", "failed", "succeeded"]):
        await payments.insert({"id": f"p{n}", "status": status, "bookingId": f"b{n}", "intentId": f"i{n}"})
    outbox = services.store.backend.collection(OUTBOX)
    for n, status in enumerate(["pending", "pending", "sent", "failed"]):
        await outbox.insert({"id": f"o{n}", "status": status})
    _, business_id = await business_account(client, "biz@example.com")
    worker_id, token = await add_worker(services, business_id)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post(f"/v1/workers/{worker_id}/online", headers=headers)).status_code == 200
    fix = await client.put(f"/v1/workers/{worker_id}/location", json={"coordinates": [LNG, LAT]}, headers=headers)
    assert fix.status_code == 200, fix.text

    figures = await scrape(client)
    assert figures[("walky_workers_online", ())] == 1
    assert figures[("walky_active_walks", ())] == 2
    assert figures[("walky_bookings", (("status", "in_progress"),))] == 2
    assert figures[("walky_bookings", (("status", "cancelled"),))] == 0
    assert figures[("walky_payments", (("status", "succeeded"),))] == 2
    assert figures[("walky_payments", (("status", "failed"),))] == 1
    assert figures[("walky_outbox_backlog", ())] == 2
    assert figures[("walky_fix_fanout_seconds_count", ())] == 1

    # Within the refresh interval a scrape costs no queries; past it, the figures move.
    await bookings.insert({"id": "b9", "status": "cancelled", "bookingNumber": "N9"})
    assert (await scrape(client))[("walky_bookings", (("status", "cancelled"),))] == 0
    monkeypatch.setattr(business_metrics, "REFRESH_S", 0.0)
    assert (await scrape(client))[("walky_bookings", (("status", "cancelled"),))] == 1


def test_fast_histogram_buckets_are_cumulative_and_inclusive() -> None:
    registry = CollectorRegistry()
    histogram = FastHistogram("t_seconds", "test", buckets=(0.1, 0.25), registry=registry)
    for value in (0.05, 0.1, 0.2, 0.3):
        histogram.observe(value)
    buckets = {
        sample.labels["le"]: sample.value
        for sample in next(iter(registry.collect())).samples
        if sample.name == "t_seconds_bucket"
    }
    assert buckets == {"0.1": 2, "0.25": 3, "+Inf": 4}
    assert registry.get_sample_value("t_seconds_count") == 4
    assert registry.get_sample_value("t_seconds_sum") == pytest.approx(0.65)
