"""`python -m app` as a real subprocess on a fixed free port, for tests that kill and restart it, and the
one readiness wait every test that starts the real server uses."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
# Start-up takes about a second alone, but the suite runs beside other heavy work on shared cores, where
# importing and building the app has taken over 15 s: the wait is for a server that is up, not a timing.
START_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.1


def wait_until_answering(
    proc: subprocess.Popen[bytes], probe: str, log_path: Path, timeout_s: float = START_TIMEOUT_S
) -> float:
    """Poll `probe` until it answers 200 and return that moment (`time.monotonic()`); fail with the server's
    stderr (written to `log_path`) if it exits first or does not answer within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(probe, timeout=2).status_code == 200:
                return time.monotonic()
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {probe} answered:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{probe} did not answer 200 within {timeout_s:g} s:\n{_tail(log_path)}")
        time.sleep(POLL_INTERVAL_S)


@contextmanager
def running_server(
    env: dict[str, str],
    log_path: Path,
    *args: str,
    timeout_s: float = START_TIMEOUT_S,
    stop_timeout_s: float = 15,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m app --port P *args` until `/readyz` answers; its URL and process, terminated on exit."""
    port = free_port()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(port), *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(proc, f"{url}/readyz", log_path, timeout_s)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(log_path: Path, chars: int = 5000) -> str:
    return log_path.read_text(errors="replace")[-chars:] if log_path.exists() else "(no stderr written)"


class ServerProcess:
    """One server's address, environment and data; `start` again after `kill` or `terminate` is a restart."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "WALKY_DATA_DIR": str(data_dir),
            "WALKY_JWT_SECRET": "fault-suite-test-secret-0123456789abcdef",
            "WALKY_LOG_LEVEL": "warning",
            # The tests stream faster than a phone does, and register several accounts from one address.
            "WALKY_LOCATION_RATE_LIMIT": "1000/second",
            "WALKY_AUTH_RATE_LIMIT": "1000/minute",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        # The server's stderr, in a file so a chatty server never blocks on a full pipe.
        self.log_path = data_dir.parent / f"server-{self.port}.log"

    def start(self, *, ready: bool = True) -> None:
        """Start and wait until `/readyz` answers 200 (or, with `ready=False`, until `/healthz` does)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        probe = f"{self.url}/readyz" if ready else f"{self.url}/healthz"
        wait_until_answering(self.proc, probe, self.log_path)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """`kill -9`: no shutdown, nothing flushed."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    async def terminate(self, timeout_s: float = 20) -> int:
        """SIGTERM and the exit status, waited for without blocking the caller's event loop (its clients
        keep talking to the server while it shuts down)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(self.proc.wait, timeout_s)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
