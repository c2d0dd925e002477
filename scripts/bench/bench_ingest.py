"""Ingest throughput, Redis mode: `location:update` round trips against a floor measured in the same run.

Server: `python -m app` (a subprocess, uvicorn with uvloop/httptools/websockets-sansio) against a private
redis-server, location rate limit out of the way. Floor: `scripts/bench/floor_server.py`, a bare
python-socketio server under the same uvicorn settings whose handlers only acknowledge.

Load: N walkers, one `socket.io-client` socket each, all in one Node process (node/walkers.mjs). Each
goes online (`worker:status`), then loops for a fixed time: emit `location:update` with a plausible
moving fix (1.4 m/s, strictly increasing timestamps) and await the ack. The floor and the server get
identical load one after the other. Per round and socket count we report acks/s, p50/p99 ack latency,
errors and the accepted ratio, then the ratios server/floor.

Targets: >= 0.85x the floor's acks/s, p99 <= 1.5x the floor's, zero errors.

    .venv/bin/python -m scripts.bench.bench_ingest [--sockets 50 300] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
from typing import Any

from redis import Redis

from scripts.bench.live_support import ensure_node_client, median, run_walkers, serve, verdict, worker_tokens
from tests.support.redis_server import redis_server

TARGET_THROUGHPUT = 0.85
TARGET_P99 = 1.5


def line(name: str, r: dict[str, Any]) -> str:
    return (
        f"  {name:6} {r['acksPerS']:8.0f} acks/s  p50 {r['p50Ms']:6.2f} ms  p99 {r['p99Ms']:6.2f} ms  "
        f"errors {r['errors']}  accepted {r['acceptedRatio']:.3f}  client cpu {r['clientCpuShare']:.2f}"
        + (f"  {r['errorCodes']}" if r["errorCodes"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sockets", type=int, nargs="+", default=[50, 300])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_node_client()
    ratios: dict[int, list[tuple[float, float, int, float]]] = {n: [] for n in args.sockets}
    with redis_server() as redis_url:
        redis = Redis.from_url(redis_url)
        env = {"WALKY_REDIS_URL": redis_url, "WALKY_LOCATION_RATE_LIMIT": "100000/second"}
        for round_no in range(1, args.rounds + 1):
            for sockets in args.sockets:
                tokens = worker_tokens(sockets)
                with serve("floor") as floor:
                    base = run_walkers(floor.url, tokens, warmup_s=args.warmup, duration_s=args.duration, online=True)
                redis.flushdb()
                with serve("app", env) as app:
                    real = run_walkers(app.url, tokens, warmup_s=args.warmup, duration_s=args.duration, online=True)
                throughput = real["acksPerS"] / base["acksPerS"]
                p99 = real["p99Ms"] / base["p99Ms"]
                ratios[sockets].append((throughput, p99, real["errors"], real["acceptedRatio"]))
                print(f"round {round_no}, {sockets} sockets, {args.duration:g} s:", flush=True)
                print(line("floor", base))
                print(line("server", real))
                print(f"  ratio  throughput {throughput:.2f}x  p99 {p99:.2f}x", flush=True)
        redis.close()
    targets = f"targets: >= {TARGET_THROUGHPUT}x acks/s, p99 <= {TARGET_P99}x, 0 errors"
    print(f"\nmedian over {args.rounds} round(s) ({targets})")
    for sockets, rows in ratios.items():
        throughput = median([r[0] for r in rows])
        p99 = median([r[1] for r in rows])
        errors = sum(r[2] for r in rows)
        accepted = median([r[3] for r in rows])
        print(
            f"  {sockets:4} sockets: throughput {throughput:.2f}x [{verdict(throughput >= TARGET_THROUGHPUT)}]  "
            f"p99 {p99:.2f}x [{verdict(p99 <= TARGET_P99)}]  errors {errors} [{verdict(errors == 0)}]  "
            f"accepted ratio {accepted:.3f}"
        )


if __name__ == "__main__":
    main()
