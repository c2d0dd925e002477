"""The Socket.IO Redis manager's listener: back within about a second of Redis answering, and says
whether it is subscribed (readiness)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
import socketio
from redis.exceptions import ConnectionError as RedisConnectionError

from realtime.redis_manager import LISTEN_RETRY_MAX_S, BatchingRedisManager
from tests.support.redis_server import redis_process


async def until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_the_listener_resubscribes_soon_after_redis_returns_and_reports_its_state() -> None:
    with redis_process() as redis:
        manager = BatchingRedisManager(redis.url, channel="t:socketio")
        # The server hands itself to the manager, which starts its listener through it.
        socketio.AsyncServer(async_mode="asgi", client_manager=manager)
        assert manager.listening is None
        manager.initialize()
        try:
            await until(lambda: manager.listening is True, 5)
            await manager.ping()

            redis.stop()
            await until(lambda: manager.listening is False, 5)
            with pytest.raises(RedisConnectionError, match="not subscribed"):
                await manager.ping()
            # Long enough for python-socketio's own backoff to reach several seconds.
            await asyncio.sleep(3)

            redis.start()
            answering = time.monotonic()
            await until(lambda: manager.listening is True, LISTEN_RETRY_MAX_S + 1)
            assert time.monotonic() - answering < LISTEN_RETRY_MAX_S + 1
            await manager.ping()
        finally:
            manager.thread.cancel()
            await asyncio.gather(manager.thread, return_exceptions=True)
            if manager.redis is not None:
                await manager.redis.aclose()
