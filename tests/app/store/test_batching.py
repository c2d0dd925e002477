"""Coalesced reads: concurrent single reads share one read of many keys, and see what was written before."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from app.store.batching import ReadCoalescer
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store


class Recorder:
    def __init__(self, values: dict[str, int], fail: bool = False) -> None:
        self.values = values
        self.calls: list[list[str]] = []
        self.fail = fail

    async def in_flight(self, calls: int) -> None:
        for _ in range(100):
            if len(self.calls) >= calls:
                return
            await asyncio.sleep(0)
        raise AssertionError(f"{calls} reads never started")

    async def read_many(self, keys: list[str]) -> Mapping[str, int]:
        self.calls.append(keys)
        # Read as the call starts, answered a loop turn later (a round trip).
        found = {key: self.values[key] for key in keys if key in self.values}
        await asyncio.sleep(0)
        if self.fail:
            raise ConnectionError("store away")
        return found


async def test_concurrent_reads_share_one_read_and_a_lone_read_goes_at_once() -> None:
    source = Recorder({"a": 1, "b": 2})
    reads = ReadCoalescer(source.read_many)
    assert await reads.read("a") == 1
    assert source.calls == [["a"]]
    found = await asyncio.gather(*(reads.read(key) for key in ["a", "b", "a", "missing", "b"]))
    assert found == [1, 2, 1, None, 2]
    assert source.calls == [["a"], ["a", "b", "missing"]]
    # Keys asked while a read is in flight go together in the next one.
    first = asyncio.create_task(reads.read("a"))
    await source.in_flight(3)
    assert list(await asyncio.gather(first, reads.read("b"), reads.read("a"))) == [1, 2, 1]
    assert source.calls[2:] == [["a"], ["b", "a"]]


async def test_a_read_asked_after_a_write_sees_it() -> None:
    source = Recorder({"a": 1})
    reads = ReadCoalescer(source.read_many)
    first = asyncio.create_task(reads.read("a"))
    await source.in_flight(1)
    source.values["a"] = 2
    assert list(await asyncio.gather(first, reads.read("a"))) == [1, 2]


async def test_a_failed_read_fails_its_callers_and_the_next_read_is_tried_again() -> None:
    source = Recorder({"a": 1}, fail=True)
    reads = ReadCoalescer(source.read_many)
    results = await asyncio.gather(reads.read("a"), reads.read("a"), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    source.fail = False
    assert await reads.read("a") == 1


async def test_a_large_burst_is_read_in_bounded_batches() -> None:
    source = Recorder({f"k{i}": i for i in range(25)})
    reads = ReadCoalescer(source.read_many, max_keys=10)
    assert await asyncio.gather(*(reads.read(f"k{i}") for i in range(25))) == list(range(25))
    assert max(len(keys) for keys in source.calls) == 10
    assert sum(len(keys) for keys in source.calls) == 25


async def test_sqlite_gets_in_a_burst_share_queries_and_each_caller_owns_its_document(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "burst.sqlite3")
    await backend.setup()
    try:
        users = backend.collection("users")
        await users.insert_many_new([{"id": f"u{i}", "n": i} for i in range(50)])
        queries = 0
        run = backend.db.run

        async def counted(fn: Callable[[sqlite3.Connection], Any]) -> Any:
            nonlocal queries
            queries += 1
            return await run(fn)

        backend.db.run = counted  # type: ignore[method-assign]
        docs = await asyncio.gather(*(users.get(f"u{i % 25}") for i in range(50)), users.get("nobody"))
        assert [doc["n"] if doc else None for doc in docs] == [i % 25 for i in range(50)] + [None]
        assert queries <= 2
        first, second = docs[0], docs[25]
        assert first is not None and second is not None and first == second
        first["n"] = -1
        assert second["n"] == 0
    finally:
        await backend.close()


@pytest.mark.parametrize("count", [1, 3])
async def test_device_tokens_asked_together_each_get_their_own(count: int, tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "devices.sqlite3")
    await backend.setup()
    try:
        store = Store(backend)
        col = backend.collection("devices")
        await col.insert_many_new(
            [
                {"id": f"tok{i}", "userId": f"u{i % 2}", "platform": "ios", "createdAt": f"2026-01-0{i + 1}"}
                for i in range(count)
            ]
        )
        tokens = await asyncio.gather(store.devices.tokens_of("u0"), store.devices.tokens_of("u1"))
        assert tokens[0] == [f"tok{i}" for i in range(count) if i % 2 == 0]
        assert tokens[1] == [f"tok{i}" for i in range(count) if i % 2 == 1]
    finally:
        await backend.close()
