"""A local stand-in for Sentry's ingestion endpoint: it records the envelopes the real SDK transport posts."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def events(self) -> list[dict[str, Any]]:
        """The event items of every envelope received (an envelope is JSON lines: header, then item pairs)."""
        found: list[dict[str, Any]] = []
        for body in self.bodies:
            lines = [json.loads(line) for line in body.splitlines() if line.strip()]
            for item_header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if item_header.get("type") == "event":
                    found.append(payload)
        return found


@contextmanager
def recording_sentry() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            assert encoding in ("", "gzip"), encoding
            recorder.bodies.append(gzip.decompress(body) if encoding == "gzip" else body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://public@127.0.0.1:{server.server_address[1]}/1", recorder
    finally:
        server.shutdown()
        server.server_close()
