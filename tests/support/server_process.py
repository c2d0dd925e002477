"""`python -m app` as a real subprocess on a fixed free port, for tests that kill and restart it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


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
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(probe, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{self.output()}")
            time.sleep(0.05)

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
