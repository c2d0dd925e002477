"""Resident memory of a real server process under hostile input that needs no token, and under socket churn.

`python -m app` runs as a subprocess (embedded mode by default; `--redis` runs it against a private
redis-server). After a warm-up (1,000 connect/disconnect cycles and 10 oversized frames, so one-time
costs and allocator high-water marks are not charged to the load) and 30 s (Engine.IO's 25 s ping task
holds each closed socket until it runs out), the server's VmRSS is the baseline. Then:

1. 100 WebSocket frames of 10 MB, each on its own Engine.IO transport that never sends a Socket.IO
   CONNECT (no token), 10 transports at a time; VmRSS once all are closed.
2. 10,000 Socket.IO connect/disconnect cycles with a valid worker token (the Engine.IO handshake, the
   Socket.IO CONNECT with `auth`, the server's CONNECT answer, close), 20 at a time; VmRSS 30 s after.
   A second round of 10,000 follows: a leak grows again by as much, a plateau does not.

Each figure is printed with its growth over the baseline and its ratio to it. Targets: growth under 5 MB
after each phase.

    .venv/bin/python -m scripts.bench.bench_hostile [--frames 100] [--frame-mb 10] [--cycles 10000]
        [--cycle-rounds 2] [--redis]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import ExitStack

import websockets

from scripts.bench.live_support import rss_kib, serve, verdict, worker_tokens
from tests.support.redis_server import redis_server

TARGET_MB = 5.0
SETTLE_S = 2.0
# Engine.IO's ping task holds each closed socket (its queue, its ping task) until the ping interval (25 s)
# runs out: the cycles are measured once those have let go, so what is left is what stays.
PING_HOLD_S = 30.0
WARMUP_CYCLES = 1000


def ws_url(http_url: str) -> str:
    return http_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"


async def oversized_frame(url: str, size: int) -> str:
    """One frame of `size` bytes on a transport that never connects; how it ended."""
    try:
        async with websockets.connect(url, max_size=None, open_timeout=30) as ws:
            await ws.recv()
            await ws.send("4" + "x" * (size - 1))
            await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed as exc:
        return f"closed {exc.rcvd.code}" if exc.rcvd else "closed"
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__
    return "answered"


async def connect_cycle(url: str, token: str) -> str:
    async with websockets.connect(url, open_timeout=30) as ws:
        await ws.recv()
        await ws.send("40" + json.dumps({"token": token}))
        answer = str(await asyncio.wait_for(ws.recv(), 10))
    return "connected" if answer.startswith("40{") else answer[:40]


async def run_all(count: int, concurrency: int, job: Callable[[int], Awaitable[str]]) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            outcomes[await job(i)] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return outcomes


def mb(kib: int) -> float:
    return kib * 1024 / 1e6


def report(label: str, baseline_kib: int, after_kib: int) -> bool:
    grown_mb = mb(after_kib - baseline_kib)
    ok = grown_mb < TARGET_MB
    print(
        f"  {label:42} {mb(after_kib):7.1f} MB  growth {grown_mb:+6.1f} MB  "
        f"({after_kib / baseline_kib:.3f}x the baseline) [{verdict(ok)}]",
        flush=True,
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--frame-mb", type=float, default=10.0)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--cycle-rounds", type=int, default=2, help="rounds of --cycles, to tell a leak from a plateau")
    parser.add_argument("--redis", action="store_true", help="run the server in Redis mode")
    args = parser.parse_args()
    tokens = worker_tokens(200)
    frame_bytes = int(args.frame_mb * 1_000_000)
    with ExitStack() as stack:
        env = {"WALKY_REDIS_URL": stack.enter_context(redis_server())} if args.redis else {}
        server = stack.enter_context(serve("app", env))
        url = ws_url(server.url)
        asyncio.run(run_all(WARMUP_CYCLES, 20, lambda i: connect_cycle(url, tokens[i % len(tokens)])))
        asyncio.run(run_all(10, 10, lambda _: oversized_frame(url, frame_bytes)))
        time.sleep(PING_HOLD_S)
        baseline = rss_kib(server.pid)
        print(f"python -m app ({'Redis' if args.redis else 'embedded'} mode), pid {server.pid}")
        print(f"  {'baseline after warm-up':42} {mb(baseline):7.1f} MB")

        started = time.monotonic()
        frames = asyncio.run(run_all(args.frames, 10, lambda _: oversized_frame(url, frame_bytes)))
        took = time.monotonic() - started
        time.sleep(SETTLE_S)
        label = f"after {args.frames} frames of {args.frame_mb:g} MB, no token"
        frames_ok = report(label, baseline, rss_kib(server.pid))
        print(f"    {took:.1f} s; outcomes: {dict(frames)}")

        cycles_ok = True
        previous = rss_kib(server.pid)
        for round_no in range(1, args.cycle_rounds + 1):
            started = time.monotonic()
            cycles = asyncio.run(run_all(args.cycles, 20, lambda i: connect_cycle(url, tokens[i % len(tokens)])))
            took = time.monotonic() - started
            time.sleep(PING_HOLD_S)
            after = rss_kib(server.pid)
            label = f"after {args.cycles * round_no} connect/disconnect cycles"
            cycles_ok = report(label, baseline, after) and cycles_ok
            print(
                f"    round {round_no}: {took:.1f} s ({args.cycles / took:.0f} cycles/s), "
                f"{mb(after - previous):+.1f} MB over the round before; outcomes: {dict(cycles)}"
            )
            previous = after
    print(f"targets: growth under {TARGET_MB:g} MB after each phase: {verdict(frames_ok and cycles_ok)}")


if __name__ == "__main__":
    main()
