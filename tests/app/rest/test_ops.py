from __future__ import annotations

import httpx

from app.service import create_app
from app.settings import Settings
from tests.support.asgi import http_client, lifespan
from tests.support.redis_server import free_port


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"status": "ok"}}


async def test_readyz_embedded(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["data"]["components"] == ["store", "liveIndex"]


async def test_readyz_with_redis(settings: Settings, redis_url: str) -> None:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}))
    async with lifespan(app), http_client(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["data"]["components"] == ["store", "liveIndex", "redis", "activeWalks", "socketio"]


async def test_readyz_names_the_failing_component(settings: Settings) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings.model_copy(update={"redis_url": dead}))
    async with lifespan(app), http_client(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "UNAVAILABLE"
    # The coalescer's own connection and the redis-py pool both fail, and the walk table was never loaded.
    assert error["details"] == [{"component": "liveIndex"}, {"component": "redis"}, {"component": "activeWalks"}]
    assert "liveIndex, redis, activeWalks" in error["message"]


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/v1/users/me")
    text = (await client.get("/metrics")).text
    assert 'walky_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'walky_http_requests_total{method="GET",route="/v1/users/me",status="401"} 1.0' in text
    assert "walky_http_request_duration_seconds_bucket" in text
    assert "walky_open_sockets 0.0" in text


async def test_metrics_count_methods_past_the_standard_ones_as_one(client: httpx.AsyncClient) -> None:
    for method in ("BREW", "WHEN", "BREW"):
        await client.request(method, "/healthz")
    await client.get("/healthz")
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    assert 'walky_http_requests_total{method="OTHER",route="/healthz",status="405"} 3.0' in text
    assert 'walky_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert "BREW" not in text and "WHEN" not in text
    assert 'walky_http_request_duration_seconds_count{method="OTHER",route="/healthz"} 3.0' in text
