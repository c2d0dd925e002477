"""The WebSocket protocol's fast path (realtime/ws_protocol.py) against uvicorn's own, byte for byte.

Every test runs on both protocols, over a real TCP connection to a real uvicorn, sending hand-made frames:
what the ASGI application receives, what the peer reads back and how the connection closes must be the
same. The uvicorn and websockets internals the fast path reads are pinned in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
import re
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

from realtime import ws_protocol
from realtime.ws_protocol import LeanWebSocketProtocol, at_frame_boundary
from tests.support.redis_server import free_port

MAX_SIZE = 256 * 1024
PROTOCOLS = [pytest.param(WebSocketsSansIOProtocol, id="uvicorn"), pytest.param(LeanWebSocketProtocol, id="lean")]
REQUEST = (
    b"GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


class EchoApp:
    """Accepts, records every ASGI event, echoes each message; `hold` stops it reading."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.hold = asyncio.Event()
        self.hold.set()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            await self.hold.wait()
            event = await receive()
            self.received.append(event)
            if event["type"] != "websocket.receive":
                return
            await send({"type": "websocket.send", **{k: v for k, v in event.items() if k != "type"}})

    def messages(self) -> list[str | bytes]:
        return [e["text"] if "text" in e else e["bytes"] for e in self.received if e["type"] == "websocket.receive"]


@asynccontextmanager
async def serve(protocol: type[Any], app: EchoApp) -> AsyncIterator[uvicorn.Server]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), ws=protocol, ws_max_size=MAX_SIZE, ws_ping_interval=None,
        ws_per_message_deflate=False, lifespan="off", log_level="critical",
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, mask: bool = True) -> bytes:
    """A client frame as a browser writes it."""
    first = (0x80 if fin else 0) | rsv << 4 | opcode
    length = len(payload)
    bit = 0x80 if mask else 0
    if length < 126:
        header = bytes((first, bit | length))
    elif length < 1 << 16:
        header = struct.pack("!BBH", first, bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, bit | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One server frame: (opcode, payload)."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    return first & 0x0F, await reader.readexactly(length)


@asynccontextmanager
async def connect(server: uvicorn.Server, extra: bytes = b"") -> AsyncIterator[tuple[Any, Any]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.config.port)
    writer.write(REQUEST + extra)
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    try:
        yield reader, writer
    finally:
        writer.close()


async def close_code(reader: asyncio.StreamReader) -> int:
    while True:
        opcode, payload = await asyncio.wait_for(read_frame(reader), 5)
        if opcode == CLOSE:
            return int.from_bytes(payload[:2], "big")


async def echoes(reader: asyncio.StreamReader, count: int) -> list[tuple[int, bytes]]:
    return [await asyncio.wait_for(read_frame(reader), 5) for _ in range(count)]


MESSAGES: list[str | bytes] = ["", "42", "é" * 62, "x" * 125, "y" * 126, "z" * 65535, b"\x00\xff", b"b" * 300]


def encode(message: str | bytes) -> bytes:
    return frame(TEXT, message.encode()) if isinstance(message, str) else frame(BINARY, message)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_messages_in_one_write_arrive_in_order_and_echo(protocol: type[Any]) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        writer.write(b"".join(encode(m) for m in MESSAGES))
        got = await echoes(reader, len(MESSAGES))
        assert app.messages() == MESSAGES
        [connection] = server.server_state.connections
        assert getattr(connection, "fast", False) is (protocol is LeanWebSocketProtocol)
        assert got == [
            (TEXT if isinstance(m, str) else BINARY, m.encode() if isinstance(m, str) else m) for m in MESSAGES
        ]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_messages_written_a_few_bytes_at_a_time_arrive_whole(protocol: type[Any]) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        data = b"".join(encode(m) for m in MESSAGES[:6])
        for at in range(0, len(data), 7 if len(data) < 2000 else 4099):
            writer.write(data[at : at + (7 if len(data) < 2000 else 4099)])
            await writer.drain()
        await echoes(reader, 6)
        assert app.messages() == MESSAGES[:6]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_an_answer_of_64_bit_length_is_framed_as_such(protocol: type[Any]) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        writer.write(frame(TEXT, b"q" * 70_000))
        assert await echoes(reader, 1) == [(TEXT, b"q" * 70_000)]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_ping_is_answered_and_messages_go_on_after_it(protocol: type[Any]) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        writer.write(encode("a") + frame(PING, b"hi") + encode("b") + frame(TEXT, b"c", fin=False) + frame(CONT, b"d"))
        got = await echoes(reader, 4)
        [connection] = server.server_state.connections
        assert not getattr(connection, "fast", False)
        assert sorted(got) == sorted([(TEXT, b"a"), (PONG, b"hi"), (TEXT, b"b"), (TEXT, b"cd")])
        assert app.messages() == ["a", "b", "cd"]


async def outcome(protocol: type[Any], early: bytes, late: bytes) -> tuple[list[tuple[int, bytes]], list[str | bytes]]:
    """What the peer reads back until the connection ends (or 2 s pass), and what the application got."""
    app = EchoApp()
    frames: list[tuple[int, bytes]] = []
    async with serve(protocol, app) as server, connect(server, extra=early) as (reader, writer):
        writer.write(late)
        try:
            while True:
                frames.append(await asyncio.wait_for(read_frame(reader), 2))
        except (TimeoutError, asyncio.IncompleteReadError):
            pass
    return frames, app.messages()


async def test_frames_sent_before_the_handshake_answer_end_as_with_uvicorns_protocol() -> None:
    # Part of a frame, or a whole one, with the request: the fast path stays off for that connection.
    for cut in (3, len(encode("early"))):
        data = encode("early") + encode("later")
        expected = await outcome(WebSocketsSansIOProtocol, data[:cut], data[cut:])
        assert await outcome(LeanWebSocketProtocol, data[:cut], data[cut:]) == expected


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (frame(TEXT, b"\xff\xfe"), 1007),
        (frame(TEXT, b"x", rsv=4), 1002),
        (frame(TEXT, b"x", mask=False), 1002),
        (frame(CONT, b"x"), 1002),
        (frame(BINARY, b"x" * (MAX_SIZE + 1)), 1009),
    ],
    ids=["invalid-utf8", "reserved-bit", "unmasked", "stray-continuation", "too-big"],
)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_refused_frames_close_as_websockets_closes_them(protocol: type[Any], bad: bytes, code: int) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        writer.write(encode("before"))
        assert await echoes(reader, 1) == [(TEXT, b"before")]
        writer.write(bad + encode("after"))
        assert await close_code(reader) == code
        assert app.messages() == ["before"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_close_from_the_peer_is_answered_and_ends_the_application(protocol: type[Any]) -> None:
    app = EchoApp()
    async with serve(protocol, app) as server, connect(server) as (reader, writer):
        writer.write(encode("a"))
        assert await echoes(reader, 1) == [(TEXT, b"a")]
        writer.write(frame(CLOSE, struct.pack("!H", 1000)))
        assert await close_code(reader) == 1000
        deadline = time.monotonic() + 5
        while not app.received or app.received[-1]["type"] != "websocket.disconnect":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert app.received[-1]["code"] == 1000


async def test_a_flood_pauses_reading_with_a_bounded_inbox() -> None:
    app = EchoApp()
    async with serve(LeanWebSocketProtocol, app) as server, connect(server) as (reader, writer):
        app.hold.clear()
        writer.write(b"".join(encode(str(i)) for i in range(200)))
        await writer.drain()
        [connection] = server.server_state.connections
        assert isinstance(connection, LeanWebSocketProtocol)
        deadline = time.monotonic() + 5
        while not connection.read_paused:
            assert time.monotonic() < deadline, "reading was not paused"
            await asyncio.sleep(0.01)
        # A read takes all the bytes the kernel has, so more than the limit may wait; reading stays paused.
        assert connection.queue.qsize() >= ws_protocol.INBOX_LIMIT
        app.hold.set()
        await echoes(reader, 200)
        assert app.messages() == [str(i) for i in range(200)]
        assert not connection.read_paused


def handshake(conn: ServerProtocol) -> None:
    conn.receive_data(REQUEST)
    [request] = conn.events_received()
    assert isinstance(request, Request)
    conn.send_response(conn.accept(request))
    assert conn.data_to_send()[0].startswith(b"HTTP/1.1 101")


def test_the_parser_is_at_a_frame_boundary_only_between_frames() -> None:
    conn = ServerProtocol()
    handshake(conn)
    assert at_frame_boundary(conn)
    data = frame(TEXT, b"hello")
    conn.receive_data(data[:2])
    # The header is consumed, the buffer empty, and the parser in the middle of the frame.
    assert not conn.reader.buffer and not at_frame_boundary(conn)
    conn.receive_data(data[2:])
    assert [(f.opcode, f.data) for f in conn.events_received() if isinstance(f, Frame)] == [(TEXT, b"hello")]
    assert at_frame_boundary(conn)
    conn.receive_data(data[:1])
    assert not at_frame_boundary(conn)


def test_a_restarted_parser_reads_frames_and_refusals_as_before() -> None:
    conn = ServerProtocol(max_size=MAX_SIZE)
    handshake(conn)
    ws_protocol.restart_parser(conn)
    assert at_frame_boundary(conn)
    conn.receive_data(frame(TEXT, b"a") + frame(PING, b"p"))
    assert [(f.opcode, f.data) for f in conn.events_received() if isinstance(f, Frame)] == [(TEXT, b"a"), (PING, b"p")]
    assert conn.data_to_send() == [b"\x8a\x01p"]
    conn.receive_data(frame(TEXT, b"x", rsv=4))
    assert conn.close_sent is not None and conn.close_sent.code == 1002


def test_the_inbox_wakes_its_reader() -> None:
    async def scenario() -> list[dict[str, Any]]:
        inbox = ws_protocol.Inbox()
        reader = asyncio.ensure_future(inbox.get())
        await asyncio.sleep(0)
        inbox.put_nowait({"n": 1})
        inbox.put_nowait({"n": 2})
        return [await reader, await inbox.get()]

    assert asyncio.run(scenario()) == [{"n": 1}, {"n": 2}]
    assert base64.b64encode(ws_protocol.frame_header(0x81, 70_000)) == base64.b64encode(
        struct.pack("!BBQ", 0x81, 127, 70_000)
    )


def test_the_stock_protocol_uses_only_what_the_inbox_and_writable_offer() -> None:
    """uvicorn's protocol reaches the queue and the flag the fast path replaces only through these (a new
    uvicorn that used more would fail here before it failed a client)."""
    source = inspect.getsource(WebSocketsSansIOProtocol)
    for attribute, replacement in (("queue", ws_protocol.Inbox), ("writable", ws_protocol.Writable)):
        used = set(re.findall(rf"self\.{attribute}\.(\w+)", source))
        assert used, attribute
        assert all(callable(getattr(replacement, name, None)) for name in used), (attribute, used)
    # The state the fast path reads, set by uvicorn's protocol.
    for name in ("handshake_complete", "close_sent", "disconnected", "initial_response", "read_paused", "conn"):
        assert re.search(rf"self\.{name}\b[^=\n]*=", source), name
    # The handshake's request and response, dropped once answered, are read only while answering it.
    readers = {
        name
        for name, method in vars(WebSocketsSansIOProtocol).items()
        if inspect.isfunction(method) and re.search(r"self\.(request|response)\b", inspect.getsource(method))
    }
    assert readers == {"handle_connect", "send"}


def test_the_c_mask_helper_is_there_and_agrees_with_the_python_one() -> None:
    from websockets.speedups import apply_mask as c_apply_mask
    from websockets.utils import apply_mask as py_apply_mask

    # What the fast path unmasks with (the source build's fallback is for wheels without the C helper).
    assert vars(ws_protocol)["apply_mask"] is c_apply_mask
    data, key = os.urandom(300), os.urandom(4)
    assert c_apply_mask(memoryview(data)[10:], key) == py_apply_mask(data[10:], key)


def test_the_parser_state_the_fast_path_reads() -> None:
    conn = ServerProtocol(max_size=MAX_SIZE)
    assert conn.max_message_size == MAX_SIZE
    handshake(conn)
    assert conn.state is State.OPEN
    assert isinstance(conn.reader.buffer, bytearray)
    assert inspect.isgenerator(conn.parser)
