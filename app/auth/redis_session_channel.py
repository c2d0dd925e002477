"""The session channel over Redis pub/sub, shared by every process of a deployment.

Pub/sub keeps nothing for a subscriber that was away, so each (re)subscription is announced to the
handlers as ChannelReset: they drop what they cached and re-read the store.
"""

from __future__ import annotations

import asyncio
import contextlib

import orjson
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from app.auth.session_signals import ChannelReset, SignalHandler, TokensRevoked, WatchEnded, decode, deliver, encode

log = structlog.get_logger(__name__)

RETRY_S = 1.0


class RedisSessionChannel:
    def __init__(self, redis: Redis, key_prefix: str, retry_s: float = RETRY_S) -> None:
        self._redis = redis
        self.channel = f"{key_prefix}sessions"
        self._retry_s = retry_s
        self._handlers: list[SignalHandler] = []
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def subscribe(self, handler: SignalHandler) -> None:
        self._handlers.append(handler)

    async def publish(self, signal: TokensRevoked | WatchEnded) -> None:
        # Handled here before returning, so the caller's next request already sees it; the copy that comes
        # back through the subscription finds nothing left to do.
        await deliver(self._handlers, signal)
        try:
            await self._redis.publish(self.channel, orjson.dumps(encode(signal)))
        except RedisError:
            # Other processes catch up from the store when their subscription comes back (ChannelReset)
            # or their cache entry ages out.
            log.exception("publishing a session signal failed; handled in this process only")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except RedisError:
                log.warning("session channel lost its Redis subscription; retrying")
            self.subscribed.clear()
            await asyncio.sleep(self._retry_s)

    async def _listen(self) -> None:
        async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            await deliver(self._handlers, ChannelReset())
            self.subscribed.set()
            async for message in pubsub.listen():
                try:
                    signal = decode(orjson.loads(message["data"]))
                except orjson.JSONDecodeError:
                    signal = None
                if signal is None:
                    log.warning("ignored a malformed session signal")
                    continue
                await deliver(self._handlers, signal)
