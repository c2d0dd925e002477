"""The library internals the code relies on that no behaviour test pins on its own (docs/reliance.md lists
every one and the test that pins it). Each test here fails if a name disappears or stops doing what the
code needs of it."""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import engineio
import pytest
import socketio
from engineio.async_drivers import asgi as eio_asgi
from engineio.async_socket import AsyncSocket
from socketio.base_server import BaseServer
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from realtime import engine_asgi, packet_json
from realtime.engine_ws import LeanSocket
from realtime.redis_manager import BATCH, BatchingRedisManager
from realtime.socket_server import SocketApp, WalkySocketServer, _Engine
from realtime.ws_protocol import LeanWebSocketProtocol

# python-engineio


def test_the_engine_takes_its_asgi_pieces_from_its_driver_table() -> None:
    library = engineio.AsyncServer(async_mode="asgi")
    assert vars(library)["_async"] is eio_asgi._async
    # Where the engine and its sockets read them: a request's environ, an upgrade's WebSocket.
    assert "self._async['translate_request']" in inspect.getsource(engineio.AsyncServer.handle_request)
    assert "self.server._async['websocket']" in inspect.getsource(AsyncSocket._upgrade_websocket)
    engine = WalkySocketServer(connect_deadline_s=1, async_mode="asgi").eio
    assert isinstance(engine, _Engine)
    assert engine._async["translate_request"] is engine_asgi.translate_request
    assert engine._async["websocket"] is engine_asgi.WebSocket
    assert engine._async["make_response"] is eio_asgi._async["make_response"]
    # The library's table (module-level, shared by every engine) is left as it was.
    assert eio_asgi._async["translate_request"] is eio_asgi.translate_request
    assert eio_asgi._async["websocket"] is eio_asgi.WebSocket


def receiver(events: list[dict[str, Any]]) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def receive() -> dict[str, Any]:
        return events.pop(0)

    return receive


async def test_the_environ_and_the_body_are_those_of_the_librarys_translate_request() -> None:
    scope = {
        "type": "http",
        "path": "/socket.io/",
        "query_string": b"EIO=4&transport=polling&sid=abc",
        "method": "POST",
        "headers": [
            (b"content-type", b"text/plain;charset=UTF-8"),
            (b"content-length", b"4"),
            (b"x-twice", b"1"),
            (b"x-twice", b"2"),
            (b"x-forwarded-proto", b"https"),
            (b"x-\xff", b"not utf-8"),
        ],
    }

    def body() -> list[dict[str, Any]]:
        return [
            {"type": "http.request", "body": b"ab", "more_body": True},
            {"type": "http.request", "body": b"cd", "more_body": False},
        ]

    ours = await engine_asgi.translate_request(scope, receiver(body()), None)
    theirs = await eio_asgi.translate_request(scope, receiver(body()), None)
    private = ("wsgi.input", "asgi.receive")
    assert {k: v for k, v in ours.items() if k not in private} == {k: v for k, v in theirs.items() if k not in private}
    assert await ours["wsgi.input"].read(3) == await theirs["wsgi.input"].read(3) == b"abc"
    assert await ours["wsgi.input"].read() == await theirs["wsgi.input"].read() == b"d"
    assert await engine_asgi.translate_request(scope, receiver([{"type": "http.disconnect"}]), None) == {}


async def test_a_closed_websocket_reads_as_none_which_ends_the_engines_read_loop() -> None:
    ws = engine_asgi.WebSocket(None, None)
    ws.asgi_receive = receiver(
        [
            {"type": "websocket.receive", "text": "4hello"},
            {"type": "websocket.receive", "bytes": b"\x01"},
            {"type": "websocket.disconnect", "code": 1000},
        ]
    )
    assert [await ws.wait() for _ in range(3)] == ["4hello", b"\x01", None]
    # The library's socket reads None from `wait` as "connection closed by client"; its own `wait` raises
    # OSError there instead, which its read loop catches while the exception's traceback holds the frame.
    handler = inspect.getsource(AsyncSocket._websocket_handler)
    assert "if p is None:" in handler
    assert "asgi_receive" in inspect.getsource(eio_asgi.WebSocket.__call__)


async def test_the_only_task_the_engine_starts_for_a_socket_is_its_next_ping() -> None:
    engine = _Engine(async_mode="asgi")
    socket = AsyncSocket(engine, "s1")
    socket.last_ping = time.time()  # the previous ping answered: schedule_ping schedules the next
    socket.schedule_ping()
    task = engine.pings["s1"]
    assert getattr(task.get_coro(), "__qualname__", "") == "AsyncSocket._send_ping"
    assert re.findall(r"start_background_task\(([^)]*)\)", inspect.getsource(AsyncSocket)) == ["self._send_ping"]
    engine.cancel_ping("s1")
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and engine.pings == {}


async def test_a_none_queued_to_a_socket_ends_its_long_poll_and_its_websocket_writer() -> None:
    # What WalkySocketServer._drop queues to end an Engine.IO transport a hostile peer keeps open.
    socket = AsyncSocket(engineio.AsyncServer(async_mode="asgi"), "s1")
    await socket.queue.put(None)
    assert await socket.poll() == []
    assert "if not packets:" in inspect.getsource(AsyncSocket._websocket_handler)


# python-socketio


def test_the_engine_calls_the_socketio_hooks_the_server_overrides() -> None:
    server = WalkySocketServer(connect_deadline_s=1, async_mode="asgi", serializer=packet_json.Packet)
    assert server.eio.handlers["connect"] == server._handle_eio_connect
    assert server.eio.handlers["message"] == server._handle_eio_message
    assert server.eio.handlers["disconnect"] == server._handle_eio_disconnect
    parameters = {
        "_handle_eio_connect": ["eio_sid", "environ"],
        "_handle_eio_message": ["eio_sid", "data"],
        "_handle_eio_disconnect": ["eio_sid", "reason"],
    }
    for name, expected in parameters.items():
        assert list(inspect.signature(getattr(socketio.AsyncServer, name)).parameters)[1:] == expected, name
    # A binary packet waiting for its attachments, per Engine.IO socket (the plain-event path leaves those).
    assert server._binary_packet == {}
    assert "self._binary_packet[eio_sid] = pkt" in inspect.getsource(socketio.AsyncServer._handle_eio_message)
    # Handlers by namespace, then event name (the plain-event path looks them up so).
    handler = object()
    server.on("walky:probe", handler)
    assert server.handlers["/"]["walky:probe"] is handler
    assert server.packet_class is packet_json.Packet


def test_the_socket_app_matches_the_socketio_path_as_the_library_does() -> None:
    sio = socketio.AsyncServer(async_mode="asgi")
    other = object()
    app = SocketApp(sio, other_asgi_app=other, socketio_path="socket.io")
    assert app.engineio_server is sio and app.other_asgi_app is other
    assert app.engineio_path == "/socket.io/"
    assert app._ensure_trailing_slash("/socket.io") == "/socket.io/"
    assert "self._ensure_trailing_slash(scope['path']).startswith(" in inspect.getsource(engineio.ASGIApp.__call__)


def test_the_reserved_event_names_are_connect_and_disconnect() -> None:
    assert set(BaseServer.reserved_events) == {"connect", "disconnect"}
    assert frozenset(BaseServer.reserved_events) == packet_json._RESERVED


async def test_a_burst_of_emits_travels_as_one_batch_and_arrives_as_the_libraries_messages(redis_url: str) -> None:
    received: list[dict[str, Any]] = []

    class Receiving(BatchingRedisManager):
        async def _handle_emit(self, message: dict[str, Any]) -> None:
            received.append(message)

    sender = BatchingRedisManager(redis_url, channel="t:reliance")
    published: list[Any] = []
    publish_one = sender._publish_one

    async def counted(data: Any) -> None:
        published.append(data)
        await publish_one(data)

    sender._publish_one = counted  # type: ignore[method-assign]
    listener = Receiving(redis_url, channel="t:reliance")
    server = socketio.AsyncServer(async_mode="asgi", client_manager=listener, serializer=packet_json.Packet)
    # The server hands its packet class's codec to its manager, which decodes what Redis carries with it.
    assert listener.json is packet_json
    listener.initialize()
    try:
        deadline = time.monotonic() + 5
        while listener.listening is not True:
            assert time.monotonic() < deadline, "the listener did not subscribe"
            await asyncio.sleep(0.02)
        messages = [{"method": "emit", "host_id": "another-process", "event": "e", "n": n} for n in range(5)]
        await asyncio.gather(*(sender._publish(message) for message in messages))
        assert [(p["method"], len(p["messages"])) for p in published] == [(BATCH, 5)]
        while len(received) < 5:
            assert time.monotonic() < deadline, f"received {received}"
            await asyncio.sleep(0.02)
        assert received == messages
        assert server.manager is listener
    finally:
        listener.thread.cancel()
        await asyncio.gather(listener.thread, return_exceptions=True)
        for manager in (listener, sender):
            if manager.redis is not None:
                await manager.redis.aclose()


# Our subclasses override exactly these names of their library classes; any other name they share with
# the library (a method or attribute a new version adds under a name of ours) fails below.
OVERRIDES: list[tuple[type[Any], type[Any], set[str]]] = [
    (
        WalkySocketServer,
        socketio.AsyncServer,
        {
            "__init__",
            "_engineio_server_class",
            "_handle_eio_connect",
            "_handle_eio_message",
            "_handle_event",
            "_send_packet",
            "_handle_eio_disconnect",
        },
    ),
    (
        _Engine,
        engineio.AsyncServer,
        {"__init__", "_async", "handle_request", "shutdown", "start_background_task"},
    ),
    (SocketApp, socketio.ASGIApp, {"__call__"}),
    (
        LeanSocket,
        AsyncSocket,
        {
            "__init__",
            "server",
            "sid",
            "queue",
            "connected",
            "upgrading",
            "upgraded",
            "closing",
            "closed",
            "session",
            "last_ping",
            "send",
            "check_ping_timeout",
            "schedule_ping",
            "close",
        },
    ),
    (
        BatchingRedisManager,
        socketio.AsyncRedisManager,
        {"__init__", "_publish", "_redis_listen_with_retries", "_listen"},
    ),
    (engine_asgi.WebSocket, eio_asgi.WebSocket, {"wait"}),
    (
        packet_json.Packet,
        socketio.packet.Packet,
        {"__init__", "json", "decode", "add_attachment", "data_is_binary", "data"},
    ),
    (
        LeanWebSocketProtocol,
        WebSocketsSansIOProtocol,
        {"__init__", "queue", "writable", "read_paused", "data_received", "receive", "send", "request", "response"},
    ),
]

_ASSIGNED = re.compile(r"self\.(\w+)\s*(?::[^=\n]+)?=(?!=)|del self\.(\w+), self\.(\w+)")


def names_of(cls: type[Any], stop: type[Any] = object) -> set[str]:
    """A class's methods and class attributes and the instance attributes its methods set, with those of
    its bases up to (not including) `stop`."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass is stop or klass is object:
            break
        names |= set(vars(klass)) - {"__module__", "__doc__", "__dict__", "__weakref__", "__qualname__"}
        names.discard("__annotations__")
        names.discard("__slots__")
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        names |= {name for match in _ASSIGNED.findall(source) for name in match if name}
    return names


@pytest.mark.parametrize(("ours", "theirs", "overridden"), OVERRIDES, ids=lambda v: getattr(v, "__name__", ""))
def test_our_subclasses_share_only_the_names_they_mean_to_with_the_library(
    ours: type[Any], theirs: type[Any], overridden: set[str]
) -> None:
    assert names_of(ours, stop=theirs) & names_of(theirs) == overridden
