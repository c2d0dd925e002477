"""A WebSocket frame above the packet limit costs the real server process (`python -m app`) no lasting memory:
uvicorn refuses it from its header instead of buffering it for Engine.IO to drop (issue 10, fault 1)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import websockets

from realtime.limits import MAX_PACKET_BYTES
from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
FRAME_BYTES = 10_000_000
FRAMES = 20


@contextmanager
def app_process(data_dir: Path) -> Iterator[tuple[str, int]]:
    """`python -m app` on a free port: its URL and pid."""
    port = free_port()
    env = {**os.environ, "WALKY_DATA_DIR": str(data_dir), "WALKY_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            with suppress(httpx.TransportError):
                if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def send_oversized(url: str) -> str:
    """One frame of FRAME_BYTES before any Socket.IO connect; how the server answered it."""
    frame = "4" + "x" * (FRAME_BYTES - 1)
    try:
        async with websockets.connect(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", max_size=None
        ) as ws:
            await ws.recv()
            await ws.send(frame)
            await asyncio.wait_for(ws.recv(), 5)
    except websockets.ConnectionClosed as exc:
        return str(exc.rcvd.code) if exc.rcvd else "closed"
    except OSError:
        return "reset"
    return "answered"


async def test_oversized_frames_before_connect_leave_no_resident_memory(tmp_path: Path) -> None:
    with app_process(tmp_path) as (url, pid):
        await send_oversized(url)
        before = rss_mib(pid)
        outcomes = {await send_oversized(url) for _ in range(FRAMES)}
        await asyncio.sleep(0.5)
        grown = rss_mib(pid) - before
        # Before the fix each frame left about 10 MiB resident (issue 10: 110 MB -> 746 MB for 60 frames).
        assert grown < 20, f"RSS grew {grown:.1f} MiB over {FRAMES} frames of {FRAME_BYTES} bytes"
        assert outcomes <= {"1009", "reset", "closed"}, outcomes
        # The server still answers after them.
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{url}/healthz", timeout=5)).status_code == 200


async def test_a_frame_at_the_packet_limit_is_still_read(tmp_path: Path) -> None:
    # The bound sits at Engine.IO's own limit: nothing the engine accepted before is refused earlier now.
    with app_process(tmp_path) as (url, _):
        async with websockets.connect(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket") as ws:
            await ws.recv()
            await ws.send("4" + "x" * (MAX_PACKET_BYTES - 1024))
            with suppress(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code != 1009
