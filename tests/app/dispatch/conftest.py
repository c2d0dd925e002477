"""Dispatch tests run the app on a clock they move, with the background sweeper out of the way
(tests call `sweep_once` themselves), and record every emitted event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.composition import Services
from app.dispatch.dispatcher import Dispatcher
from app.service import create_app, services_of
from app.settings import Settings
from tests.app.bookings_world import World, build_world
from tests.support.asgi import lifespan
from tests.support.clocks import MovableClock
from tests.support.recorders import EventRecorder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", dispatch_sweep_s=3600, _env_file=None)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime.now(UTC))


@pytest.fixture
async def app_services(settings: Settings, clock: MovableClock) -> AsyncIterator[tuple[object, Services]]:
    app = create_app(settings, clock=clock)
    async with lifespan(app):
        services = services_of(app)
        services.events = EventRecorder(services.events)
        yield app, services


@pytest.fixture
def recorder(services: Services) -> EventRecorder:
    assert isinstance(services.events, EventRecorder)
    return services.events


@pytest.fixture
def dispatcher(services: Services) -> Dispatcher:
    found = services.dispatcher
    assert found is not None
    return found


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await build_world(client)
