"""Run the store contract suites against every adapter this machine can reach."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.store.backend import StoreBackend
from app.store.mongo.backend import MongoBackend
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store

MONGO_URL = os.environ.get("WALKY_TEST_MONGODB_URL")


@pytest.fixture(params=["sqlite", "mongo"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreBackend]:
    created: StoreBackend
    if request.param == "sqlite":
        created = SqliteBackend(tmp_path / "contract.sqlite3")
    else:
        if not MONGO_URL:
            pytest.skip("WALKY_TEST_MONGODB_URL is not set; no MongoDB server on this machine")
        # A database per test keeps parallel runs apart.
        created = MongoBackend(MONGO_URL, f"walky_test_{os.getpid()}_{id(tmp_path)}")
    await created.setup()
    try:
        yield created
    finally:
        if isinstance(created, MongoBackend):
            await created.client.drop_database(created.db.name)
        await created.close()


@pytest.fixture
def store(backend: StoreBackend) -> Store:
    return Store(backend)
