"""Real servers for Socket.IO tests: uvicorn in-process on a free port, and helpers to make workers."""

from __future__ import annotations

import asyncio
import fcntl
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import socketio
import uvicorn

from app.auth.principal import Principal
from app.composition import Services
from app.domain.users import Role
from app.domain.workers import Worker
from app.ids import new_id
from app.service import create_app, services_of
from app.settings import Settings
from realtime.limits import MAX_PACKET_BYTES
from realtime.ws_protocol import LeanWebSocketProtocol
from tests.support.redis_server import free_port

# Central London; tests place workers around it.
LNG, LAT = -0.1276, 51.5072


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class LiveServer:
    url: str
    services: Services

    def token(
        self, role: Role, *, business_id: str | None = None, worker_id: str | None = None, user_id: str | None = None
    ) -> str:
        principal = Principal(user_id or new_id(), role, business_id, worker_id)
        return self.services.access_tokens.issue(principal, self.services.clock.now())

    async def add_worker(self, business_id: str, *, active: bool = True) -> tuple[str, str]:
        """A stored worker of `business_id` and an access token for them."""
        return await add_worker(self.services, business_id, active=active)


async def add_worker(services: Services, business_id: str, *, active: bool = True) -> tuple[str, str]:
    worker_id, user_id, now = new_id(), new_id(), services.clock.now()
    await services.store.workers.add(
        Worker(
            id=worker_id,
            user_id=user_id,
            business_id=business_id,
            first_name="Wally",
            last_name="Walker",
            email=f"{worker_id}@example.com",
            is_active=active,
            created_at=now,
            updated_at=now,
        )
    )
    token = services.access_tokens.issue(Principal(user_id, Role.WORKER, business_id, worker_id), now)
    return worker_id, token


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[LiveServer]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            loop="asyncio",
            lifespan="on",
            log_level="warning",
            # As app/__main__.py serves it: frames above the packet limit refused while reading.
            ws=LeanWebSocketProtocol,
            ws_max_size=MAX_PACKET_BYTES,
        )
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        await asyncio.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", services_of(app))
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def live_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", presence_grace_s=1, location_rate_limit="1000/second", _env_file=None)


@pytest.fixture
async def live(live_settings: Settings) -> AsyncIterator[LiveServer]:
    async with serve(live_settings) as server:
        yield server


@pytest.fixture
async def live_redis(tmp_path: Path, redis_url: str) -> AsyncIterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path / "data",
        redis_url=redis_url,
        presence_grace_s=1,
        location_rate_limit="1000/second",
        _env_file=None,
    )
    async with serve(settings) as server:
        yield server


@asynccontextmanager
async def socket_client(url: str, token: str | None) -> AsyncIterator[socketio.AsyncClient]:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(url, auth={"token": token} if token else None, transports=["websocket"], wait_timeout=5)
    try:
        yield client
    finally:
        await client.disconnect()


NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_client() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm are not installed: the socket.io-client interop tests need them")
    # xdist workers may get here together: one installs, the others wait for it.
    with (Path(tempfile.gettempdir()) / "walky-node-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (NODE_DIR / "node_modules" / "socket.io-client").is_dir():
            subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True, timeout=300
            )
    return NODE_DIR / "client.mjs"
