"""The one-write HTTP protocol on a real uvicorn server and socket: a whole answer leaves in one write, and
nothing a client waits for is held (stream heads, 100-continue, pipelined answers, refusals, HEAD)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from app.__main__ import uvicorn_options
from app.rest.http_protocol import HeldHead, OneWriteHttpToolsProtocol
from app.settings import Settings

BODY = b'{"success":true,"data":[1,2,3]}'


class Recorder:
    """The connection's real transport, recording what is written to it."""

    def __init__(self, transport: asyncio.Transport, writes: list[bytes]) -> None:
        self._transport = transport
        self.writes = writes

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Served:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.release = asyncio.Event()
        self.port = 0


def _app(served: Served) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await served.release.wait()
            await send({"type": "http.response.body", "body": b"first", "more_body": False})
            return
        if scope["path"] == "/echo":
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
        else:
            body = BODY
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    served = Served()

    class Recording(OneWriteHttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(Recorder(transport, served.writes))  # type: ignore[arg-type]

    config = uvicorn.Config(_app(served), http=Recording, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    # Listening before the server starts: clients may connect at once, the kernel holds them.
    sock = socket.create_server(("127.0.0.1", 0))
    served.port = sock.getsockname()[1]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    yield served
    server.should_exit = True
    await task


async def _connect(served: Served) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", served.port)


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    [length] = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.startswith(b"content-length")]
    return head, await asyncio.wait_for(reader.readexactly(length), 5)


def test_the_server_runs_the_one_write_protocol() -> None:
    assert uvicorn_options(Settings(), None, None)["http"] is OneWriteHttpToolsProtocol


async def test_a_whole_answer_leaves_in_one_write(served: Served) -> None:
    reader, writer = await _connect(served)
    for _ in range(3):
        writer.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        head, body = await _answer(reader)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body == BODY
    writer.close()
    assert len(served.writes) == 3
    assert all(write.startswith(b"HTTP/1.1 200 OK\r\n") for write in served.writes)
    assert all(write.endswith(b"\r\n\r\n" + BODY) for write in served.writes)


async def test_a_stream_gets_its_head_before_its_first_chunk(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n")
    # The app holds its first chunk until the head has arrived: a held head would time out here.
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"transfer-encoding: chunked" in head
    served.release.set()
    assert await asyncio.wait_for(reader.readuntil(b"0\r\n\r\n"), 5) == b"5\r\nfirst\r\n0\r\n\r\n"
    writer.close()


async def test_a_client_expecting_100_continue_gets_it_before_it_sends(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n")
    assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"hello")
    head, body = await _answer(reader)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body == b"hello"
    writer.close()


async def test_pipelined_requests_are_answered_in_order_then_a_malformed_one_refused(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\none")
    writer.write(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\ntwo")
    assert (await _answer(reader))[1] == b"one"
    assert (await _answer(reader))[1] == b"two"
    writer.write(b"NOT HTTP AT ALL\r\n\r\n")
    head, _ = await _answer(reader)
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    writer.close()


async def test_a_head_request_gets_its_head(served: Served) -> None:
    reader, writer = await _connect(served)
    writer.write(b"HEAD / HTTP/1.1\r\nhost: x\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and f"content-length: {len(BODY)}".encode() in head
    writer.close()


def test_a_response_cycle_uses_only_what_held_head_offers() -> None:
    """The reliance on uvicorn's internals, held: its response cycle touches its transport only through
    these (a new uvicorn that used more would fail here before it failed a client)."""
    import inspect
    import re

    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    used = set(re.findall(r"self\.transport\.(\w+)", inspect.getsource(RequestResponseCycle)))
    assert used == {"write", "close", "is_closing"}
    assert all(callable(getattr(HeldHead, name)) for name in used)
