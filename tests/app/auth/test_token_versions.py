"""The per-process token-version cache: fresh enough, never lowered, raised by signals."""

from __future__ import annotations

import asyncio

import pytest

from app.auth.principal import Principal
from app.auth.session_signals import ChannelReset, TokensRevoked
from app.auth.token_versions import GONE, TokenVersions
from app.domain.users import Role
from app.errors import Unauthorized
from tests.support.clocks import MovableClock


class Store:
    def __init__(self) -> None:
        self.versions: dict[str, int | None] = {"u1": 0}
        self.reads = 0

    async def load(self, user_id: str) -> int | None:
        self.reads += 1
        return self.versions.get(user_id, 0)


def principal(version: int) -> Principal:
    return Principal("u1", Role.OWNER, token_version=version)


async def test_reads_the_store_once_per_max_age() -> None:
    store, clock = Store(), MovableClock()
    versions = TokenVersions(store.load, max_age_s=30, monotonic=clock.monotonic)
    assert await versions.current("u1") == 0
    store.versions["u1"] = 3
    assert await versions.current("u1") == 0
    assert store.reads == 1
    clock.advance(30)
    assert await versions.current("u1") == 3
    assert store.reads == 2


async def test_a_signal_raises_at_once_and_a_slow_read_does_not_lower_it() -> None:
    release = asyncio.Event()

    async def slow_load(user_id: str) -> int | None:
        await release.wait()
        return 0

    versions = TokenVersions(slow_load, max_age_s=0)
    read = asyncio.create_task(versions.current("u1"))
    await asyncio.sleep(0)
    await versions.on_signal(TokensRevoked("u1", 2))
    release.set()
    assert await read == 2


async def test_check_refuses_tokens_older_than_the_account() -> None:
    store = Store()
    versions = TokenVersions(store.load)
    await versions.check(principal(0))
    await versions.on_signal(TokensRevoked("u1", 1))
    with pytest.raises(Unauthorized):
        await versions.check(principal(0))
    with pytest.raises(Unauthorized):
        versions.check_known(principal(0))
    await versions.check(principal(1))
    versions.check_known(principal(1))


async def test_an_erased_account_refuses_every_token() -> None:
    store = Store()
    store.versions["u1"] = None
    versions = TokenVersions(store.load)
    assert await versions.current("u1") == GONE
    with pytest.raises(Unauthorized):
        await versions.check(principal(10**6))


async def test_a_channel_reset_forgets_everything() -> None:
    store = Store()
    versions = TokenVersions(store.load)
    await versions.current("u1")
    await versions.on_signal(ChannelReset())
    assert versions.known("u1") is None
    await versions.current("u1")
    assert store.reads == 2
