"""Socket.IO's Redis manager with batched publishes.

python-socketio's AsyncRedisManager sends every emit as its own PUBLISH, and every process decodes every
message. Each accepted fix is emitted to its business's fleet room (and to a booking's room on a walk),
so under load that was one Redis round trip per fix in the sending process plus one message per fix to
decode in every process. Here the messages queued while a publish is in flight leave together as one
batch message (a lone message goes out as is, without waiting); receivers unpack a batch and handle its
messages one by one, in order, exactly as python-socketio would have handled them separately.

Its listener also retries faster than python-socketio's (which waits up to a minute between attempts, so
after a Redis restart events emitted in any process reached nobody for that long) and says whether it is
subscribed, for readiness.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import socketio
import structlog
from redis.exceptions import ConnectionError as RedisConnectionError

log = structlog.get_logger("walky.socketio")
BATCH = "walky:batch"
# One batch carries at most this many messages, so a burst cannot build an unbounded payload.
MAX_BATCH = 500
LISTEN_RETRY_MIN_S = 0.1
LISTEN_RETRY_MAX_S = 1.0


class BatchingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    connected: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[tuple[Any, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        # None until the listener starts (at the first socket connect), then whether it is subscribed.
        self.listening: bool | None = None

    async def ping(self) -> None:
        """Raise unless the listener is subscribed (once started) and the publishing client answers."""
        if self.listening is False:
            raise RedisConnectionError("the Socket.IO manager is not subscribed to Redis")
        if self.redis is not None:
            await self.redis.ping()

    async def _publish(self, data: Any) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((data, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            messages = [data for data, _ in batch]
            try:
                await self._publish_one(messages[0] if len(messages) == 1 else {"method": BATCH, "messages": messages})
            finally:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _publish_one(self, data: Any) -> None:
        # The parent's publish: two attempts, reconnecting in between; failures are logged, not raised.
        await super()._publish(data)

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        delay = LISTEN_RETRY_MIN_S
        while True:
            pubsub: Any = None
            try:
                self._redis_connect()
                pubsub = self.pubsub
                await pubsub.subscribe(self.channel)
                self.listening = True
                delay = LISTEN_RETRY_MIN_S
                async for message in pubsub.listen():
                    yield message
            except Exception as exc:
                self.listening = False
                log.warning("Socket.IO manager lost Redis; retrying", error=str(exc), retry_in_s=delay)
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()
                await asyncio.sleep(delay)
                delay = min(delay * 2, LISTEN_RETRY_MAX_S)

    async def _listen(self) -> AsyncIterator[Any]:
        async for raw in super()._listen():
            try:
                data = self.json.loads(raw)
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("method") == BATCH:
                for message in data.get("messages") or ():
                    yield message
            else:
                yield data
