"""The floor for the Socket.IO benchmarks: a bare python-socketio server whose handlers only acknowledge.

Same python-socketio settings (ASGI, packet limit) and the same uvicorn settings as `python -m app`
(uvloop, httptools, websockets-sansio, no permessage-deflate, frames bounded by the packet limit), no
Redis, no auth check, no validation: what a
`location:update` round trip costs before Walky does anything.

    .venv/bin/python -m scripts.bench.floor_server --port 8123
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

import socketio
import uvicorn

from realtime.limits import MAX_PACKET_BYTES

ACK: dict[str, Any] = {"ok": True, "accepted": 1}


def create_floor_app() -> socketio.ASGIApp:
    sio = socketio.AsyncServer(
        async_mode="asgi", max_http_buffer_size=MAX_PACKET_BYTES, logger=False, engineio_logger=False
    )

    async def connect(sid: str, environ: dict[str, Any], auth: object = None) -> None:
        return None

    async def acknowledge(event: str, sid: str, *args: object) -> dict[str, Any]:
        return ACK

    sio.on("connect", connect)
    sio.on("*", acknowledge)
    return socketio.ASGIApp(sio, socketio_path="socket.io")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="floor_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    # The settings `app/__main__.py` passes to uvicorn.
    uvicorn.run(
        create_floor_app(),
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=8,
        ws_per_message_deflate=False,
        ws_max_size=MAX_PACKET_BYTES,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
