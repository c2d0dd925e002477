"""`kill -9` during a walk, then a restart: every fix acknowledged as accepted is in the walk's trail, and
fixes after the restart keep landing and reach a watcher (embedded and Redis mode)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.faults.walking import FixStream, connect, fixes_reach_a_watcher, start_walk, trail
from tests.support.redis_server import redis_process
from tests.support.server_process import ServerProcess

pytestmark = pytest.mark.fault
# Acknowledged fixes before each kill, so the kill lands mid-stream.
ACKED_BEFORE_KILL = 20


@pytest.fixture(params=["embedded", "redis"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    with ExitStack() as stack:
        env = {}
        if request.param == "redis":
            # Redis keeps running across the kills: the walk table is in it, the process must reload it.
            env["WALKY_REDIS_URL"] = stack.enter_context(redis_process()).url
        process = ServerProcess(tmp_path / "data", **env)
        stack.callback(process.close)
        process.start()
        yield process


async def kill_mid_stream(server: ServerProcess, stream: FixStream) -> None:
    walker = await connect(server.url, stream.token)
    streaming = asyncio.create_task(stream.until_cut(walker))
    deadline = time.monotonic() + 10
    already = len(stream.accepted)
    while len(stream.accepted) < already + ACKED_BEFORE_KILL:
        assert time.monotonic() < deadline, f"fixes were not accepted: {stream.refused[:3]}"
        await asyncio.sleep(0.005)
    server.kill()
    await asyncio.wait_for(streaming, 10)
    await walker.disconnect()


# Two kills in a row in one mode, one in the other: each server start costs seconds on a busy machine.
KILLS = {"embedded": 2, "redis": 1}


async def test_acknowledged_fixes_survive_kill_9_and_restarts(
    server: ServerProcess, request: pytest.FixtureRequest
) -> None:
    walk = await start_walk(server.url)
    stream = FixStream(walk.worker_token)
    for _ in range(KILLS[request.node.callspec.params["server"]]):
        await kill_mid_stream(server, stream)
        server.start()
        await fixes_reach_a_watcher(server.url, walk, stream)
    stored = await trail(server.url, walk)
    missing = [fix for fix in stream.accepted if fix not in stored]
    assert not missing, f"{len(missing)} of {len(stream.accepted)} acknowledged fixes are not in the trail"
