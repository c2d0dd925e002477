"""Use cases run on the SQLite store in a temporary directory, without the app: each test builds a small
ports object holding only what the module's `...Ports` protocol names."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.support.clocks import MovableClock


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(SqliteBackend(tmp_path / "store.sqlite3"))
    await store.setup()
    yield store
    await store.close()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()
