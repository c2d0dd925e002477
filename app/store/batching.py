"""Coalesce concurrent small inserts into one `insert_many_new` per round trip.

While one write is in flight, later callers queue; the next write carries all of them. A lone
caller is written at once, so there is no added delay when idle, and under load the number of
transactions (and fsyncs) grows much slower than the number of callers. Each caller returns only
once its own documents are durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from app.store.documents import Document, DocumentCollection

MAX_DOCS_PER_WRITE = 5000


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
