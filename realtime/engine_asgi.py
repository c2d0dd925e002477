"""Engine.IO's ASGI driver pieces, rewritten so a closed connection is freed by reference counting.

Engine.IO 4.x's ASGI driver left every connection to the cyclic garbage collector, which under
connect/disconnect churn runs its full collections rarely (app/__main__.py raises the thresholds): about
400 closed connections, +7 MB of resident memory that stayed as allocator high-water, in
scripts/bench/bench_hostile.py. Two causes, each replaced here:

- `translate_request` defined its request-body class inside the function, one class per request; a class
  is always in a reference cycle, and its `read` closed over ASGI's `receive`, a bound method of the
  connection's protocol: the protocol, its transport and its buffers lived as long as that garbage class.
- `WebSocket.wait` raised OSError when the peer closed; caught in the read loop while its task still held
  it, the exception's traceback made a cycle through the handler's frame, holding the Engine.IO socket.
"""

from __future__ import annotations

import sys
from typing import Any

from engineio.async_drivers.asgi import WebSocket as _AsgiWebSocket

Receive = Any
Event = dict[str, Any]


class RequestBody:
    """`wsgi.input`: the request body, read from ASGI on first use (as the library's class did)."""

    def __init__(self, first: Event, receive: Receive) -> None:
        self._first_type = first["type"]
        self.event = first
        self.payload: bytes | None = None
        self._receive = receive

    async def read(self, length: int | None = None) -> bytes:
        if self.payload is None and self._first_type == "http.request":
            self.payload = self.event.get("body") or b""
            while self.event.get("more_body"):
                self.event = await self._receive()
                if self.event["type"] == "http.request" and (length is None or len(self.payload) < length):
                    self.payload += self.event.get("body") or b""
        payload = self.payload or b""
        if length is None:
            self.payload = b""
            return payload
        self.payload = payload[length:]
        return payload[:length]


async def translate_request(scope: dict[str, Any], receive: Receive, send: Any) -> dict[str, Any]:
    """The WSGI-style environ Engine.IO reads, as engineio.async_drivers.asgi.translate_request builds it."""
    event = await receive()
    if event["type"] not in ("http.request", "websocket.connect"):
        return {}
    return environ_of(scope, event, receive, send)


def environ_of(scope: dict[str, Any], event: Event, receive: Receive, send: Any) -> dict[str, Any]:
    """The environ of a request whose first ASGI event was `event`."""
    query_string = ""
    raw_uri = scope["path"]
    if scope.get("query_string"):
        try:
            query_string = scope["query_string"].decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raw_uri += "?" + query_string
    environ: dict[str, Any] = {
        "wsgi.input": RequestBody(event, receive),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.async": True,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": "asgi",
        "REQUEST_METHOD": scope.get("method", "GET"),
        "PATH_INFO": scope["path"],
        "QUERY_STRING": query_string,
        "RAW_URI": raw_uri,
        "SCRIPT_NAME": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "0",
        "SERVER_NAME": "asgi",
        "SERVER_PORT": "0",
        "asgi.receive": receive,
        "asgi.send": send,
        "asgi.scope": scope,
    }
    for raw_name, raw_value in scope["headers"]:
        try:
            name, value = raw_name.upper().decode("utf-8"), raw_value.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if name in ("CONTENT-TYPE", "CONTENT-LENGTH"):
            environ[name.replace("-", "_")] = value
            continue
        key = "HTTP_" + name.replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ["wsgi.url_scheme"] = environ.get("HTTP_X_FORWARDED_PROTO", "http")
    return environ


class WebSocket(_AsgiWebSocket):  # type: ignore[misc]
    """Engine.IO's ASGI WebSocket, telling a closed connection by `None` rather than by raising OSError."""

    async def wait(self) -> str | bytes | None:
        event = await self.asgi_receive()
        if event["type"] != "websocket.receive":
            # Read as "connection closed by client" by the read loop; during an upgrade handshake, as a
            # failed upgrade, which is how the library's OSError ends there too.
            return None
        data: str | bytes | None = event.get("bytes")
        return data if data is not None else event.get("text")


def drivers(library_drivers: dict[str, Any]) -> dict[str, Any]:
    """The library's ASGI driver table with these pieces in (a copy: the library's is module-level)."""
    return {**library_drivers, "translate_request": translate_request, "websocket": WebSocket}
