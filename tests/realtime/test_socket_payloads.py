"""Socket payloads: unknown fields and unbounded or null values are refused with VALIDATION_ERROR naming the
field, for every client event."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.users import Role
from tests.realtime.conftest import LAT, LNG, LiveServer, now_ms, socket_client


def fix(**extra: Any) -> dict[str, Any]:
    return {"coordinates": [LNG, LAT], "timestamp": now_ms(), **extra}


def refusal(ack: dict[str, Any]) -> dict[str, Any]:
    assert ack["ok"] is False and ack["error"]["code"] == "VALIDATION_ERROR", ack
    error: dict[str, Any] = ack["error"]
    return error


def fields(error: dict[str, Any]) -> set[str]:
    return {detail["field"] for detail in error.get("details", [])}


@pytest.mark.parametrize(
    ("event", "payload", "field"),
    [
        ("location:update", fix(bookinId="b1"), "bookinId"),
        ("location:batch", {"points": [fix()], "compressed": True}, "compressed"),
        ("location:batch", {"points": [fix(altitude=12.5)]}, "points.0.altitude"),
        ("worker:status", {"online": True, "busy": False}, "busy"),
        ("dispatch:accept", {"offerId": "o1", "price": 1}, "price"),
        ("dispatch:decline", {"offerId": "o1", "reason": "x"}, "reason"),
        ("tracking:subscribe", {"bookingId": "b1", "follow": True}, "follow"),
        ("tracking:unsubscribe", {"bookingId": "b1", "all": True}, "all"),
        ("fleet:subscribe", {"businessId": "b1", "x": 1}, "x"),
        ("fleet:unsubscribe", {"businessId": "b1", "x": 1}, "x"),
    ],
)
async def test_unknown_fields_are_refused_by_name(live: LiveServer, event: str, payload: object, field: str) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        error = refusal(await sio.call(event, payload, timeout=5))
        assert field in fields(error), error


async def test_worker_status_refuses_null(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        assert fields(refusal(await sio.call("worker:status", {"online": None}, timeout=5))) == {"online"}
        error = refusal(await sio.call("worker:status", {"online": True, "available": None}, timeout=5))
        assert fields(error) == {"available"}
        assert (await sio.call("worker:status", {"online": True}, timeout=5))["ok"] is True


@pytest.mark.parametrize("event", ["tracking:subscribe", "tracking:unsubscribe"])
async def test_a_60_kb_booking_id_is_refused(live: LiveServer, event: str) -> None:
    token = live.token(Role.OWNER)
    async with socket_client(live.url, token) as sio:
        error = refusal(await sio.call(event, {"bookingId": "b" * 60_000}, timeout=5))
        assert fields(error) == {"bookingId"}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"accuracy": 10_000.5}, "accuracy"),
        ({"accuracy": 1e300}, "accuracy"),
        ({"accuracy": -1}, "accuracy"),
        ({"speed": 100.5}, "speed"),
        ({"speed": 1e300}, "speed"),
        ({"heading": 360.5}, "heading"),
        ({"heading": -0.5}, "heading"),
    ],
)
async def test_fix_floats_beyond_what_a_phone_reports_are_refused(
    live: LiveServer, extra: dict[str, float], field: str
) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        assert fields(refusal(await sio.call("location:update", fix(**extra), timeout=5))) == {field}
        error = refusal(await sio.call("location:batch", {"points": [fix(**extra)]}, timeout=5))
        assert fields(error) == {f"points.0.{field}"}


async def test_fix_floats_at_their_bounds_are_taken(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ack = await sio.call("location:update", fix(accuracy=5, speed=100, heading=360), timeout=5)
        assert ack == {"ok": True, "accepted": 1}, ack
        # Within what a phone reports but too coarse to use: a batch skips it instead of refusing the batch.
        coarse = {"points": [fix(timestamp=now_ms() + 1, accuracy=10_000, speed=0, heading=0)]}
        assert await sio.call("location:batch", coarse, timeout=5) == {"ok": True, "accepted": 0}
