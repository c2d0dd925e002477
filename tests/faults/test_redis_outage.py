"""Redis stopped and restarted under a live stream: events are answered UNAVAILABLE while it is away and
accepted again within 2 s of it answering; /readyz says 503 naming Redis while it is away, 200 after."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.walking import FixStream, connect, fixes_reach_a_watcher, start_walk
from tests.support.redis_server import redis_process
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.fault
RECOVERY_S = 2.0


async def readiness(url: str) -> tuple[int, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{url}/readyz")
    return response.status_code, response.json()


async def test_events_recover_within_2_s_of_redis_answering_and_readiness_tells_the_truth(tmp_path: Path) -> None:
    with redis_process() as redis:
        server = ServerProcess(tmp_path / "data", WALKY_REDIS_URL=redis.url)
        try:
            server.start()
            walk = await start_walk(server.url)
            stream = FixStream(walk.worker_token)
            walker = await connect(server.url, walk.worker_token)
            assert await stream.call(walker) == {"ok": True, "accepted": 1}

            redis.stop()
            for _ in range(3):
                answer = await stream.call(walker)
                assert answer["ok"] is False and answer["error"]["code"] == "UNAVAILABLE", answer
            status, body = await readiness(server.url)
            assert status == 503
            assert {"component": "redis"} in body["error"]["details"], body

            redis.start()
            answering = time.monotonic()
            while (await stream.call(walker)).get("accepted") != 1:
                assert time.monotonic() - answering < RECOVERY_S, f"still refused: {stream.refused[-1]}"
                await asyncio.sleep(0.02)
            while (await readiness(server.url))[0] != 200:
                assert time.monotonic() - answering < RECOVERY_S + 3, await readiness(server.url)
                await asyncio.sleep(0.1)
            await walker.disconnect()
            # The Socket.IO manager is listening again: a fix still reaches the walk's watcher.
            await fixes_reach_a_watcher(server.url, walk, stream)
        finally:
            server.close()
