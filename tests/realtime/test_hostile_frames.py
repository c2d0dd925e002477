"""Hostile Socket.IO frames, written by hand over a raw WebSocket: each well-formed event with an ack id gets
an ack (VALIDATION_ERROR, never INTERNAL, never silence); a frame that is not Socket.IO closes the
connection; a transport that never connects is closed at the deadline."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from app.settings import Settings
from tests.realtime.conftest import LAT, LNG, LiveServer, now_ms, serve


def ws_url(live: LiveServer) -> str:
    return live.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"


@asynccontextmanager
async def raw_socket(live: LiveServer, token: str | None) -> AsyncIterator[ClientConnection]:
    """An Engine.IO transport, connected to the default namespace when given a token."""
    async with websockets.connect(ws_url(live)) as ws:
        assert str(await ws.recv()).startswith("0{")
        if token is not None:
            await ws.send("40" + json.dumps({"token": token}))
            assert str(await ws.recv()).startswith("40{")
        yield ws


async def ack(ws: ClientConnection, ack_id: int) -> dict[str, Any]:
    """The ack with `ack_id`, skipping Engine.IO pings."""
    while True:
        frame = str(await asyncio.wait_for(ws.recv(), 5))
        if frame.startswith(f"43{ack_id}["):
            answer: dict[str, Any] = json.loads(frame[len(f"43{ack_id}") :])[0]
            return answer
        assert frame == "2", frame


async def refused(ws: ClientConnection, ack_id: int) -> str:
    answer = await ack(ws, ack_id)
    assert answer["ok"] is False and answer["error"]["code"] == "VALIDATION_ERROR", answer
    message: str = answer["error"]["message"]
    return message


async def still_serves(ws: ClientConnection) -> None:
    fix = {"coordinates": [LNG, LAT], "timestamp": now_ms()}
    await ws.send('4299["location:update",' + json.dumps(fix) + "]")
    assert (await ack(ws, 99))["ok"] is True


async def closed(ws: ClientConnection) -> None:
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 5)


@pytest.mark.parametrize(
    "frame",
    [
        '421["location:update",{"coordinates":[1,2],',  # malformed JSON
        '421["location:update",' + "[" * 300 + "]" * 300 + "]",  # deeper than the nesting bound
        '421["location:update",{"coordinates":[-0.12,51.5],"timestamp":' + "9" * 400 + "}]",
        '421["location:update",{"coordinates":[-0.12,51.5],"timestamp":' + "9" * 5000 + "}]",
        "421",  # an ack id and no payload
        "421{}",  # an event that is not a list
        "421[]",
        "421[1,{}]",  # an event name that is not a string
        '421["' + "x" * 100 + '",{}]',
        '421["location:update",{},{}]',  # a second payload argument
    ],
)
async def test_unreadable_events_get_validation_error(live: LiveServer, frame: str) -> None:
    _, token = await live.add_worker("b1")
    async with raw_socket(live, token) as ws:
        await ws.send(frame)
        await refused(ws, 1)
        await still_serves(ws)


async def test_binary_attachment_where_json_is_expected_is_refused(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with raw_socket(live, token) as ws:
        await ws.send('451-1["location:update",{"_placeholder":true,"num":0}]')
        await ws.send(b"\x01\x02\x03")
        assert "binary" in await refused(ws, 1)
        await still_serves(ws)


async def test_reserved_event_names_are_not_the_connect_handler(live: LiveServer) -> None:
    worker_id, token = await live.add_worker("b1")
    _, other = await live.add_worker("b2")
    async with raw_socket(live, token) as ws:
        # Routed by name, these reached the connect and disconnect handlers: a second token, or an
        # ended session on a live socket.
        await ws.send('421["connect",{},' + json.dumps({"token": other}) + "]")
        await refused(ws, 1)
        await ws.send('422["disconnect","client"]')
        await refused(ws, 2)
        await ws.send('423["worker:status",{"online":true}]')
        assert (await ack(ws, 3))["workerId"] == worker_id


@pytest.mark.parametrize(
    "frame",
    [
        "4hello",  # a message that is not a Socket.IO packet
        "4",  # an empty one
        "49[]",  # an unknown packet type
        '42/admin,1["location:update",{}]',  # a namespace the connection never joined
        '4512345-["location:update",{}]',  # more attachments than any event has
        '431["late"]',  # an ack for nothing the server asked
    ],
)
async def test_frames_that_are_not_socket_io_close_the_connection(live: LiveServer, frame: str) -> None:
    _, token = await live.add_worker("b1")
    async with raw_socket(live, token) as ws:
        await ws.send(frame)
        if frame.startswith("431"):
            # Acks for unknown ids are ignored by the protocol; the connection goes on.
            await still_serves(ws)
        else:
            await closed(ws)


async def test_a_binary_frame_with_no_binary_packet_closes_the_connection(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    async with raw_socket(live, token) as ws:
        await ws.send(b"\x00" * 64)
        await closed(ws)


async def test_an_event_before_connecting_closes_the_connection(live: LiveServer) -> None:
    async with raw_socket(live, None) as ws:
        await ws.send('421["location:update",{}]')
        await closed(ws)


async def test_a_transport_that_never_connects_is_closed_at_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.composition.CONNECT_DEADLINE_S", 0.5)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    async with serve(settings) as live:
        _, token = await live.add_worker("b1")
        async with raw_socket(live, None) as idle:
            await closed(idle)
        # A connected socket outlives the deadline.
        async with raw_socket(live, token) as ws:
            await asyncio.sleep(1)
            await still_serves(ws)


async def test_a_closed_socket_is_let_go_at_once(live: LiveServer) -> None:
    # Engine.IO's ping task held every closed socket for the 25 s ping interval: under churn, every socket
    # of the last 25 s stayed resident.
    _, token = await live.add_worker("b1")
    for _ in range(5):
        async with raw_socket(live, token) as ws:
            await still_serves(ws)
    await asyncio.sleep(0.5)
    pings = [getattr(task.get_coro(), "__qualname__", "") for task in asyncio.all_tasks()]
    holding = [name for name in pings if name == "AsyncSocket._send_ping"]
    assert holding == []
