"""The Socket.IO server class: python-socketio's, bounded for connections that never authenticate and
closing connections that send what is not Socket.IO.

- A transport that has not connected the default namespace (which needs a valid token) within
  `connect_deadline_s` of opening is closed: an anonymous peer holds a connection for seconds, not for
  good. (Frames are bounded by uvicorn's `ws_max_size`, set to Engine.IO's packet limit in app/__main__.py.)
- A closed socket is let go at once. Engine.IO's ping task held each one (its queue, its task) until the
  25 s ping interval ran out: under connect/disconnect churn, every socket of the last 25 s stayed resident
  (scripts/bench/bench_hostile.py).
- A closed connection is freed by reference counting, not left to the cyclic garbage collector
  (realtime/engine_asgi.py).
- A client that opens the WebSocket transport directly is served by the lean transport of
  realtime/engine_ws.py, its events handled inline; long-polling and the upgrade stay Engine.IO's. Its
  plain events (realtime/event_frames.py) go straight to their handler and are acknowledged with one
  frame; every other packet takes python-socketio's path.
- A frame that is not a Socket.IO packet, or an event for a namespace the connection has not joined, closes
  the connection. The library logged such frames and went on, leaving the client without an answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import engineio
import socketio
import structlog
from engineio.async_socket import AsyncSocket

from realtime import engine_asgi, engine_ws, event_frames
from realtime.engine_ws import LeanSocket

log = structlog.get_logger("walky.socket")

DEFAULT_NAMESPACE = "/"


class _Engine(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO's server, serving direct WebSocket clients on the lean transport, and keeping each other
    socket's ping task so a closed socket's can be cancelled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._async = engine_asgi.drivers(vars(self)["_async"])
        self.pings: dict[str, asyncio.Task[None]] = {}
        self.lean_sockets: dict[str, LeanSocket] = {}
        self._ticker = engine_ws.PingTicker(self.lean_sockets, self.ping_interval, self.ping_timeout)

    async def handle_request(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if "websocket" in self.transports and engine_ws.is_direct_websocket(scope):
            await engine_ws.serve(self, scope, receive, send)
            return None
        return await super().handle_request(scope, receive, send)

    def watch(self, socket: LeanSocket) -> None:
        """Ping `socket` from now on (it is connected)."""
        self.lean_sockets[socket.sid] = socket
        self._ticker.start()

    async def shutdown(self) -> None:
        await self._ticker.stop()
        await super().shutdown()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        task = super().start_background_task(target, *args, **kwargs)
        # The only task Engine.IO starts for a socket is its next ping.
        owner = getattr(target, "__self__", None)
        if isinstance(owner, AsyncSocket):
            self.pings[owner.sid] = task
        return task

    def cancel_ping(self, sid: str) -> None:
        task = self.pings.pop(sid, None)
        # A ping that found the peer gone is what closes the socket: it finishes by itself.
        if task is not None and task is not asyncio.current_task():
            task.cancel()


class SocketApp(socketio.ASGIApp):  # type: ignore[misc]
    """socketio.ASGIApp, handing a direct WebSocket straight to the lean transport: three coroutine frames
    fewer held by every idle socket."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (
            scope["type"] == "websocket"
            and self._ensure_trailing_slash(scope["path"]).startswith(self.engineio_path)
            and engine_ws.is_direct_websocket(scope)
        ):
            await engine_ws.serve(self.engineio_server.eio, scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


class WalkySocketServer(socketio.AsyncServer):  # type: ignore[misc]
    def __init__(self, *, connect_deadline_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connect_deadline_s = connect_deadline_s
        self._deadlines: dict[str, asyncio.TimerHandle] = {}
        self._closing: set[asyncio.Task[None]] = set()

    def _engineio_server_class(self) -> type[_Engine]:
        return _Engine

    def connected(self, eio_sid: str) -> bool:
        return self.manager.sid_from_eio_sid(eio_sid, DEFAULT_NAMESPACE) is not None

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> None:
        await super()._handle_eio_connect(eio_sid, environ)
        loop = asyncio.get_running_loop()
        self._deadlines[eio_sid] = loop.call_later(self.connect_deadline_s, self._deadline_passed, eio_sid)

    def _deadline_passed(self, eio_sid: str) -> None:
        self._deadlines.pop(eio_sid, None)
        if not self.connected(eio_sid):
            self._close(eio_sid, "no Socket.IO connect before the deadline")

    def _close(self, eio_sid: str, why: str) -> None:
        log.info("closing a socket transport", reason=why)
        task = asyncio.ensure_future(self._drop(eio_sid))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _drop(self, eio_sid: str) -> None:
        transport = self.eio.sockets.get(eio_sid)
        # Runs the disconnect handlers and sends Engine.IO's CLOSE packet.
        await self.eio.disconnect(eio_sid)
        if transport is not None and not isinstance(transport, LeanSocket):
            # Engine.IO then waits for the peer to close the transport, which a hostile peer never does:
            # ending its writer closes the WebSocket (or ends the long poll) from this side.
            await transport.queue.put(None)

    async def _handle_eio_message(self, eio_sid: str, data: str | bytes) -> None:
        socket = self.eio.lean_sockets.get(eio_sid)
        call = self._plain_call(eio_sid, data) if socket is not None else None
        if call is None:
            try:
                await super()._handle_eio_message(eio_sid, data)
            except ValueError as exc:
                # Raised by the packet class and the library's protocol checks, never by Walky's handlers
                # (they answer every error in an ack).
                self._close(eio_sid, f"not Socket.IO: {exc}")
            return
        # A lean socket's plain event, run in this coroutine (one frame less to resume per fix).
        handler, sid, ack_id, args = call
        if not self.manager.is_connected(sid, DEFAULT_NAMESPACE):
            return
        try:
            answer = await handler(sid, *args)
        except asyncio.CancelledError:
            # As python-socketio's dispatch: a cancelled handler is acknowledged with no data.
            answer = None
        if ack_id is None:
            return
        ack = event_frames.ack_data(answer)
        frame = event_frames.ack_frame(ack_id, ack)
        if frame is None:
            await self._send_ack_packet(eio_sid, ack_id, ack)
        else:
            await socket.write(frame)

    def _plain_call(self, eio_sid: str, data: str | bytes) -> tuple[Any, str, int | None, list[Any]] | None:
        """(handler, sid, ack id, arguments) of a plain event (realtime/event_frames.py) from a connected
        socket to a registered handler; None for the general path (an unknown event answers NOT_FOUND
        there, a socket that has not connected is closed there)."""
        if eio_sid in self._binary_packet:
            return None
        event = event_frames.plain_event(data)
        if event is None:
            return None
        ack_id, name, args = event
        handler = self.handlers.get(DEFAULT_NAMESPACE, {}).get(name)
        sid = self.manager.sid_from_eio_sid(eio_sid, DEFAULT_NAMESPACE)
        if handler is None or name == "*" or sid is None:
            return None
        return handler, sid, ack_id, args

    async def _send_ack_packet(self, eio_sid: str, ack_id: int, data: list[Any]) -> None:
        ack = self.packet_class(socketio.packet.ACK, namespace=DEFAULT_NAMESPACE, id=ack_id, data=data)
        await self._send_packet(eio_sid, ack)

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        namespace = namespace or DEFAULT_NAMESPACE
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None:
            self._close(eio_sid, "an event for a namespace the connection has not joined")
            return
        if eio_sid in self.eio.lean_sockets:
            # Inline, not in a task per event: a lean socket's reader awaits its handlers in order.
            if self.manager.is_connected(sid, namespace):
                await self._handle_event_internal(self, sid, eio_sid, data, namespace, id)
            return
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        socket = self.eio.lean_sockets.get(eio_sid)
        if socket is None:
            await super()._send_packet(eio_sid, pkt)
        else:
            # Written at once, without an Engine.IO packet object in between.
            await socket.write_message(pkt.encode())

    async def _handle_eio_disconnect(self, eio_sid: str, reason: Any) -> None:
        deadline = self._deadlines.pop(eio_sid, None)
        if deadline is not None:
            deadline.cancel()
        self.eio.cancel_ping(eio_sid)
        await super()._handle_eio_disconnect(eio_sid, reason)
