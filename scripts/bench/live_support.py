"""Shared pieces of the live-location-plane benchmarks (issue 4): server subprocesses, tokens, the Node
walkers, RSS and percentiles."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
WALKERS = NODE_DIR / "walkers.mjs"
JWT_SECRET = "bench-" + secrets.token_hex(24)


def ensure_node_client() -> None:
    if not (NODE_DIR / "node_modules" / "socket.io-client").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is needed for the socket.io-client walkers")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


def token(*, sub: str, role: str, worker_id: str | None = None, business_id: str | None = None) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "role": role, "iss": "walky", "typ": "access", "iat": now}
    claims["exp"] = now + 3600
    if worker_id:
        claims["workerId"] = worker_id
    if business_id:
        claims["businessId"] = business_id
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256")


def worker_id(i: int) -> str:
    return f"{i:024x}"


def business_id(i: int) -> str:
    return f"b{i:023x}"


def worker_tokens(count: int, businesses: int = 50) -> list[str]:
    return [
        token(sub=f"u{i:023x}", role="worker", worker_id=worker_id(i), business_id=business_id(i % businesses))
        for i in range(count)
    ]


class Server:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
        self.proc = proc
        self.port = port
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log_path: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=0.5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url}:\n{log_path.read_text()[-3000:]}")


@contextmanager
def serve(kind: str, env: Mapping[str, str] | None = None, data_dir: Path | None = None) -> Iterator[Server]:
    """`kind` "app" runs `python -m app`, "floor" the bare Socket.IO server; stopped on exit."""
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"walky-bench-{kind}-"))
    log_path = workdir / "server.log"
    full_env = {
        **os.environ,
        "WALKY_JWT_SECRET": JWT_SECRET,
        "WALKY_DATA_DIR": str(data_dir or workdir),
        "WALKY_LOG_LEVEL": "warning",
        **(env or {}),
    }
    module = "app" if kind == "app" else "scripts.bench.floor_server"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "--port", str(port)], cwd=ROOT, env=full_env, stdout=log, stderr=log
        )
    probe = f"http://127.0.0.1:{port}" + ("/healthz" if kind == "app" else "/socket.io/?EIO=4&transport=polling")
    try:
        _wait_ready(proc, probe, log_path)
        yield Server(proc, port, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _write_config(config: Mapping[str, Any]) -> Path:
    fd, name = tempfile.mkstemp(prefix="walky-bench-", suffix=".json")
    with os.fdopen(fd, "w") as out:
        json.dump(config, out)
    return Path(name)


def run_walkers(url: str, tokens: Sequence[str], *, warmup_s: float, duration_s: float, online: bool) -> dict[str, Any]:
    config = {
        "url": url,
        "tokens": list(tokens),
        "warmupMs": int(warmup_s * 1000),
        "durationMs": int(duration_s * 1000),
        "online": online,
    }
    return _run_node([str(WALKERS), "stream"], config, timeout_s=warmup_s + duration_s + 180, what="walkers")


@contextmanager
def idle_walkers(url: str, tokens: Sequence[str], hold_s: float = 120) -> Iterator[dict[str, Any]]:
    """Connect every token's socket and keep them idle inside the block."""
    path = _write_config({"url": url, "tokens": list(tokens), "holdMs": int(hold_s * 1000)})
    proc = subprocess.Popen(
        ["node", str(WALKERS), "idle", str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        first = proc.stdout.readline()
        if not first.startswith("{"):
            raise RuntimeError(f"idle walkers failed: {first} {proc.stderr.read() if proc.stderr else ''}")
        yield json.loads(first)
        proc.stdin.write("done\n")
        proc.stdin.flush()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        path.unlink(missing_ok=True)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


HTTP_LOAD = NODE_DIR / "http_load.mjs"


def run_http(
    url: str, paths: Sequence[str], *, token: str | None, clients: int, warmup_s: float, duration_s: float
) -> dict[str, Any]:
    config = {
        "url": url,
        "paths": list(paths),
        "token": token,
        "clients": clients,
        "warmupMs": int(warmup_s * 1000),
        "durationMs": int(duration_s * 1000),
    }
    return _run_node([str(HTTP_LOAD)], config, timeout_s=warmup_s + duration_s + 120, what="http load")


def run_node_script(script: Path, config: Mapping[str, Any], *, timeout_s: float, what: str) -> dict[str, Any]:
    """Run one of the Node scripts beside this module with its config; its last JSON line is the result."""
    return _run_node([str(script)], config, timeout_s=timeout_s, what=what)


def _run_node(script: Sequence[str], config: Mapping[str, Any], *, timeout_s: float, what: str) -> dict[str, Any]:
    """Run a Node load script with its config file; its last JSON line on stdout is the result."""
    path = _write_config(config)
    try:
        done = subprocess.run(
            ["node", *script, str(path)], capture_output=True, text=True, timeout=timeout_s, check=False
        )
    finally:
        path.unlink(missing_ok=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
