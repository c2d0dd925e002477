"""Server CPU per answer of browse and service search, in process, against `GET /healthz`.

Same data as bench_browse (10,000 businesses on the embedded store). The ASGI app made by create_app is
called directly, one request at a time (no HTTP client, no socket), so the process CPU time per request
is the server's own work: middlewares, FastAPI, the use case and the store thread. A loaded machine
inflates every figure; the ratios to /healthz, measured in the same run, hold better.

Browse is measured twice: as served from the kept id lists ("hit"), and with the store's change counters
bumped before every request, as if another process wrote between every two requests ("miss": each
page then comes from the database, plus a counter read).

    .venv/bin/python -m scripts.bench.bench_browse_cpu [--businesses 10000] [--requests 600]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message

from app.logs import configure_logging
from app.service import create_app, services_of
from app.settings import Settings
from app.store.schema import BUSINESSES, SERVICES
from app.store.sqlite.versions import VERSIONS_TABLE
from scripts.bench.bench_browse import browse_paths, load, search_paths


async def call(app: ASGIApp, path: str) -> None:
    url = urlsplit(path)
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url.path,
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if sent[0]["status"] != 200:
        raise RuntimeError(f"{path} answered {sent[0]['status']}")


async def cpu_ms(app: ASGIApp, paths: list[str], count: int, before: Callable[[], None] | None = None) -> float:
    """Process CPU (every thread) per request, in ms; `before` runs untimed before each request."""
    spent = 0.0
    for i in range(count):
        if before is not None:
            before()
        started = time.process_time()
        await call(app, paths[i % len(paths)])
        spent += time.process_time() - started
    return spent * 1000 / count


async def measure(data_dir: Path, requests: int) -> None:
    rng = random.Random(11)
    browse, search = browse_paths(rng), search_paths(rng)
    kinds = {
        "browse, plain": [p for p in browse if "serviceType" not in p and "&q=" not in p],
        "browse, by serviceType": [p for p in browse if "serviceType" in p],
        "browse, by q": [p for p in browse if "&q=" in p],
    }
    settings = Settings(data_dir=data_dir, api_rate_limit="100000000/minute", log_level="warning")
    app = create_app(settings)
    services = services_of(app)
    await services.start()
    writer = sqlite3.connect(data_dir / "walky.sqlite3", isolation_level=None)
    writer.execute("PRAGMA synchronous=OFF")

    def write() -> None:
        writer.execute(
            f"UPDATE {VERSIONS_TABLE} SET version = version + 1 WHERE name IN (?, ?)", (BUSINESSES, SERVICES)
        )

    try:
        for path in browse + search:
            await call(app, path)
            await call(app, path)
        bare = await cpu_ms(app, ["/healthz"], requests)
        print(f"  {'GET /healthz':32} {bare:6.2f} ms CPU per answer")
        figures = []
        for name, paths in kinds.items():
            figures.append((f"{name} (hit)", await cpu_ms(app, paths, requests)))
            figures.append((f"{name} (miss)", await cpu_ms(app, paths, requests, before=write)))
        figures.append(("service search", await cpu_ms(app, search, requests)))
        for name, spent in figures:
            print(f"  {name:32} {spent:6.2f} ms CPU per answer, {spent / bare:5.1f}x /healthz")
    finally:
        writer.close()
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    configure_logging("warning", pretty=False)
    with tempfile.TemporaryDirectory(prefix="walky-bench-browse-cpu-") as tmp:
        data_dir = Path(tmp)
        took = asyncio.run(load(data_dir, args.businesses, random.Random(11)))
        print(f"loaded {args.businesses} businesses with their services into SQLite in {took:.1f} s")
        asyncio.run(measure(data_dir, args.requests))


if __name__ == "__main__":
    main()
