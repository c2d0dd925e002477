"""One asyncio lock per key (a worker id), that exists only while held or awaited.

The ingestion hot path takes one per fix: uncontended, that is two dict operations, where a
WeakValueDictionary of asyncio.Lock costs several microseconds.
"""

from __future__ import annotations

import asyncio
from collections import deque


class KeyedLock:
    def __init__(self) -> None:
        # A held key maps to the futures of those waiting for it, first come first served.
        self._held: dict[str, deque[asyncio.Future[None]]] = {}

    def try_acquire(self, key: str) -> bool:
        """Take `key` if nobody holds it, without waiting (no coroutine on the common path)."""
        if key in self._held:
            return False
        self._held[key] = deque()
        return True

    async def acquire(self, key: str) -> None:
        """Wait for `key`; the caller must `release` it (try/finally)."""
        if self.try_acquire(key):
            return
        waiters = self._held[key]
        waiter = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # Handed the key just as we were cancelled: pass it on.
                self.release(key)
            else:
                waiters.remove(waiter)
            raise

    def release(self, key: str) -> None:
        waiters = self._held[key]
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                # Ownership passes to the waiter directly; the key stays held.
                waiter.set_result(None)
                return
        del self._held[key]

    def held(self, key: str) -> bool:
        return key in self._held
