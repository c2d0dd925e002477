"""Resident memory per idle connected socket: 2,000 `socket.io-client` sockets held open against the server.

`python -m app` runs as a subprocess (embedded mode, and Redis mode against a private redis-server). A
warm-up of 50 sockets connects and disconnects first, so one-time costs (imports, first-use caches,
Redis connections) are not charged to the sockets. Then the server's VmRSS is read, 2,000 worker
sockets connect from one Node process (node/walkers.mjs idle) and stay idle, and after a short settle
VmRSS is read again: (after - before) / 2,000 is the figure. Baseline in the same run: the bare
python-socketio floor server (scripts/bench/floor_server.py) under the same load.

Target: <= 20 KiB per socket.

    .venv/bin/python -m scripts.bench.bench_socket_memory [--sockets 2000] [--rounds 3] [--modes embedded redis]
"""

from __future__ import annotations

import argparse
import time

from scripts.bench.live_support import (
    Server,
    ensure_node_client,
    idle_walkers,
    median,
    rss_kib,
    serve,
    verdict,
    worker_tokens,
)
from tests.support.redis_server import redis_server

TARGET_KIB = 20.0
SETTLE_S = 2.0


def per_socket_kib(server: Server, tokens: list[str]) -> tuple[float, int]:
    with idle_walkers(server.url, tokens[:50]):
        pass
    time.sleep(SETTLE_S)
    before = rss_kib(server.pid)
    with idle_walkers(server.url, tokens) as hello:
        connected = int(hello["connected"])
        time.sleep(SETTLE_S)
        after = rss_kib(server.pid)
    return (after - before) / max(connected, 1), connected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["embedded", "redis"], choices=["embedded", "redis"])
    args = parser.parse_args()
    ensure_node_client()
    tokens = worker_tokens(args.sockets)
    results: dict[str, list[float]] = {"floor": [], **{mode: [] for mode in args.modes}}
    with redis_server() as redis_url:
        for round_no in range(1, args.rounds + 1):
            for kind in ["floor", *args.modes]:
                env = {"WALKY_REDIS_URL": redis_url} if kind == "redis" else {}
                with serve("floor" if kind == "floor" else "app", env) as server:
                    kib, connected = per_socket_kib(server, tokens)
                results[kind].append(kib)
                print(f"round {round_no} {kind:8} {connected} sockets: {kib:6.1f} KiB per socket", flush=True)
    print(f"\nmedian over {args.rounds} round(s) (target <= {TARGET_KIB:g} KiB per socket):")
    floor = median(results["floor"])
    print(f"  floor    {floor:6.1f} KiB per socket (bare python-socketio, baseline)")
    for mode in args.modes:
        kib = median(results[mode])
        print(f"  {mode:8} {kib:6.1f} KiB per socket ({kib / floor:.2f}x the floor) [{verdict(kib <= TARGET_KIB)}]")


if __name__ == "__main__":
    main()
