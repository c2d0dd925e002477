"""Socket.IO events end to end: a real uvicorn server and python-socketio clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import socketio
import websockets
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.principal import Principal
from app.domain.users import Role
from app.settings import Settings
from tests.realtime.conftest import LAT, LNG, LiveServer, now_ms, serve, socket_client
from tests.support.redis_server import redis_server


def fix(ts: int | None = None, lng: float = LNG, lat: float = LAT, **extra: Any) -> dict[str, Any]:
    return {"coordinates": [lng, lat], "timestamp": ts or now_ms(), **extra}


def error_code(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    code: str = ack["error"]["code"]
    assert ack["error"]["message"]
    return code


async def test_bad_token_is_refused_with_unauthorized(live: LiveServer) -> None:
    expired = live.services.access_tokens.issue(
        Principal("u1", Role.WORKER, "b1", "w1"), live.services.clock.now() - timedelta(hours=1)
    )
    for auth in ({"token": ""}, {"token": None}, {"token": 42}, {"token": "not-a-jwt"}, {"token": expired}, "tok"):
        client = socketio.AsyncClient(reconnection=False)
        errors: list[object] = []
        client.on("connect_error", errors.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(live.url, auth=auth, transports=["websocket"], wait_timeout=5)
        assert errors == [{"message": "unauthorized"}], auth


async def test_location_update_is_acknowledged_and_indexed(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ts = now_ms()
        assert await sio.call("location:update", fix(ts, accuracy=4.5, speed=1.2, heading=90), timeout=5) == {
            "ok": True,
            "accepted": 1,
        }
        # The same fix again is a duplicate; an older one never moves the worker back.
        assert await sio.call("location:update", fix(ts, accuracy=4.5), timeout=5) == {"ok": True, "accepted": 0}
        assert await sio.call("location:update", fix(ts - 5000, lng=LNG + 0.0001), timeout=5) == {
            "ok": True,
            "accepted": 0,
        }
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and state.last_fix is not None
    assert state.last_fix.timestamp_ms == ts and state.last_fix.accuracy_m == 4.5
    assert state.business_id == "b1"


async def test_outlier_is_acked_but_not_accepted(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ts = now_ms() - 10_000
        assert (await sio.call("location:update", fix(ts), timeout=5))["accepted"] == 1
        # ~1.1 km in 1 s.
        jump = fix(ts + 1000, lat=LAT + 0.01)
        assert await sio.call("location:update", jump, timeout=5) == {"ok": True, "accepted": 0}
        walk = fix(ts + 2000, lat=LAT + 0.00001)
        assert await sio.call("location:update", walk, timeout=5) == {"ok": True, "accepted": 1}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"coordinates": [float("nan"), LAT], "timestamp": 1}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, 91], "timestamp": 1}, "VALIDATION_ERROR"),
        ({"coordinates": [181, LAT], "timestamp": 1}, "VALIDATION_ERROR"),
        ({"coordinates": ["0", "0"], "timestamp": 1}, "VALIDATION_ERROR"),
        ({"coordinates": {"$gt": ""}, "timestamp": 1}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, LAT], "timestamp": {"$gt": 0}}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, LAT], "timestamp": True}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, LAT], "timestamp": "1714552200000"}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, LAT]}, "VALIDATION_ERROR"),
        ({"coordinates": [LNG, LAT], "timestamp": 10**30}, "VALIDATION_ERROR"),
        ([1, 2, 3], "VALIDATION_ERROR"),
        ("location", "VALIDATION_ERROR"),
        (None, "VALIDATION_ERROR"),
    ],
)
async def test_malformed_updates_get_validation_error(live: LiveServer, payload: object, code: str) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        assert error_code(await sio.call("location:update", payload, timeout=5)) == code


async def test_unusable_single_fixes_are_validation_errors(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        for payload in (
            fix(accuracy=150.0),
            fix(now_ms() + 60_000),
            fix(now_ms() - 25 * 3600 * 1000),
            fix(accuracy=float("inf")),
            fix(heading=400),
        ):
            ack = await sio.call("location:update", payload, timeout=5)
            assert error_code(ack) == "VALIDATION_ERROR", payload
        # Still alive and well after all that.
        assert (await sio.call("location:update", fix(), timeout=5))["accepted"] == 1


async def test_batch_counts_accepted_points(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    start = now_ms() - 60_000
    points = [fix(start + i * 1000, lat=LAT + i * 0.00001) for i in range(10)]
    points[3]["accuracy"] = 500.0  # too inaccurate: not accepted, not an error
    points[5] = dict(points[4])  # duplicate
    points.append(fix(start - 48 * 3600 * 1000))  # too old
    async with socket_client(live.url, token) as sio:
        assert await sio.call("location:batch", {"points": points}, timeout=5) == {"ok": True, "accepted": 8}
        assert error_code(await sio.call("location:batch", {"points": []}, timeout=5)) == "VALIDATION_ERROR"
        assert error_code(await sio.call("location:batch", {"points": "x"}, timeout=5)) == "VALIDATION_ERROR"
        bad = [fix(start), {"coordinates": [LNG, float("nan")], "timestamp": start}]
        assert error_code(await sio.call("location:batch", {"points": bad}, timeout=5)) == "VALIDATION_ERROR"
        too_many = [{"coordinates": [0, 0], "timestamp": i} for i in range(501)]
        assert error_code(await sio.call("location:batch", {"points": too_many}, timeout=5)) == "VALIDATION_ERROR"
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and state.last_fix is not None
    assert state.last_fix.timestamp_ms == start + 9000


async def test_full_batch_of_500_fits(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    start = now_ms() - 600_000
    points = [fix(start + i * 1000, lat=LAT + i * 0.00001, accuracy=5.0, speed=1.1, heading=12.5) for i in range(500)]
    async with socket_client(live.url, token) as sio:
        assert await sio.call("location:batch", {"points": points}, timeout=10) == {"ok": True, "accepted": 500}


async def test_oversized_payload_is_refused(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ack = await sio.call("location:update", {**fix(), "padding": "x" * 70_000}, timeout=5)
        assert error_code(ack) == "PAYLOAD_TOO_LARGE"
        assert (await sio.call("location:update", fix(), timeout=5))["accepted"] == 1


async def test_packet_beyond_the_engineio_limit_drops_the_connection(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        with pytest.raises(socketio.exceptions.TimeoutError):
            await sio.call("location:update", {"padding": "x" * 400_000}, timeout=1)
        for _ in range(50):
            if not sio.connected:
                break
            await asyncio.sleep(0.05)
        assert not sio.connected


async def test_only_workers_send_fixes_and_only_their_own(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ack = await sio.call("location:update", fix(workerId="someone-else"), timeout=5)
        assert error_code(ack) == "FORBIDDEN"
        ack = await sio.call("location:batch", {"points": [fix(workerId="someone-else")]}, timeout=5)
        assert error_code(ack) == "FORBIDDEN"
        assert (await sio.call("location:update", fix(workerId=worker_id), timeout=5))["accepted"] == 1
    for role, business in ((Role.OWNER, None), (Role.BUSINESS, "b1"), (Role.ADMIN, None)):
        async with socket_client(live.url, live.token(role, business_id=business)) as sio:
            assert error_code(await sio.call("location:update", fix(), timeout=5)) == "FORBIDDEN"
            assert error_code(await sio.call("location:batch", {"points": [fix()]}, timeout=5)) == "FORBIDDEN"
            assert error_code(await sio.call("worker:status", {"online": True}, timeout=5)) == "FORBIDDEN"


async def test_events_without_ack_and_unknown_events_do_not_crash(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        await sio.emit("location:update", fix())
        await sio.emit("location:update", "garbage")
        await sio.emit("no:such:event", {"x": 1})
        ack = await sio.call("no:such:event", {"x": 1}, timeout=5)
        assert error_code(ack) == "NOT_FOUND"
        assert (await sio.call("worker:status", {"online": True}, timeout=5))["ok"] is True
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and state.last_fix is not None


async def test_socket_rate_limit(live: LiveServer) -> None:
    live.services.settings.location_rate_limit = "3/minute"
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        start = now_ms() - 10_000
        acks = [await sio.call("location:update", fix(start + i * 1000), timeout=5) for i in range(3)]
        assert all(ack["ok"] for ack in acks)
        assert error_code(await sio.call("location:batch", {"points": [fix()]}, timeout=5)) == "RATE_LIMITED"
    # The limit is per socket: a new connection has its own budget.
    async with socket_client(live.url, token) as sio:
        assert (await sio.call("location:update", fix(), timeout=5))["ok"] is True


async def test_worker_status_sets_presence(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ack = await sio.call("worker:status", {"online": True}, timeout=5)
        assert ack == {"ok": True, "workerId": worker_id, "online": True, "available": True, "lastSeenAt": None}
        ack = await sio.call("worker:status", {"available": False}, timeout=5)
        assert ack["online"] is True and ack["available"] is False
        bad: object
        for bad in ({}, {"online": "yes"}, {"online": 1}, {"available": None}, [], "on"):
            assert error_code(await sio.call("worker:status", bad, timeout=5)) == "VALIDATION_ERROR", bad
        ack = await sio.call("worker:status", {"online": False}, timeout=5)
        assert ack["online"] is False and ack["available"] is False
    stored = await live.services.store.workers.get(worker_id)
    assert stored is not None and stored.online is False


async def test_fleet_subscribers_receive_their_workers_fixes(live: LiveServer) -> None:
    worker_id, worker_token = await live.add_worker("b1")
    other_id, other_token = await live.add_worker("b2")
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with (
        socket_client(live.url, live.token(Role.BUSINESS, business_id="b1")) as dispatcher,
        socket_client(live.url, worker_token) as worker,
        socket_client(live.url, other_token) as other,
    ):
        dispatcher.on("fleet:location", received.put)
        await worker.call("worker:status", {"online": True}, timeout=5)
        ack = await dispatcher.call("fleet:subscribe", {"businessId": "b1"}, timeout=5)
        assert ack["ok"] is True and ack["businessId"] == "b1"
        assert [(w["workerId"], w["online"], w["coordinates"]) for w in ack["workers"]] == [(worker_id, True, None)]
        ts = now_ms()
        await other.call("location:update", fix(ts), timeout=5)
        await worker.call("location:update", fix(ts, lng=LNG + 0.001), timeout=5)
        message = await asyncio.wait_for(received.get(), 5)
        assert message == {"workerId": worker_id, "coordinates": [LNG + 0.001, LAT], "timestamp": ts, "available": True}
        # Not accepted, not broadcast; and the other business's worker never shows up.
        await worker.call("location:update", fix(ts, lng=LNG + 0.001), timeout=5)
        assert (await dispatcher.call("fleet:unsubscribe", {"businessId": "b1"}, timeout=5))["ok"] is True
        await worker.call("location:update", fix(ts + 1000, lng=LNG + 0.00101), timeout=5)
        await asyncio.sleep(0.3)
        assert received.empty()
    assert other_id != worker_id


async def test_fleet_subscription_is_for_that_business_or_admins(live: LiveServer) -> None:
    _, worker_token = await live.add_worker("b1")
    for token in (
        live.token(Role.BUSINESS, business_id="b2"),
        live.token(Role.OWNER),
        worker_token,
    ):
        async with socket_client(live.url, token) as sio:
            assert error_code(await sio.call("fleet:subscribe", {"businessId": "b1"}, timeout=5)) == "FORBIDDEN"
    async with socket_client(live.url, live.token(Role.ADMIN)) as admin:
        assert (await admin.call("fleet:subscribe", {"businessId": "b1"}, timeout=5))["ok"] is True
        for bad in ({"businessId": {"$ne": None}}, {"businessId": ""}, {}, {"businessId": "a/b"}):
            assert error_code(await admin.call("fleet:subscribe", bad, timeout=5)) == "VALIDATION_ERROR"


async def test_last_disconnect_takes_the_worker_offline_after_the_grace_period(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as first, socket_client(live.url, token):
        await first.call("worker:status", {"online": True}, timeout=5)
    # Both sockets closed; the grace period (1 s in these tests) has not passed yet.
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and state.online
    await asyncio.sleep(1.5)
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and not state.online and not state.available


async def test_reconnecting_within_the_grace_period_keeps_the_worker_online(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        await sio.call("worker:status", {"online": True}, timeout=5)
    await asyncio.sleep(0.3)
    async with socket_client(live.url, token):
        await asyncio.sleep(1.5)
        state = await live.services.live_index.worker(worker_id)
        assert state is not None and state.online


async def test_redis_mode_end_to_end(live_redis: LiveServer) -> None:
    worker_id, token = await live_redis.add_worker("b1")
    async with socket_client(live_redis.url, token) as sio:
        await sio.call("worker:status", {"online": True}, timeout=5)
        assert (await sio.call("location:update", fix(), timeout=5))["accepted"] == 1
    redis = live_redis.services.redis
    assert redis is not None
    assert await redis.zscore("walky:live:geo", worker_id) is not None
    assert await redis.hget(f"walky:live:w:{worker_id}", "on") == b"1"  # type: ignore[misc]


async def test_pathologically_nested_payload_does_not_take_the_server_down(live: LiveServer) -> None:
    # Raw Engine.IO frames: no client library would encode 100k nested arrays.
    _, token = await live.add_worker("b1")
    url = live.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url) as ws:
        assert str(await ws.recv()).startswith("0{")
        await ws.send("40" + json.dumps({"token": token}))
        assert str(await ws.recv()).startswith("40{")
        depth = 100_000
        await ws.send('421["location:update",' + "[" * depth + "]" * depth + "]")
        await ws.send('422["location:update",' + json.dumps(fix()) + "]")
        refused = json.loads(str(await asyncio.wait_for(ws.recv(), 5))[3:])
        assert str(refused[0]["error"]["code"]) == "VALIDATION_ERROR"
        assert await asyncio.wait_for(ws.recv(), 5) == '432[{"ok":true,"accepted":1}]'


async def test_fixes_answer_unavailable_while_redis_is_down(tmp_path: Path) -> None:
    with redis_server() as redis_url:
        settings = Settings(data_dir=tmp_path / "data", redis_url=redis_url, presence_grace_s=1, _env_file=None)
        async with serve(settings) as server:
            _, token = await server.add_worker("b1")
            async with socket_client(server.url, token) as sio:
                assert (await sio.call("location:update", fix(), timeout=5))["accepted"] == 1
                admin = Redis.from_url(redis_url)
                with contextlib.suppress(RedisError):
                    await admin.shutdown(nosave=True)
                await admin.aclose()
                ack = await sio.call("location:update", fix(now_ms() + 1000, lat=LAT + 0.0001), timeout=5)
                assert error_code(ack) == "UNAVAILABLE"
