"""Time from `python -m app` to the first 200 from /healthz, on the embedded default.

Baseline in the same run: the time for `python -c pass` from the same interpreter, i.e. what any Python
process costs to start on this machine right now.

    .venv/bin/python -m scripts.bench.bench_startup [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

from tests.support.redis_server import free_port


def time_to_healthy() -> float:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WALKY_")}
        env["WALKY_DATA_DIR"] = data_dir
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    time.sleep(0.01)
                if time.perf_counter() - started > 30:
                    raise RuntimeError("server did not become healthy in 30 s")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)


def bare_python() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app_times = [time_to_healthy() for _ in range(args.runs)]
    bare_times = [bare_python() for _ in range(args.runs)]
    app_median, bare_median = statistics.median(app_times), statistics.median(bare_times)
    print(f"python -m app to healthy: median {app_median:.2f} s  max {max(app_times):.2f} s  ({args.runs} runs)")
    print(f"bare python start:        median {bare_median:.3f} s")
    print(
        f"ratio app/bare: {app_median / bare_median:.1f}x   target: healthy within 3 s -> "
        f"{'MET' if max(app_times) <= 3 else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
