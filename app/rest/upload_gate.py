"""Admission of upload bodies: a few are read at once, first come first served.

The event loop reads every body. When 50 uploads arrive together and are all read together, they
all end together, and their decoding (in the processing pool, on the other core) only starts once
every body is in: one core reads while the other waits, then both decode while the loop waits.
Read a few at a time, the first uploads decode while the next are read, so intake and decoding
overlap, and every upload but the last is done sooner.

A reader keeps its slot for at most `hold_s`, then goes on reading outside the gate: a slow link,
or a client that stalls on purpose, never holds the others up for longer. Bodies that arrive as fast
as the loop reads them are in well before that (tens of milliseconds for 4 MB with four readers on a
quiet machine), so the gate only orders bodies that arrive faster than the loop can read them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from app.media.processing import PROCESS_THREADS

# Two bodies per processing thread: the pool always has the next one ready, and a client that
# pauses briefly does not leave the loop without a body to read.
READERS = 2 * PROCESS_THREADS
HOLD_S = 0.25


class Slot:
    """One admitted reader; its slot goes back at release() or after the gate's hold_s."""

    def __init__(self, gate: UploadGate, loop: asyncio.AbstractEventLoop) -> None:
        self._gate = gate
        self.held = True
        self._timer = loop.call_later(gate.hold_s, self.release)

    def release(self) -> None:
        if self.held:
            self.held = False
            self._timer.cancel()
            self._gate.release()


class UploadGate:
    def __init__(self, readers: int = READERS, hold_s: float = HOLD_S) -> None:
        self.hold_s = hold_s
        self._free = readers
        # Created on the running loop at each wait: the gate binds to no loop.
        self._waiters: deque[asyncio.Future[None]] = deque()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        loop = asyncio.get_running_loop()
        await self._acquire(loop)
        admitted = Slot(self, loop)
        try:
            yield admitted
        finally:
            admitted.release()

    async def _acquire(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # Handed a slot just as it was cancelled: pass it on.
                self.release()
            else:
                with contextlib.suppress(ValueError):  # release() may have dropped it already
                    self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        """A slot goes straight to the longest waiter, or back to the free ones."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
