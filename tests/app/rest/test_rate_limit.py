"""The general API rate limit: per user with a token, else per client IP; probes are never counted."""

from __future__ import annotations

import httpx

from app.service import create_app
from app.settings import Settings
from tests.support.api import bearer, register
from tests.support.asgi import http_client, lifespan

# Called without a token: answered 401, and counted all the same.
ANONYMOUS = "/v1/users/me"
# The API limit weighs the previous window's count, so a window boundary crossed mid-test lowers the count;
# windows a year long are not crossed.


async def test_anonymous_calls_are_limited_per_ip(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"api_rate_limit": "3/year"}))
    async with lifespan(app), http_client(app) as client:
        statuses = [(await client.get(ANONYMOUS)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = await client.get(ANONYMOUS)
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-request-id"]
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200


async def test_signed_in_users_each_have_their_own_bucket(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"api_rate_limit": "4/year"}))
    async with lifespan(app), http_client(app) as client:
        # Two anonymous registrations use two of the IP's four calls.
        ada, bob = await register(client, "ada@example.com"), await register(client, "bob@example.com")
        ada_calls = [(await client.get("/v1/users/me", headers=bearer(ada))).status_code for _ in range(5)]
        assert ada_calls == [200, 200, 200, 200, 429]
        assert (await client.get("/v1/users/me", headers=bearer(bob))).status_code == 200
        assert (await client.get(ANONYMOUS)).status_code == 401
        # A token that does not verify counts against the IP, like no token.
        bogus = {"Authorization": "Bearer not-a-token"}
        assert (await client.get("/v1/users/me", headers=bogus)).status_code == 401
        assert (await client.get("/v1/users/me", headers=bogus)).status_code == 429


async def test_the_limit_is_shared_through_redis(settings: Settings, redis_url: str) -> None:
    configured = settings.model_copy(update={"api_rate_limit": "2/year", "redis_url": redis_url})
    first, second = create_app(configured), create_app(configured)
    async with lifespan(first), lifespan(second), http_client(first) as a, http_client(second) as b:
        statuses = [(await c.get(ANONYMOUS)).status_code for c in (a, b, a)]
        assert statuses == [401, 401, 429]


async def test_the_default_lets_a_busy_client_through(client: httpx.AsyncClient) -> None:
    assert [(await client.get(ANONYMOUS)).status_code for _ in range(50)] == [401] * 50
