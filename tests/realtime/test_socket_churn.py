"""A closed socket is freed by reference counting, at once: none of it is left as cyclic garbage for a full
collection, which under connect/disconnect churn comes rarely (app/__main__.py raises the thresholds) and
frees it too late to keep resident memory flat (scripts/bench/bench_hostile.py)."""

from __future__ import annotations

import asyncio
import gc
import time

import socketio
from engineio.async_socket import AsyncSocket

from tests.realtime.conftest import LiveServer, socket_client

CYCLES = 5


def engine_sockets() -> list[AsyncSocket]:
    # Engine.IO's own sockets (long-polling, upgraded) and the lean transport's (realtime/engine_ws.py).
    return [obj for obj in gc.get_objects() if isinstance(obj, AsyncSocket)]


def held_by_the_connection(obj: object) -> bool:
    return isinstance(obj, AsyncSocket) or type(obj).__module__.startswith("uvicorn.protocols.websockets")


def cyclic_garbage_sockets() -> int:
    """Engine.IO sockets and uvicorn WebSocket protocols a collection would find unreachable (kept in
    gc.garbage to be counted)."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(1 for obj in gc.garbage if held_by_the_connection(obj))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def all_closed(earlier: list[AsyncSocket]) -> None:
    """Every socket opened since `earlier` was listed is closed.

    Sockets of other tests run in this process before (kept alive by `earlier`, so their ids stay
    theirs) are not this test's to judge: one an earlier test's server left open would fail it."""
    known = {id(socket) for socket in earlier}
    # The server sees each close a moment after the client.
    deadline = time.monotonic() + 10
    while not all(socket.closed for socket in engine_sockets() if id(socket) not in known):
        assert time.monotonic() < deadline, "the server did not close its sockets"
        await asyncio.sleep(0.05)


async def test_closed_sockets_are_not_left_to_the_garbage_collector(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    gc.collect()
    earlier = engine_sockets()
    gc.disable()
    try:
        for _ in range(CYCLES):
            async with socket_client(live.url, token):
                pass
        await all_closed(earlier)
        assert cyclic_garbage_sockets() == 0
    finally:
        gc.enable()


async def test_a_client_upgrading_from_polling_still_works_and_is_freed(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    gc.collect()
    earlier = engine_sockets()
    gc.disable()
    try:
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(live.url, auth={"token": token}, transports=["polling", "websocket"], wait_timeout=5)
        try:
            deadline = time.monotonic() + 10
            while client.transport() != "websocket":
                assert time.monotonic() < deadline, "the client did not upgrade"
                await asyncio.sleep(0.05)
            assert (await client.call("worker:status", {"online": True}, timeout=5))["ok"] is True
        finally:
            await client.disconnect()
        await all_closed(earlier)
        assert cyclic_garbage_sockets() == 0
    finally:
        gc.enable()
