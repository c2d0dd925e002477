"""The shared background loop: rounds at its interval, a failing round does not end it, stop ends it."""

from __future__ import annotations

import asyncio

from app.periodic import Periodic


class Counting(Periodic):
    def __init__(self, *, fail_first: int, target: int, round_at_start: bool = False) -> None:
        super().__init__("counting", 0.01, round_at_start=round_at_start)
        self.rounds = 0
        self.reached = asyncio.Event()
        self._fail_first = fail_first
        self._target = target

    async def _round(self) -> None:
        self.rounds += 1
        if self.rounds >= self._target:
            self.reached.set()
        if self.rounds <= self._fail_first:
            raise ConnectionError("store away")


async def _until_target(loop: Counting) -> None:
    async with asyncio.timeout(5):
        await loop.reached.wait()


async def test_a_failing_round_is_followed_by_the_next() -> None:
    loop = Counting(fail_first=2, target=4)
    await loop.start()
    await loop.start()  # a second start does not run a second loop
    await _until_target(loop)
    await loop.stop()
    stopped_at = loop.rounds
    await asyncio.sleep(0.05)
    assert loop.rounds == stopped_at
    await loop.stop()  # stopping twice is harmless


async def test_the_first_round_waits_an_interval_unless_asked_to_run_at_start() -> None:
    waiting, eager = Counting(fail_first=0, target=1), Counting(fail_first=0, target=1, round_at_start=True)
    waiting._interval_s = eager._interval_s = 60
    await waiting.start()
    await eager.start()
    await _until_target(eager)
    assert waiting.rounds == 0
    await waiting.stop()
    await eager.stop()
