"""`python -m app`: serve REST and Socket.IO on the embedded default, or production with WALKY_* set."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError
from starlette.types import ASGIApp

from app import admin_cli
from app.logs import configure_logging
from app.ops import cli as ops_cli
from app.ops import data_lock
from app.ops.manifest import BackupError
from app.service import build_route_tables, create_app
from app.settings import Settings, describe_errors
from realtime.limits import MAX_PACKET_BYTES
from realtime.ws_protocol import LeanWebSocketProtocol

# Collect the youngest generation after this many new container objects instead of CPython's 700. Every
# location fix allocates dozens (tasks, futures, packets, dicts), so the default ran a collection every
# few fixes, and the older generations, which hold every socket's state, came due so often that with 300
# sockets garbage collection set the p99 of a fix's acknowledgement (scripts/bench/bench_ingest.py: about
# 1.3x the throughput and a third of the p99 with this). Cyclic garbage waits a little longer; reference
# counting still frees everything else at once.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    # What start-up built (modules, schemas, the app) lives as long as the process: keep it out of
    # every later full collection.
    gc.collect()
    gc.freeze()


def _simulate(argv: list[str]) -> int:
    from app.simulate import cli as simulate_cli  # the client side only: loads no server code

    return simulate_cli.main(argv)


def _messages(argv: list[str]) -> int:
    from app.messages.rendering import preview  # templates and catalogs: loaded only for this command

    return preview.main(argv)


# `python -m app NAME ...`: each subcommand parses its own arguments; without one, the server runs.
SUBCOMMANDS: dict[str, Callable[[list[str]], int]] = {
    "admin": admin_cli.main,
    "backup": lambda argv: ops_cli.main("backup", argv),
    "restore": lambda argv: ops_cli.main("restore", argv),
    "simulate": _simulate,
    "messages": _messages,
}


def uvicorn_options(settings: Settings, host: str | None, port: int | None) -> dict[str, Any]:
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "loop": "uvloop",
        "http": "httptools",
        # uvicorn's websockets-sansio protocol with a fast path for apps' frames (realtime/ws_protocol.py).
        "ws": LeanWebSocketProtocol,
        # No permessage-deflate: fixes and acks are ~100-byte JSON frames, while each socket's compression
        # contexts cost ~36 KiB of resident memory and CPU on every frame (scripts/bench/bench_socket_memory.py).
        "ws_per_message_deflate": False,
        # A frame above Engine.IO's packet limit is refused from its header, before its payload is read:
        # uvicorn's default (16 MiB) buffered the whole frame only for Engine.IO to drop it, and the freed
        # buffers stayed resident (scripts/bench/bench_hostile.py).
        "ws_max_size": MAX_PACKET_BYTES,
        # No WebSocket-level keepalive: Engine.IO's heartbeat already finds dead peers, and uvicorn's
        # ping timer cost every socket a timer and a ping frame every 20 s.
        "ws_ping_interval": None,
        "lifespan": "on",
        "log_config": None,
        "access_log": False,
        # The client IP behind proxies is WALKY_TRUSTED_PROXIES' business (app/rest/client_address.py).
        "proxy_headers": False,
        "timeout_graceful_shutdown": settings.shutdown_timeout_s,
    }


def worker_app() -> ASGIApp:
    """One process of `python -m app --workers N`: the settings from the environment, as the parent read them."""
    settings = Settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    tune_garbage_collector()
    return app


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]](argv[1:])
    parser = argparse.ArgumentParser(prog="python -m app", description="Walky dispatch server")
    parser.add_argument("--host", help="bind address (default WALKY_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default WALKY_PORT or 8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (Redis mode only; long-polling clients then need sticky sessions)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        settings = Settings()
    except ValidationError as exc:
        # Reformatted, not printed as it is: pydantic's text would carry the refused values.
        reasons = "".join(f"\n  {line}" for line in describe_errors(exc))
        print(f"walky: invalid configuration, not starting:{reasons}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        print(f"walky: invalid configuration, not starting:\n  {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.workers > 1 and not settings.redis_url:
        print(
            "walky: --workers needs Redis (WALKY_REDIS_URL): without it each process would have its own live "
            "locations, rooms and rate limits. Run one process, or set WALKY_REDIS_URL.",
            file=sys.stderr,
        )
        return 2
    if not settings.mongodb_url:
        try:
            # Kept open for the life of the process: `python -m app restore` refuses while it is held.
            data_lock.hold_for_serving(settings.data_dir)
        except BackupError as exc:
            print(f"walky: {exc}", file=sys.stderr)
            return 1
    # uvicorn re-raises the stop signal once it has shut down gracefully; with these handlers
    # restored at that point, a requested stop exits 0 instead of looking like a crash.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    options = uvicorn_options(settings, args.host, args.port)
    if args.workers > 1:
        # Each process builds its own app (worker_app); the processes share the port, Redis and the store.
        uvicorn.run("app.__main__:worker_app", factory=True, workers=args.workers, **options)
        return 0
    app = create_app(settings)
    build_route_tables(app)
    tune_garbage_collector()
    uvicorn.run(app, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
