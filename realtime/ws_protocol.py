"""uvicorn's websockets-sansio WebSocket protocol, with a fast path for the frames apps send.

Per message, the stock protocol runs websockets' generator-based frame parser, wakes the ASGI
application through an `asyncio.Queue`, stops reading the socket after every message and starts it again
when the application has taken it (two changes of the event loop's poll set per message), and writes each
frame through websockets' frame serializer. Together ~15% of the server's CPU per location fix (py-spy).

Here, once the handshake is done:

- Whole, final, masked text or binary frames of up to 64 KiB (every Engine.IO packet an app sends) are
  unmasked with websockets' C helper and queued for the application as uvicorn queues them. The first frame
  of any other kind (control frames, fragments, reserved bits, 64-bit lengths, invalid UTF-8), and every
  byte after it, goes to websockets' parser as before: it always sees the stream from a frame boundary, so
  what it refuses, answers or closes is exactly what it did.
- The inbox is a list with one waiter (the ASGI application is its one reader), and reading stops only
  while `INBOX_LIMIT` messages wait, so a peer that floods still holds a bounded number of messages.
- What an idle socket holds is less: no `asyncio.Queue` or `asyncio.Event` of its own, and not the
  handshake's request and response once it is answered (uvicorn keeps both, websockets' parser the
  request).
- Text and binary messages are framed by hand while the connection is open; anything else is uvicorn's.

What this relies on in uvicorn and websockets (pinned in pyproject.toml) is checked by
tests/realtime/test_ws_protocol.py.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import Protocol, State
from websockets.server import ServerProtocol

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - the wheel has the C helper; the source build may not
    from websockets.utils import apply_mask

# Messages waiting for the application before the socket stops being read.
INBOX_LIMIT = 16
_FIN_TEXT, _FIN_BINARY = 0x81, 0x82
_FAST_OPCODES = frozenset((_FIN_TEXT, _FIN_BINARY))
_MASKED = 0x80
_LEN16 = 126
# Taken messages an inbox that never empties keeps before it lets them go.
_COMPACT_AFTER = 32


class Inbox:
    """The ASGI receive queue of one connection: a list read from its head, and the one reader's waiter
    (an `asyncio.Queue` is ~1 KiB per idle socket, its deques included)."""

    __slots__ = ("_head", "_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[dict[str, Any]] = []
        self._head = 0
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: dict[str, Any]) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return self._head == len(self._items)

    def qsize(self) -> int:
        return len(self._items) - self._head

    async def get(self) -> dict[str, Any]:
        while self._head == len(self._items):
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        items = self._items
        item = items[self._head]
        self._head += 1
        if self._head == len(items):
            # Emptied: the list lets go of its items and their array.
            items.clear()
            self._head = 0
        elif self._head >= _COMPACT_AFTER and 2 * self._head >= len(items):
            # A reader that never quite catches up: drop what it took, at most as often as it takes half.
            del items[: self._head]
            self._head = 0
        return item


class Writable:
    """uvicorn's `writable` flag, an `asyncio.Event` per socket in the stock protocol: here an Event exists
    only while the transport's buffer is full."""

    __slots__ = ("_paused",)

    def __init__(self) -> None:
        self._paused: asyncio.Event | None = None

    def is_set(self) -> bool:
        return self._paused is None

    def clear(self) -> None:
        if self._paused is None:
            self._paused = asyncio.Event()

    def set(self) -> None:
        paused, self._paused = self._paused, None
        if paused is not None:
            paused.set()

    async def wait(self) -> bool:
        paused = self._paused
        if paused is not None:
            await paused.wait()
        return True


def frame_header(opcode: int, length: int) -> bytes:
    """A server frame's header (final, unmasked)."""
    if length < _LEN16:
        return bytes((opcode, length))
    if length < 1 << 16:
        return struct.pack("!BBH", opcode, _LEN16, length)
    return struct.pack("!BBQ", opcode, 127, length)


def at_frame_boundary(conn: ServerProtocol) -> bool:
    """Whether websockets' parser holds no byte of the stream and waits for the start of a frame (a
    peer may send frames before the handshake's answer, and the parser may have read part of one)."""
    if conn.reader.buffer:
        return False
    parser: Any = conn.parser
    while getattr(parser, "gi_yieldfrom", None) is not None:
        parser = parser.gi_yieldfrom
    return getattr(parser, "__name__", None) == "at_eof"


def restart_parser(conn: ServerProtocol) -> None:
    """Give a parser that waits for a frame a fresh frame loop: what websockets' server parser runs after
    the handshake, without its frame, which holds the handshake's request (~2 KiB of headers)."""
    conn.parser = Protocol.parse(conn)
    next(conn.parser)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: Inbox = Inbox()  # type: ignore[assignment]
        self.writable: Writable = Writable()  # type: ignore[assignment]
        # Whether frames are read here: decided with the first bytes after the handshake, and False for
        # good once websockets' parser has been handed the stream.
        self.fast: bool | None = None
        # The start of a frame not yet whole.
        self._pending = bytearray()

    def data_received(self, data: bytes) -> None:
        if self.fast is None and self.handshake_complete:
            self.fast = at_frame_boundary(self.conn)
            if self.fast:
                restart_parser(self.conn)
        if not self.fast:
            super().data_received(data)
            return
        if self._pending:
            self._pending += data
            data = bytes(self._pending)
            self._pending.clear()
        rest = self._read_frames(data)
        if rest is not None:
            self.fast = False
            super().data_received(rest)
        elif not self.read_paused and self.queue.qsize() >= INBOX_LIMIT:
            self.read_paused = True
            self.transport.pause_reading()

    def _read_frames(self, data: bytes) -> bytes | None:
        """Queue the whole fast frames at the start of `data`, keep a partial one; what is left for
        websockets' parser (from the first frame of another kind), or None."""
        limit = self.conn.max_message_size
        if self.close_sent or self.conn.state is not State.OPEN:
            return data
        view = memoryview(data)
        end = len(data)
        at = 0
        while at < end:
            if end - at < 2:
                break
            first, second = data[at], data[at + 1]
            if first not in _FAST_OPCODES or not second & _MASKED:
                return data[at:]
            length = second & 0x7F
            if length < _LEN16:
                start = at + 6
            elif length == _LEN16:
                if end - at < 4:
                    break
                length = (data[at + 2] << 8) | data[at + 3]
                start = at + 8
            else:
                return data[at:]
            if limit is not None and length > limit:
                return data[at:]
            stop = start + length
            if stop > end:
                break
            payload = apply_mask(view[start:stop], data[start - 4 : start])
            message: dict[str, Any]
            if first == _FIN_TEXT:
                try:
                    message = {"type": "websocket.receive", "text": payload.decode()}
                except UnicodeDecodeError:
                    return data[at:]
            else:
                message = {"type": "websocket.receive", "bytes": payload}
            self.queue.put_nowait(message)
            at = stop
        if at < end:
            self._pending += view[at:]
        return None

    async def receive(self) -> Any:
        message = await self.queue.get()
        # The stock protocol pauses after every message and resumes once the application took them all.
        if self.read_paused and (self.queue.empty() or (self.fast and self.queue.qsize() < INBOX_LIMIT)):
            self.read_paused = False
            self.transport.resume_reading()
        return message

    async def send(self, message: Any) -> None:
        if (
            message["type"] == "websocket.send"
            and self.handshake_complete
            and not self.close_sent
            and not self.disconnected
            and self.initial_response is None
            and self.writable.is_set()
            and self.conn.state is State.OPEN
        ):
            text = message.get("text")
            data = message.get("bytes")
            if data is not None:
                self.transport.write(frame_header(_FIN_BINARY, len(data)) + data)
                return
            if text is not None:
                payload = text.encode()
                self.transport.write(frame_header(_FIN_TEXT, len(payload)) + payload)
                return
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # The handshake's request and response (~4 KiB of headers) are not read again.
            del self.request, self.response
