"""`python -m app --workers 2`: two processes on one port (Redis mode); a fix sent to one reaches a fleet
watcher connected to the other; without Redis the option is refused."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from tests.app.marketplace import business_body
from tests.realtime.conftest import LAT, LNG, now_ms
from tests.support.api import PASSWORD
from tests.support.redis_server import free_port
from tests.support.server_process import running_server

ROOT = Path(__file__).resolve().parents[2]
# Sockets opened until one lands on the other process (the kernel hands connections to either).
MAX_TRIES = 30


@contextmanager
def two_workers(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, int]]:
    env = {
        **os.environ,
        "WALKY_REDIS_URL": redis_url,
        "WALKY_DATA_DIR": str(tmp_path / "data"),
        "WALKY_JWT_SECRET": "workers-test-secret-0123456789abcdef0123",
        "WALKY_LOG_LEVEL": "warning",
    }
    with running_server(env, tmp_path / "server.log", "--workers", "2", timeout_s=120, stop_timeout_s=30) as (
        url,
        proc,
    ):
        yield url, proc.pid


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def serving_process(client: ClientConnection, pids: list[int]) -> int:
    """Which of `pids` holds the server end of `client`'s TCP connection (from /proc)."""
    local_port = client.transport.get_extra_info("sockname")[1]
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[2].rsplit(":", 1)[1], 16) == local_port:
            inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no process of {pids} holds the connection from port {local_port}")


@asynccontextmanager
async def socket(url: str, token: str) -> AsyncIterator[ClientConnection]:
    """A Socket.IO connection written by hand (so its TCP port is known), connected with `token`."""
    async with websockets.connect(url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket") as ws:
        assert str(await ws.recv()).startswith("0{")
        await ws.send("40" + json.dumps({"token": token}))
        assert str(await ws.recv()).startswith("40{")
        yield ws


async def frame(ws: ClientConnection, prefix: str) -> Any:
    """The payload of the next frame starting with `prefix` (pings answered on the way)."""
    while True:
        text = str(await asyncio.wait_for(ws.recv(), 10))
        if text == "2":
            await ws.send("3")
        elif text.startswith(prefix):
            return json.loads(text[len(prefix) - 1 :] if prefix.endswith("[") else text[len(prefix) :])


async def event(ws: ClientConnection, name: str) -> Any:
    """The payload of the next `name` event the server emits."""
    while True:
        packet = await frame(ws, "42[")
        if packet[0] == name:
            return packet[1]


async def call(ws: ClientConnection, ack_id: int, event: str, payload: object) -> Any:
    await ws.send(f"42{ack_id}" + json.dumps([event, payload]))
    return (await frame(ws, f"43{ack_id}"))[0]


async def api(http: httpx.AsyncClient, method: str, url: str, token: str | None = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.request(method, url, headers=headers, **kw)
    assert response.status_code < 300, response.text
    return response.json()["data"]


async def test_a_fix_on_one_worker_reaches_a_watcher_on_the_other(tmp_path: Path, redis_url: str) -> None:
    with two_workers(tmp_path, redis_url) as (url, supervisor):
        workers = children(supervisor)
        async with httpx.AsyncClient(timeout=30) as http:
            register = {"email": "boss@example.com", "password": PASSWORD, "role": "business"}
            boss = await api(
                http, "POST", f"{url}/v1/auth/register", json={**register, "firstName": "B", "lastName": "C"}
            )
            business = await api(
                http, "POST", f"{url}/v1/businesses", boss["accessToken"], json=business_body(LNG, LAT)
            )
            walker_body = {
                "email": "w@example.com",
                "firstName": "W",
                "lastName": "K",
                "password": PASSWORD,
                "specializations": ["dog"],
            }
            worker = await api(
                http, "POST", f"{url}/v1/businesses/{business['id']}/workers", boss["accessToken"], json=walker_body
            )
            session = await api(
                http, "POST", f"{url}/v1/auth/login", json={"email": "w@example.com", "password": PASSWORD}
            )
        async with socket(url, session["accessToken"]) as walker:
            walker_process = serving_process(walker, workers)
            for _ in range(MAX_TRIES):
                async with socket(url, boss["accessToken"]) as watcher:
                    if serving_process(watcher, workers) == walker_process:
                        continue
                    subscribed = await call(watcher, 1, "fleet:subscribe", {"businessId": business["id"]})
                    assert subscribed["ok"] is True, subscribed
                    assert (await call(walker, 1, "worker:status", {"online": True}))["ok"] is True
                    ts = now_ms()
                    fix = {"coordinates": [LNG, LAT], "timestamp": ts}
                    assert await call(walker, 2, "location:update", fix) == {"ok": True, "accepted": 1}
                    message = await event(watcher, "fleet:location")
                    assert message == {
                        "workerId": worker["id"],
                        "coordinates": [LNG, LAT],
                        "timestamp": ts,
                        "available": True,
                    }
                    return
            raise AssertionError(f"{MAX_TRIES} sockets all landed on the walker's process")


def test_workers_without_redis_are_refused(tmp_path: Path) -> None:
    env = {**os.environ, "WALKY_DATA_DIR": str(tmp_path / "data"), "WALKY_LOG_LEVEL": "warning"}
    env.pop("WALKY_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--workers", "2", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers needs Redis" in done.stderr
