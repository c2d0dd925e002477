"""Shared fixtures: a private redis-server (and S3 server) per test process, a fresh SQLite data dir per test."""

from __future__ import annotations

import uuid
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
from tests.support.s3_server import CREDENTIALS, s3_server


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    with start_redis() as url:
        yield url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as url:
        yield url


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty bucket on the session's S3 server, with credentials in the environment."""
    import boto3

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"walky-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return bucket


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
