"""A lean Engine.IO v4 WebSocket transport for clients that open `transport=websocket` directly (no sid).

python-engineio's websocket path costs, per message, a task for the read (`asyncio.wait_for` around it), a
queue put and get, a writer task woken to write, a task per Socket.IO event (python-socketio's
`async_handlers`), and, per socket, a queue, a writer task and a ping task with its timer. Here one
coroutine, the ASGI connection's own, awaits ASGI `receive` and hands each frame straight to the Socket.IO
server; frames are written with ASGI `send` from whoever sends; one ticker pings every lean socket and
closes the ones whose pong is late.

The socket is a subclass of engine.io's `AsyncSocket`, registered in the engine's socket table, so
python-socketio (connect and auth, rooms, emits, the Redis manager, disconnect) works on it unchanged.
Long-polling and the polling -> websocket upgrade stay python-engineio's. What this relies on in those
libraries (pinned in pyproject.toml) is checked by tests/realtime/test_engine_ws.py.

A closed socket is freed by reference counting: nothing here refers back to the socket from an object the
socket holds (see realtime/engine_asgi.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

import structlog
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket

from realtime import engine_asgi

log = structlog.get_logger("walky.socket")

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]
MessageHandler = Callable[[str, str | bytes], Awaitable[None]]

# Engine.IO v4 packet types as the first character of a text frame.
_CLOSE, _PONG, _MESSAGE = "1", "3", "4"
# The ticker wakes this often at most, so a late pong is noticed within a second of its deadline.
MAX_TICK_S = 1.0


def is_direct_websocket(scope: dict[str, Any]) -> bool:
    """A WebSocket opened as Engine.IO v4's websocket transport without a session id (not an upgrade)."""
    if scope["type"] != "websocket":
        return False
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("transport") == ["websocket"] and query.get("EIO") == ["4"] and "sid" not in query


class ScopeEnviron(Mapping[str, Any]):
    """The handshake's environ as python-socketio keeps it for the life of a socket: read from the ASGI
    scope (which the connection holds anyway) when asked, not a dict of ~30 strings per idle socket."""

    __slots__ = ("_scope",)

    def __init__(self, scope: dict[str, Any]) -> None:
        self._scope = scope

    def _environ(self) -> dict[str, Any]:
        return engine_asgi.environ_of(self._scope, {"type": "websocket.connect"}, _closed, _closed)

    def __getitem__(self, name: str) -> Any:
        return self._environ()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ())

    def __len__(self) -> int:
        return len(self._environ())


async def _closed(*_: object) -> dict[str, Any]:
    # ASGI's receive and send of a connection that is no longer the handshake's.
    raise RuntimeError("the handshake is over")


class LeanSocket(AsyncSocket):  # type: ignore[misc]
    """An Engine.IO socket whose transport is the ASGI WebSocket it was opened on."""

    def __init__(self, server: Any, sid: str, send: Send) -> None:
        # Not AsyncSocket.__init__: it makes a queue this socket never uses.
        self.server = server
        self.sid = sid
        self.queue = None
        self.connected = True
        self.upgrading = False
        self.upgraded = True
        self.closing = False
        self.closed = False
        self.session: dict[str, Any] = {}
        self._send = send
        # When the outstanding ping went out (None: none outstanding), as AsyncSocket.last_ping, which the
        # engine's service task also checks; and when the next one is due.
        self.last_ping: float | None = None
        self.next_ping = time.monotonic() + server.ping_interval

    async def write(self, frame: str | bytes) -> None:
        """One Engine.IO frame, written now; dropped when the peer is gone (its reader ends the socket)."""
        if self.closed:
            return
        try:
            if isinstance(frame, str):
                await self._send({"type": "websocket.send", "text": frame})
            else:
                await self._send({"type": "websocket.send", "bytes": frame})
        except Exception:
            # uvicorn raises on a send after the peer went (ClientDisconnected, an OSError, or its
            # implementation's own): the reader sees the disconnect and ends the socket.
            return

    async def write_message(self, encoded: str | bytes | list[str | bytes]) -> None:
        """A Socket.IO packet as its encoder returned it: text, or text then binary attachments."""
        for part in encoded if isinstance(encoded, list) else (encoded,):
            await self.write(_MESSAGE + part if isinstance(part, str) else part)

    async def send(self, pkt: eio_packet.Packet) -> None:
        # Binary data goes out as a binary frame, as Engine.IO v4 does on WebSocket.
        await self.write(pkt.encode())

    async def check_ping_timeout(self) -> bool:
        # Also called by the engine's service task: the ticker closes late sockets, this only tells.
        return not self.closed

    def schedule_ping(self) -> None:
        self.last_ping = None
        self.next_ping = time.monotonic() + self.server.ping_interval

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        if self.closed or self.closing:
            return
        self.closing = True
        await self.server._trigger_event(
            "disconnect", self.sid, reason or self.server.reason.SERVER_DISCONNECT, run_async=False
        )
        if not abort:
            await self.write(_CLOSE)
        self.closed = True
        self.server.lean_sockets.pop(self.sid, None)
        # Ends the reader's wait on `receive` (from this side: a hostile peer never closes); a peer
        # already gone makes the send raise.
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": 1000})

    async def frame(self, data: str | bytes, on_message: MessageHandler) -> bool:
        """Handle one received frame other than a text message (which `serve` hands on itself); False when
        the connection is to end."""
        if isinstance(data, bytes):
            await on_message(self.sid, data)
            return True
        kind = data[:1]
        if kind == _PONG:
            self.schedule_ping()
        elif kind == _CLOSE:
            await self.close(wait=False, abort=True, reason=self.server.reason.CLIENT_DISCONNECT)
            return False
        elif kind not in ("2", "5", "6"):
            # Not Engine.IO (empty, or an unknown type): the stock transport ended the connection too.
            log.info("closing a socket transport", reason="not an Engine.IO frame")
            return False
        return True


async def serve(engine: Any, scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The whole life of one lean socket, run as the ASGI connection's coroutine."""
    event = await receive()
    if event["type"] != "websocket.connect":
        return
    environ = engine_asgi.environ_of(scope, event, receive, send)
    if engine.cors_allowed_origins != []:
        origin = environ.get("HTTP_ORIGIN")
        allowed = engine._cors_allowed_origins(environ) if origin else None
        if allowed is not None and origin not in allowed:
            engine._log_error_once(f"{origin} is not an accepted origin.", "bad-origin")
            await send({"type": "websocket.close"})
            return
    if engine.start_service_task:
        engine.start_service_task = False
        engine.service_task_handle = engine.start_background_task(engine._service_task)
    await send({"type": "websocket.accept"})
    sid = engine.generate_id()
    socket = LeanSocket(engine, sid, send)
    engine.sockets[sid] = socket
    opened = eio_packet.Packet(
        eio_packet.OPEN,
        {
            "sid": sid,
            "upgrades": [],
            "pingTimeout": int(engine.ping_timeout * 1000),
            "pingInterval": int((engine.ping_interval + engine.ping_interval_grace_period) * 1000),
            "maxPayload": engine.max_http_buffer_size,
        },
    )
    await socket.send(opened)
    del environ
    accepted = await engine._trigger_event("connect", sid, ScopeEnviron(scope), run_async=False)
    if accepted is not None and accepted is not True:
        engine.sockets.pop(sid, None)
        await send({"type": "websocket.close"})
        return
    engine.watch(socket)
    on_message: MessageHandler = engine.handlers["message"]
    limit = engine.max_http_buffer_size
    try:
        while not socket.closed:
            event = await receive()
            if event["type"] != "websocket.receive":
                break
            data = event.get("text")
            if data is None:
                data = event.get("bytes")
            if data is None or len(data) > limit:
                break
            try:
                if isinstance(data, str) and data[:1] == _MESSAGE:
                    # The common frame, handed on here rather than through `frame`: one coroutine less.
                    await on_message(sid, data[1:])
                elif not await socket.frame(data, on_message):
                    break
            except Exception:
                # What python-engineio's read loop did too: log, and go on reading.
                log.exception("socket frame failed")
            # An idle socket does not hold on to its last frame.
            del event, data
    finally:
        await socket.close(wait=False, abort=True, reason=engine.reason.TRANSPORT_CLOSE)
        engine.sockets.pop(sid, None)


class PingTicker:
    """One task pings every lean socket when due and closes those whose pong is late."""

    def __init__(self, sockets: dict[str, LeanSocket], interval_s: float, timeout_s: float) -> None:
        self._sockets = sockets
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._task: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        tick = min(MAX_TICK_S, self._interval_s / 4, self._timeout_s / 4)
        while True:
            await asyncio.sleep(tick)
            await self.tick(time.monotonic())

    async def tick(self, now: float) -> None:
        for socket in list(self._sockets.values()):
            if socket.last_ping is not None:
                if now - socket.last_ping > self._timeout_s:
                    self._close_late(socket)
            elif now >= socket.next_ping and not socket.closing:
                socket.last_ping = now
                # Written here, not in a task: a frame write completes at once (uvicorn buffers it).
                await socket.write("2")

    def _close_late(self, socket: LeanSocket) -> None:
        self._sockets.pop(socket.sid, None)
        log.info("closing a socket transport", reason="no pong within the ping timeout")
        # In a task: the disconnect handlers may wait on Redis, and the other sockets' pings must not.
        # Not abort: the CLOSE packet tells a half-open peer it is disconnected.
        task = asyncio.ensure_future(socket.close(wait=False, abort=False, reason=socket.server.reason.PING_TIMEOUT))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
