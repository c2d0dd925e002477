"""The `ports` fixture: the payment use cases' ports on a fresh SQLite store (see helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.payments.offline_gateway import OfflineGateway
from app.settings import Settings
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.app.usecases.payments.helpers import CountingRelay, Ports, RecordingEvents
from tests.support.clocks import MovableClock


@pytest.fixture
async def ports(tmp_path: Path) -> AsyncIterator[Ports]:
    store = Store(SqliteBackend(tmp_path / "payments.sqlite3"))
    await store.setup()
    yield Ports(
        settings=Settings(data_dir=tmp_path / "data", _env_file=None),
        store=store,
        clock=MovableClock(),
        payment_gateway=OfflineGateway(),
        events=RecordingEvents(),
        outbox_relay=CountingRelay(),
    )
    await store.close()
