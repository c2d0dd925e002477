"""KeyedLock: one holder per key, first come first served, nothing left behind."""

from __future__ import annotations

import asyncio

import pytest

from app.usecases.live.keyed_lock import KeyedLock


async def test_holders_of_one_key_take_turns_in_arrival_order() -> None:
    lock = KeyedLock()
    order: list[str] = []

    async def hold(name: str) -> None:
        await lock.acquire("w1")
        try:
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")
        finally:
            lock.release("w1")

    await asyncio.gather(hold("a"), hold("b"), hold("c"))
    assert order == ["a+", "a-", "b+", "b-", "c+", "c-"]
    assert not lock.held("w1")


async def test_different_keys_do_not_wait_for_each_other() -> None:
    lock = KeyedLock()
    await lock.acquire("w1")
    await asyncio.wait_for(lock.acquire("w2"), 0.1)
    assert lock.held("w1") and lock.held("w2")
    lock.release("w1")
    lock.release("w2")
    assert not lock.held("w1") and not lock.held("w2")


async def test_a_cancelled_waiter_neither_holds_nor_blocks_the_key() -> None:
    lock = KeyedLock()
    await lock.acquire("w1")
    waiting = asyncio.create_task(lock.acquire("w1"))
    after = asyncio.create_task(lock.acquire("w1"))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    lock.release("w1")
    await asyncio.wait_for(after, 0.1)
    lock.release("w1")
    assert not lock.held("w1")


async def test_a_waiter_cancelled_as_it_is_handed_the_key_passes_it_on() -> None:
    lock = KeyedLock()
    await lock.acquire("w1")
    first = asyncio.create_task(lock.acquire("w1"))
    second = asyncio.create_task(lock.acquire("w1"))
    await asyncio.sleep(0)
    lock.release("w1")  # hands the key to `first`...
    first.cancel()  # ...which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 0.1)
    lock.release("w1")
    assert not lock.held("w1")


def test_try_acquire_takes_only_a_free_key() -> None:
    lock = KeyedLock()
    assert lock.try_acquire("w1")
    assert not lock.try_acquire("w1")
    lock.release("w1")
    assert lock.try_acquire("w1")
