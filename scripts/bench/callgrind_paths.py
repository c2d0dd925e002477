"""Instructions per request with and without each shortcut (callgrind): does it pay its way?

A shortcut stays only when it saves at least 5% of its path's instructions (BENCHMARKS.md, 2026-12-08).
Timings on this shared 2-core machine vary by ±10% from run to run; callgrind's counts repeat to ~0.5%.

Each variant is one server, run as `python -m app` runs it (uvicorn on uvloop with
`app.__main__.uvicorn_options`, the app from `create_app`) on a loopback port, under
`valgrind --tool=callgrind --instr-atstart=no`. This process, not measured, is the client: one keep-alive
connection, warm-up requests, `callgrind_control -i on`, `--requests` requests, `callgrind_control -i off`,
then SIGTERM. The count is the server's user-space instructions for those requests: uvicorn's protocol,
the middleware, the app, the Redis client (not redis-server, not the kernel's side of its syscalls).
A shortcut is toggled by a real switch, never by editing code: the protocol class uvicorn is given, or
`create_app`'s keyword arguments.

Paths:
- `protocol`: `GET /healthz` (a small REST answer) through uvicorn's `HttpToolsProtocol`: the base for a
  protocol shortcut (add its variant to VARIANTS).
- `nearby`: `GET /v1/locations/workers` (5,000 walkers in a private redis-server, 200 centres, radius 2 km,
  limit 20, an owner's token): the whole stack (FastAPI's route) against the lane (app/rest/nearby_lane.py).

    PYTHONPATH=. .venv/bin/python -m scripts.bench.callgrind_paths [--paths protocol nearby] [--requests 2000]
        [--warmup 200] [--rounds 1] [--keep DIR]

valgrind is Debian's (`scripts/bootstrap --test` installs it). One to three minutes per variant on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.bench.live_support import JWT_SECRET, ROOT, token
from tests.support.redis_server import free_port, redis_server

BAR = 0.05  # the least saving a shortcut must show on its path
WALKERS = 5000
CENTRES = 200
SEED = 8
RADIUS_M = 2000
LIMIT = 20
OWNER = "o" + "0" * 23


@dataclass(frozen=True)
class Variant:
    name: str
    path: str  # "protocol" or "nearby"
    against: str = ""  # the variant without this one's shortcut ("" for a path's baseline)
    # create_app's keyword arguments, and the name of the HTTP protocol class ("" for uvicorn's own)
    app_options: dict[str, bool] = field(default_factory=dict)
    protocol: str = ""


# The shortcuts there are, each against its path without it. Measured and removed on 2026-12-08 (BENCHMARKS.md;
# run this script at 8cdaabd to measure them again): the one-write HTTP protocol, 0.6% more instructions per
# answer, and the nearby entrance on top of the lane, 3.3% fewer.
VARIANTS = [
    Variant("httptools", "protocol"),
    Variant("stack", "nearby", app_options={"nearby_lane": False}),
    Variant("lane", "nearby", against="stack", app_options={"nearby_lane": True}),
]


# --- the server side (run under valgrind) -------------------------------------------------------------------


def serve(variant: Variant, port: int) -> None:
    import uvicorn

    from app import ratelimit
    from app.__main__ import tune_garbage_collector, uvicorn_options
    from app.logs import configure_logging
    from app.service import build_route_tables, create_app, services_of
    from app.settings import Settings
    from app.store.marketplace import workers

    settings = Settings()
    configure_logging(settings.log_level)
    # Under valgrind a second of the clock is a few dozen requests: keep the profiles the warm-up read for
    # the whole run, as a server at full speed keeps them for the few hundred requests of its 5 s.
    workers.RECENT_WORKER_TTL_S = 3600.0
    # Likewise the rate limit's leases: at full speed a busy user's lease covers thousands of requests a
    # second, under valgrind a few dozen, and each new one is a Redis round trip (a count that would
    # follow the machine's load).
    ratelimit.LEASE_S = 3600.0
    app = create_app(settings, **variant.app_options)  # type: ignore[arg-type]
    # No background loops (sweepers, relays, job runner): they wake by the clock, and under valgrind's
    # slowness each would run dozens of times within a run, a varying share of its count. Neither path
    # measured here needs them.
    services_of(app).background.clear()
    build_route_tables(app)
    tune_garbage_collector()
    options = uvicorn_options(settings, "127.0.0.1", port)
    if variant.protocol:
        module, _, name = variant.protocol.partition(":")
        options["http"] = getattr(__import__(module, fromlist=[name]), name)
    else:
        options["http"] = "httptools"
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    uvicorn.run(app, **options)


# --- the world: walkers in SQLite and Redis -------------------------------------------------------------------


def positions() -> list[Any]:
    from scripts.bench.bench_nearby import random_point

    rng = random.Random(SEED)
    return [random_point(rng) for _ in range(WALKERS + CENTRES)]


# --- the client side (native) ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; `get` returns the status and the body."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.buffer = b""

    def get(self, request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(request)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._read()
        head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
        length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(head.split(b" ", 2)[1]), body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def requests_for(path: str, points: list[Any]) -> list[bytes]:
    if path == "protocol":
        return [b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]
    bearer = token(sub=OWNER, role="owner")
    return [
        (
            f"GET /v1/locations/workers?lat={p.lat:.6f}&lng={p.lng:.6f}&radius={RADIUS_M}&limit={LIMIT} HTTP/1.1\r\n"
            f"Host: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n\r\n"
        ).encode()
        for p in points[WALKERS:]
    ]


def wait_ready(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = Connection(port)
        except OSError:
            time.sleep(0.5)
            continue
        try:
            if conn.get(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0] == 200:
                return
        finally:
            conn.close()
    raise SystemExit("the server did not start within 15 minutes")


def callgrind_control(instrumentation: str, pid: int) -> None:
    command = ["callgrind_control", "-i", instrumentation, str(pid)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


def measure(variant: Variant, args: argparse.Namespace, env: dict[str, str], points: list[Any]) -> float:
    """Instructions per request of `variant`."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="walky-callgrind-"))
    out, log = workdir / "callgrind.out", workdir / "server.log"
    command = [
        *("valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}"),
        *(sys.executable, "-m", "scripts.bench.callgrind_paths", "--serve", variant.name, "--port", str(port)),
    ]
    requests = requests_for(variant.path, points)
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)
    try:
        wait_ready(proc, port, log)
        conn = Connection(port)
        for i in range(args.warmup):
            conn.get(requests[i % len(requests)])
        callgrind_control("on", proc.pid)
        for i in range(args.requests):
            status, body = conn.get(requests[i % len(requests)])
            if status != 200:
                raise SystemExit(f"{variant.name}: {status} {body[:300]!r}")
        callgrind_control("off", proc.pid)
        conn.close()
        if variant.path == "nearby" and body.count(b'"workerId"') != LIMIT:
            raise SystemExit(f"{variant.name}: the last page is not full: {body[:300]!r}")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # With instrumentation switched on after the start, `summary:` is 0 and `totals:` holds the count.
    totals = re.search(r"(?m)^totals: (\d+)", out.read_text())
    if totals is None:
        raise SystemExit(f"no totals in {out}")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(out, args.keep / f"callgrind.out.{variant.name}.{len(list(args.keep.iterdir()))}")
    shutil.rmtree(workdir, ignore_errors=True)
    requests_measured: int = args.requests
    return int(totals.group(1)) / requests_measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--paths", nargs="+", choices=["protocol", "nearby"], default=["protocol", "nearby"])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per variant")
    parser.add_argument("--warmup", type=int, default=200, help="requests before the measurement (not counted)")
    parser.add_argument("--rounds", type=int, default=1, help="each variant this many times, interleaved")
    parser.add_argument("--keep", type=Path, help="keep each run's callgrind.out here (for callgrind_annotate)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    by_name = {v.name: v for v in VARIANTS}
    if args.serve:
        serve(by_name[args.serve], args.port)
        return
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed: apt-get install valgrind (scripts/bootstrap --test)")
    chosen = [v for v in by_name.values() if v.path in args.paths]
    # Stopped, it still stops its server and its redis-server (the `finally`s run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    from scripts.bench import bench_nearby

    points = positions()
    counts: dict[str, list[float]] = {v.name: [] for v in chosen}
    with redis_server() as redis_url, tempfile.TemporaryDirectory(prefix="walky-callgrind-data-") as data_dir:
        asyncio.run(bench_nearby.store_workers(Path(data_dir), WALKERS))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WALKY_")},
            "PYTHONHASHSEED": "0",
            "PYTHONPATH": str(ROOT),
            "WALKY_JWT_SECRET": JWT_SECRET,
            "WALKY_DATA_DIR": data_dir,
            "WALKY_REDIS_URL": redis_url,
            "WALKY_LOG_LEVEL": "warning",
            # One token sends every request: the per-user limit above what a run sends (still counted).
            "WALKY_API_RATE_LIMIT": "1000000/minute",
        }
        for round_no in range(1, args.rounds + 1):
            for variant in chosen:
                asyncio.run(bench_nearby.index_workers(redis_url, points[:WALKERS]))
                started = time.monotonic()
                counts[variant.name].append(measure(variant, args, env, points))
                took = time.monotonic() - started
                print(
                    f"round {round_no} {variant.path:8} {variant.name:14} {counts[variant.name][-1]:>12,.0f} "
                    f"instructions/request ({took:.0f} s)",
                    flush=True,
                )
    print(f"\n{args.requests} requests per variant after {args.warmup} of warm-up; median of {args.rounds} round(s)")
    for variant in chosen:
        count = statistics.median(counts[variant.name])
        spread = (max(counts[variant.name]) - min(counts[variant.name])) / count
        line = f"{variant.path:8} {variant.name:14} {count:>12,.0f} instructions/request (spread {spread:.2%})"
        if variant.against:
            ratio = count / statistics.median(counts[variant.against])
            verdict = "clears" if 1 - ratio >= BAR else "does NOT clear"
            line += f"; {ratio:.3f}x {variant.against}, saving {1 - ratio:+.1%}: {verdict} the {BAR:.0%} bar"
        print(line)


if __name__ == "__main__":
    main()
