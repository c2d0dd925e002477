from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    backend = SqliteBackend(tmp_path / "messages.sqlite3")
    await backend.setup()
    try:
        yield Store(backend)
    finally:
        await backend.close()
