"""Shared fixtures: a private redis-server per test process, a fresh SQLite data dir per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from app.composition import Services
from app.service import create_app, services_of
from app.settings import Settings
from tests.support.asgi import http_client, lifespan
from tests.support.redis_server import redis_server as start_redis


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    with start_redis() as url:
        yield url


@pytest.fixture
async def redis_url(redis_server_url: str) -> AsyncIterator[str]:
    """A clean Redis for this test (each xdist worker has its own server)."""
    client = Redis.from_url(redis_server_url)
    await client.flushall()
    await client.aclose()
    yield redis_server_url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
async def app_services(settings: Settings) -> AsyncIterator[tuple[object, Services]]:
    app = create_app(settings)
    async with lifespan(app):
        yield app, services_of(app)


@pytest.fixture
async def client(app_services: tuple[object, Services]) -> AsyncIterator[httpx.AsyncClient]:
    app, _ = app_services
    async with http_client(app) as c:  # type: ignore[arg-type]
        yield c


@pytest.fixture
def services(app_services: tuple[object, Services]) -> Services:
    return app_services[1]
