"""Coalesce concurrent small inserts into one `insert_many_new` per round trip, and concurrent reads by key
into one read of many keys (ReadCoalescer).

While one write is in flight, later callers queue; the next write carries all of them. A lone
caller is written at once, so there is no added delay when idle, and under load the number of
transactions (and fsyncs) grows much slower than the number of callers. Each caller returns only
once its own documents are durable.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Generic, TypeVar

from app.store.documents import Document, DocumentCollection

MAX_DOCS_PER_WRITE = 5000

K = TypeVar("K")
V = TypeVar("V")


class BatchInserter:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection
        self._queue: list[tuple[list[Document], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.writes = 0

    async def insert(self, docs: Sequence[Document]) -> None:
        if not docs:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((list(docs), done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        while self._queue:
            batch: list[tuple[list[Document], asyncio.Future[None]]] = []
            size = 0
            while self._queue and (not batch or size + len(self._queue[0][0]) <= MAX_DOCS_PER_WRITE):
                docs, done = self._queue.pop(0)
                batch.append((docs, done))
                size += len(docs)
            try:
                self.writes += 1
                await self._col.insert_many_new([doc for docs, _ in batch for doc in docs])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)


class ReadCoalescer(Generic[K, V]):
    """Concurrent reads of one key each share one read of many keys.

    While a read is in flight, later callers queue; the next read carries all of their keys. A lone caller
    is read at once. A burst of single reads (a thousand notifications each looking up their person) then
    costs a few round trips to the store instead of one each, so what queues behind them (the outbox relay's
    claim) waits for a few reads, not a thousand. Each caller's read starts after it called, so it sees
    every write that completed before.
    """

    def __init__(self, read_many: Callable[[list[K]], Awaitable[Mapping[K, V]]], max_keys: int = 500) -> None:
        self._read_many = read_many
        self._max_keys = max_keys
        self._queue: dict[K, list[asyncio.Future[V | None]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def read(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[V | None] = loop.create_future()
        self._queue.setdefault(key, []).append(waiter)
        # A reader left behind by another event loop (a test's) never runs again.
        if self._reader is None or self._reader.done() or self._reader.get_loop() is not loop:
            self._reader = asyncio.create_task(self._drain())
        return await waiter

    async def _drain(self) -> None:
        while self._queue:
            keys = list(itertools.islice(self._queue, self._max_keys))
            waiters = {key: self._queue.pop(key) for key in keys}
            try:
                found = await self._read_many(keys)
            except BaseException as exc:
                for futures in waiters.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for key, futures in waiters.items():
                value = found.get(key)
                for future in futures:
                    if not future.done():
                        future.set_result(value)
