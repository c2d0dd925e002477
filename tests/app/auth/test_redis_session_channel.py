"""Session signals over Redis pub/sub: every subscriber gets them, a reconnect is announced, an outage
still acts locally."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from app.auth.redis_session_channel import RedisSessionChannel
from app.auth.session_signals import ChannelReset, SessionSignal, TokensRevoked, WatchEnded, decode, encode


class Inbox:
    def __init__(self) -> None:
        self.signals: asyncio.Queue[SessionSignal] = asyncio.Queue()

    async def __call__(self, signal: SessionSignal) -> None:
        await self.signals.put(signal)

    async def next(self) -> SessionSignal:
        return await asyncio.wait_for(self.signals.get(), 5)


async def test_every_process_receives_a_published_signal(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    first, second = RedisSessionChannel(redis, "t:"), RedisSessionChannel(redis, "t:")
    inbox_one, inbox_two = Inbox(), Inbox()
    first.subscribe(inbox_one)
    second.subscribe(inbox_two)
    await first.start()
    await second.start()
    try:
        assert await inbox_one.next() == ChannelReset()
        assert await inbox_two.next() == ChannelReset()
        await asyncio.wait_for(second.subscribed.wait(), 5)
        await first.publish(WatchEnded("u1", "b1"))
        # Handled by the publisher before publish returns, then again as it comes back from Redis.
        assert inbox_one.signals.get_nowait() == WatchEnded("u1", "b1")
        assert await inbox_one.next() == WatchEnded("u1", "b1")
        assert await inbox_two.next() == WatchEnded("u1", "b1")
        await redis.publish(second.channel, b"not json")
        await redis.publish(second.channel, b'{"kind": "revoked", "userId": "u1", "version": true}')
        await first.publish(TokensRevoked("u1", 4))
        assert await inbox_two.next() == TokensRevoked("u1", 4)
    finally:
        await first.stop()
        await second.stop()
        await redis.aclose()


async def test_a_signal_is_handled_here_when_redis_is_away() -> None:
    # Nothing listens on port 1: every Redis call fails at once.
    redis = Redis.from_url("redis://127.0.0.1:1/0")
    channel = RedisSessionChannel(redis, "t:", retry_s=0.05)
    inbox = Inbox()
    channel.subscribe(inbox)
    await channel.start()
    try:
        await channel.publish(TokensRevoked("u1", 2))
        assert await inbox.next() == TokensRevoked("u1", 2)
        assert not channel.subscribed.is_set()
    finally:
        await channel.stop()
        await redis.aclose()


@pytest.mark.parametrize("signal", [TokensRevoked("u1", 3), WatchEnded("u1", "b9")])
def test_signals_survive_the_wire(signal: TokensRevoked | WatchEnded) -> None:
    assert decode(encode(signal)) == signal


@pytest.mark.parametrize(
    "data",
    [None, [], {"kind": "revoked", "userId": 5, "version": 1}, {"kind": "unwatch", "userId": "u1"}, {"kind": "x"}],
)
def test_anything_else_is_not_a_signal(data: object) -> None:
    assert decode(data) is None
