"""The lean WebSocket transport (realtime/engine_ws.py): who gets it, its heartbeat, its origin check, and
the python-engineio / python-socketio internals it relies on (pinned in pyproject.toml)."""

from __future__ import annotations

import asyncio
import inspect
import json
import time

import engineio
import pytest
import socketio
import websockets
from engineio.async_socket import AsyncSocket
from engineio.base_socket import BaseSocket

from realtime.engine_ws import LeanSocket, PingTicker, is_direct_websocket
from tests.realtime.conftest import LAT, LNG, LiveServer, now_ms, socket_client


def ws_url(live: LiveServer, query: str = "EIO=4&transport=websocket") -> str:
    return live.url.replace("http", "ws", 1) + "/socket.io/?" + query


def fix() -> dict[str, object]:
    return {"coordinates": [LNG, LAT], "timestamp": now_ms(), "accuracy": 5}


async def test_a_direct_websocket_client_is_served_by_the_lean_socket(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    engine = live.services.sio.eio
    async with socket_client(live.url, token) as sio:
        assert await sio.call("location:update", fix(), timeout=5) == {"ok": True, "accepted": 1}
        assert [type(s) for s in engine.sockets.values()] == [LeanSocket]
        assert list(engine.lean_sockets) == list(engine.sockets)
    deadline = time.monotonic() + 5
    while engine.sockets or engine.lean_sockets:
        assert time.monotonic() < deadline, "the closed socket was not let go"
        await asyncio.sleep(0.05)


async def test_the_handshake_environ_is_there_for_socketio(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    sio_server = live.services.sio
    async with socket_client(live.url, token):
        [eio_sid] = sio_server.eio.sockets
        environ = sio_server.environ[eio_sid]
        assert environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/socket.io/"
        assert "transport=websocket" in environ["QUERY_STRING"]
        assert environ["HTTP_HOST"] == live.url.removeprefix("http://")
        assert dict(environ)["HTTP_UPGRADE"].lower() == "websocket"


async def test_polling_clients_stay_on_engineio_and_upgrade(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    engine = live.services.sio.eio
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(live.url, auth={"token": token}, transports=["polling", "websocket"], wait_timeout=5)
    try:
        assert [type(s) for s in engine.sockets.values()] == [AsyncSocket]
        assert engine.lean_sockets == {}
        deadline = time.monotonic() + 10
        while client.transport() != "websocket":
            assert time.monotonic() < deadline, "the client did not upgrade"
            await asyncio.sleep(0.05)
        assert await client.call("location:update", fix(), timeout=5) == {"ok": True, "accepted": 1}
    finally:
        await client.disconnect()


def test_only_a_direct_engineio_v4_websocket_is_lean() -> None:
    def scope(kind: str, query: str) -> dict[str, object]:
        return {"type": kind, "query_string": query.encode()}

    assert is_direct_websocket(scope("websocket", "EIO=4&transport=websocket"))
    assert not is_direct_websocket(scope("websocket", "EIO=4&transport=websocket&sid=abc"))  # an upgrade
    assert not is_direct_websocket(scope("websocket", "EIO=3&transport=websocket"))
    assert not is_direct_websocket(scope("http", "EIO=4&transport=websocket"))
    assert not is_direct_websocket(scope("websocket", "EIO=4&transport=polling"))


async def test_the_heartbeat_keeps_a_live_client_and_closes_a_silent_one(live: LiveServer) -> None:
    _, token = await live.add_worker("b1")
    engine = live.services.sio.eio
    # Before any socket connects: a heartbeat of 0.3 s, the pong due within 0.3 s.
    engine.ping_interval, engine.ping_timeout, engine.ping_interval_grace_period = 0.3, 0.3, 0
    engine._ticker = PingTicker(engine.lean_sockets, 0.3, 0.3)
    async with socket_client(live.url, token) as sio:
        async with websockets.connect(ws_url(live)) as silent:
            assert str(await silent.recv()).startswith("0{")
            await silent.send("40" + '{"token":"' + token + '"}')
            assert str(await silent.recv()).startswith("40{")
            assert await asyncio.wait_for(silent.recv(), 3) == "2"
            # No pong: the server closes the socket (its CLOSE packet, then the WebSocket).
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await asyncio.wait_for(silent.recv(), 3)
        # The Python client answered every ping meanwhile, and is still served.
        await asyncio.sleep(1)
        assert sio.connected
        assert (await sio.call("location:update", fix(), timeout=5))["ok"] is True


async def test_a_websocket_from_another_origin_is_refused(live: LiveServer) -> None:
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(ws_url(live), origin=websockets.Origin("http://evil.example")):
            pass
    async with websockets.connect(ws_url(live), origin=websockets.Origin(live.url)) as ws:
        assert str(await ws.recv()).startswith("0{")


async def test_the_open_packet_offers_no_upgrade_and_the_heartbeat(live: LiveServer) -> None:
    async with websockets.connect(ws_url(live)) as ws:
        opened = str(await ws.recv())
    handshake = json.loads(opened[1:])
    assert handshake["upgrades"] == []
    assert handshake["pingInterval"] == 25_000 and handshake["pingTimeout"] == 20_000
    assert handshake["maxPayload"] == live.services.sio.eio.max_http_buffer_size


# What the transport relies on in the libraries: if an upgrade changes any of it, these fail first (the
# versions themselves: tests/test_dependency_pins.py).


def test_the_lean_socket_sets_every_attribute_of_an_engineio_socket() -> None:
    engine = engineio.AsyncServer(async_mode="asgi")
    base = BaseSocket(engine, "sid")
    lean = LeanSocket(engine, "sid", send=None)  # type: ignore[arg-type]
    assert set(vars(base)) <= set(vars(lean))


def test_the_engineio_server_internals_used() -> None:
    engine = engineio.AsyncServer(async_mode="asgi")
    for name in ("start_service_task", "sockets", "handlers", "ping_interval_grace_period", "max_http_buffer_size"):
        assert hasattr(engine, name), name
    for name in ("_trigger_event", "_service_task", "_cors_allowed_origins", "_log_error_once", "generate_id"):
        assert callable(getattr(engine, name)), name
    assert list(inspect.signature(engine._trigger_event).parameters) == ["event", "args", "kwargs"]
    for reason in ("TRANSPORT_CLOSE", "PING_TIMEOUT", "CLIENT_DISCONNECT", "SERVER_DISCONNECT"):
        assert hasattr(engine.reason, reason), reason
    # The service task checks every socket with this; the lean socket answers it without closing.
    assert inspect.iscoroutinefunction(AsyncSocket.check_ping_timeout)


def test_the_socketio_server_internals_used() -> None:
    server = socketio.AsyncServer(async_mode="asgi")
    assert list(inspect.signature(server._handle_event_internal).parameters) == [
        "server",
        "sid",
        "eio_sid",
        "data",
        "namespace",
        "id",
    ]
    assert list(inspect.signature(server._send_packet).parameters) == ["eio_sid", "pkt"]
    assert list(inspect.signature(server._handle_event).parameters) == ["eio_sid", "namespace", "id", "data"]
    # The engine's message handler is what each lean frame is handed to.
    assert server.eio.handlers["message"] == server._handle_eio_message
    # socketio.ASGIApp hands every Engine.IO request to the engine's handle_request(scope, receive, send).
    assert "handle_request(scope, receive, send)" in inspect.getsource(engineio.ASGIApp.__call__)
