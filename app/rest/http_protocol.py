"""uvicorn's httptools protocol, writing a response's head and its body in one write.

uvicorn writes the status line and headers as soon as the app sends `http.response.start`, then the body
in a second write: two syscalls and two TCP segments for every small JSON answer. On loopback and in a VM
the sender pays for most of the receiving side of each segment too; on the nearby route the head's write
alone was ~6% of the server's CPU (py-spy under the peer bench). Node's `res.end(body)` sends both at once.

Here each response cycle writes through a `HeldHead`: the head waits for the first body write of the same
event-loop step and goes out with it. A head whose body does not follow at once (a stream that waits for its
first chunk) leaves on the loop's next step, so a client never waits on a held head. Relies on uvicorn's
`RequestResponseCycle` using only `write`, `close` and `is_closing` of its transport (uvicorn is pinned;
tests/app/rest/test_http_protocol.py holds that).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# The one write of a cycle that must not wait: the interim answer an `Expect: 100-continue` client awaits
# before it sends the body.
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class HeldHead:
    """The transport as one response cycle sees it (see the module's docstring)."""

    __slots__ = ("_head", "_headed", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None
        self._headed = False

    def write(self, data: bytes) -> None:
        if not self._headed and data != _CONTINUE:
            self._headed = True
            self._head = data
            asyncio.get_running_loop().call_soon(self.flush)
            return
        if self._head is not None:
            data, self._head = self._head + data, None
        self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        # A new cycle (not a WebSocket upgrade): its task is scheduled, not yet run, so it has written nothing.
        if self.cycle is not before:
            self.cycle.transport = HeldHead(self.transport)  # type: ignore[assignment]

    def send_400_response(self, msg: str) -> None:
        # The refusal of a malformed request that follows on the connection goes after the answer before it.
        if self.cycle is not None and isinstance(self.cycle.transport, HeldHead):
            self.cycle.transport.flush()
        super().send_400_response(msg)
