"""The upload gate: a few bodies read at once, in arrival order, and no reader holds a slot for long."""

from __future__ import annotations

import asyncio

import pytest

from app.rest.upload_gate import UploadGate


async def test_readers_past_the_limit_wait_and_are_admitted_in_arrival_order() -> None:
    gate = UploadGate(readers=2, hold_s=60)
    admitted: list[str] = []
    release = {name: asyncio.Event() for name in "abcd"}

    async def reader(name: str) -> None:
        async with gate.slot():
            admitted.append(name)
            await release[name].wait()

    tasks = [asyncio.create_task(reader(name)) for name in "abcd"]
    await asyncio.sleep(0.01)
    assert admitted == ["a", "b"]
    release["b"].set()
    await asyncio.sleep(0.01)
    assert admitted == ["a", "b", "c"]
    release["a"].set()
    release["c"].set()
    release["d"].set()
    await asyncio.gather(*tasks)
    assert admitted == ["a", "b", "c", "d"]


async def test_a_reader_that_holds_its_slot_too_long_lets_the_next_in() -> None:
    gate = UploadGate(readers=1, hold_s=0.05)
    stalled = asyncio.Event()
    entered = asyncio.Event()

    async def stalling() -> None:
        async with gate.slot():
            await stalled.wait()

    async def next_reader() -> None:
        async with gate.slot():
            entered.set()

    first = asyncio.create_task(stalling())
    await asyncio.sleep(0)
    second = asyncio.create_task(next_reader())
    await asyncio.wait_for(entered.wait(), 5)
    assert not first.done()
    stalled.set()
    await asyncio.gather(first, second)


async def test_a_cancelled_waiter_takes_no_slot() -> None:
    gate = UploadGate(readers=1, hold_s=60)
    hold = asyncio.Event()

    async def holder() -> None:
        async with gate.slot():
            await hold.wait()

    async def waiter() -> None:
        async with gate.slot():
            pytest.fail("a cancelled waiter was admitted")

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    cancelled = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    hold.set()
    await first

    async def last() -> None:
        async with gate.slot():
            pass

    # The one slot came back: the next reader gets in at once.
    await asyncio.wait_for(last(), 5)
