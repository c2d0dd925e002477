"""uvicorn's httptools protocol, writing a response's head together with its body.

uvicorn writes the status line and headers when the application sends `http.response.start`, and the
body when it sends `http.response.body`: two writes, so two `send` system calls, per response. On this
machine a system call is dear (the nearby route spent ~15% of its CPU in those two, py-spy), and every
answer of the API is a head and one body. Here the head of a response with a body of known length waits
for the body's first write and leaves with it; streamed (chunked) answers, HEAD answers and the
`100 Continue` interim answer are written at once, as before; a connection closed after the head (an
error after `http.response.start`) still gets the head first.

What this relies on in uvicorn (pinned in pyproject.toml) is checked by tests/app/rest/test_http_protocol.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_CHUNKED = b"\r\ntransfer-encoding: chunked\r\n"


class HeadWithBody:
    """The transport as one response cycle sees it: the first write after an interim answer (the head)
    is held until the next write (the body) or the close."""

    __slots__ = ("_head", "_holding", "_transport")

    def __init__(self, transport: asyncio.Transport, *, hold: bool) -> None:
        self._transport = transport
        self._holding = hold
        self._head = b""

    def write(self, data: bytes) -> None:
        if self._head:
            data, self._head = self._head + data, b""
        elif self._holding and data != _CONTINUE:
            self._holding = False
            if _CHUNKED not in data.lower():
                self._head = data
                return
        self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def flush(self) -> None:
        if self._head:
            head, self._head = self._head, b""
            self._transport.write(head)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadWithBodyProtocol(HttpToolsProtocol):
    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # A HEAD answer has no body write to wait for.
        cycle.transport = HeadWithBody(self.transport, hold=cycle.scope["method"] != "HEAD")  # type: ignore[assignment]
        super()._start_asgi_task(cycle, app)
