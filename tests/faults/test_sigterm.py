"""SIGTERM while a walker streams fixes and an owner polls the walk: the server exits 0 and every fix it
acknowledged as accepted is in the walk's trail."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.faults.walking import FixStream, Walk, connect, key, start_walk
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.fault
ACKED_BEFORE_STOP = 50


async def poll_tracking(url: str, walk: Walk) -> None:
    """REST load beside the socket stream, until the server stops answering."""
    headers = {"Authorization": f"Bearer {walk.owner_token}"}
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        with contextlib.suppress(httpx.TransportError):
            while True:
                await client.get(f"/v1/bookings/{walk.booking_id}/tracking", headers=headers)


async def stored_trail(data_dir: Path, booking_id: str) -> set[tuple[float, float]]:
    store = Store(SqliteBackend(Settings(data_dir=data_dir, _env_file=None).sqlite_path))
    await store.setup()
    try:
        return {key(list(point.position)) for point in await store.trails.points(booking_id)}
    finally:
        await store.close()


async def test_sigterm_under_load_exits_0_and_loses_nothing_acknowledged(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    try:
        server.start()
        walk = await start_walk(server.url)
        stream = FixStream(walk.worker_token)
        walker = await connect(server.url, walk.worker_token)
        streaming = asyncio.create_task(stream.until_cut(walker, interval_s=0.001))
        polling = asyncio.create_task(poll_tracking(server.url, walk))
        deadline = time.monotonic() + 10
        while len(stream.accepted) < ACKED_BEFORE_STOP:
            assert time.monotonic() < deadline, f"fixes were not accepted: {stream.refused[:3]}"
            await asyncio.sleep(0.005)
        assert await server.terminate() == 0, server.output()
        await asyncio.wait_for(asyncio.gather(streaming, polling), 10)
        await walker.disconnect()
    finally:
        server.close()
    stored = await stored_trail(tmp_path / "data", walk.booking_id)
    missing = [fix for fix in stream.accepted if fix not in stored]
    assert not missing, f"{len(missing)} of {len(stream.accepted)} acknowledged fixes are not in the trail"
