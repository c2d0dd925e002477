"""The HTTP protocol that writes a response's head with its body (app/rest/http_protocol.py): the same
bytes as uvicorn's own protocol, over real TCP, and one write where uvicorn made two."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.rest.http_protocol import HeadWithBody, HeadWithBodyProtocol
from tests.support.redis_server import free_port

PROTOCOLS = [pytest.param(HttpToolsProtocol, id="uvicorn"), pytest.param(HeadWithBodyProtocol, id="head-with-body")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/upload":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer = b"got %d" % len(body)
    else:
        answer = b"hello"
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b"last"})
        return
    if path == "/empty":
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(answer))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    if path == "/fails":
        raise RuntimeError("after the head")
    await send({"type": "http.response.body", "body": answer})


@asynccontextmanager
async def serve(protocol: type[Any]) -> AsyncIterator[int]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def exchange(protocol: type[Any], request: bytes, *, expect_continue: bool = False) -> bytes:
    """Everything the server writes back until it closes (each request asks for the close)."""
    async with serve(protocol) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if expect_continue:
            head, _, body = request.partition(b"\r\n\r\n")
            writer.write(head + b"\r\n\r\n")
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
            writer.write(body)
        else:
            writer.write(request)
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return (interim if expect_continue else b"") + re.sub(rb"date: [^\r]*\r\n", b"", answer)


def get(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()


@pytest.mark.parametrize(
    "request_bytes",
    [
        get("/"),
        get("/", "HEAD"),
        get("/empty"),
        get("/stream"),
        get("/fails"),
        b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" + get("/stream"),
        b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    ],
    ids=["get", "head", "no-content", "streamed", "error-after-head", "pipelined", "post"],
)
async def test_the_same_bytes_as_uvicorns_protocol(request_bytes: bytes) -> None:
    expected = await exchange(HttpToolsProtocol, request_bytes)
    assert expected.startswith(b"HTTP/1.1 ")
    assert await exchange(HeadWithBodyProtocol, request_bytes) == expected


async def test_the_interim_continue_is_not_held() -> None:
    request = (
        b"POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
    )
    expected = await exchange(HttpToolsProtocol, request, expect_continue=True)
    assert await exchange(HeadWithBodyProtocol, request, expect_continue=True) == expected
    assert expected.endswith(b"got 3")


class Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_a_head_and_its_body_are_one_write() -> None:
    recorder = Recorder()
    transport = HeadWithBody(recorder, hold=True)  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
    assert recorder.writes == []
    transport.write(b"hello")
    transport.write(b"more")
    assert recorder.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", b"more"]


def test_a_streamed_head_or_a_close_is_not_held() -> None:
    recorder = Recorder()
    streamed = HeadWithBody(recorder, hold=True)  # type: ignore[arg-type]
    streamed.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n")
    assert len(recorder.writes) == 1
    closed = HeadWithBody(recorder, hold=True)  # type: ignore[arg-type]
    closed.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
    closed.close()
    assert recorder.writes[-1] == b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n" and recorder.closed
