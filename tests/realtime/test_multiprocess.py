"""Two real server processes sharing one Redis (and one SQLite file): fan-out and nearby cross processes."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app.marketplace import business_body
from tests.realtime.conftest import LAT, LNG, now_ms, socket_client
from tests.support.api import PASSWORD
from tests.support.server_process import running_server


@pytest.fixture
def two_servers(tmp_path: Path, redis_url: str) -> Iterator[tuple[str, str]]:
    env = {
        **os.environ,
        "WALKY_REDIS_URL": redis_url,
        "WALKY_DATA_DIR": str(tmp_path / "shared"),
        "WALKY_JWT_SECRET": "multi-process-test-secret-0123456789abcdef",
        "WALKY_LOG_LEVEL": "warning",
    }
    with ExitStack() as stack:
        first = stack.enter_context(running_server(env, tmp_path / "first.log"))[0]
        # Sequential start: the first has created the SQLite schema when the second opens the file.
        second = stack.enter_context(running_server(env, tmp_path / "second.log"))[0]
        yield first, second


async def api(client: httpx.AsyncClient, method: str, url: str, token: str | None = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.request(method, url, headers=headers, **kw)
    assert response.status_code < 300, response.text
    return response.json()["data"]


async def test_fleet_and_nearby_across_processes(two_servers: tuple[str, str]) -> None:
    a, b = two_servers
    async with httpx.AsyncClient(timeout=10) as http:
        boss = await api(
            http,
            "POST",
            f"{a}/v1/auth/register",
            json={
                "email": "boss@example.com",
                "password": PASSWORD,
                "role": "business",
                "firstName": "B",
                "lastName": "C",
            },
        )
        business = await api(http, "POST", f"{a}/v1/businesses", boss["accessToken"], json=business_body(LNG, LAT))
        worker = await api(
            http,
            "POST",
            f"{a}/v1/businesses/{business['id']}/workers",
            boss["accessToken"],
            json={
                "email": "w@example.com",
                "firstName": "W",
                "lastName": "K",
                "password": PASSWORD,
                "specializations": ["dog"],
            },
        )
        # Logged in on B: the processes share the user store and the JWT secret.
        session = await api(http, "POST", f"{b}/v1/auth/login", json={"email": "w@example.com", "password": PASSWORD})
        owner = await api(
            http,
            "POST",
            f"{b}/v1/auth/register",
            json={"email": "o@example.com", "password": PASSWORD, "role": "owner", "firstName": "O", "lastName": "P"},
        )

        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        async with (
            socket_client(a, boss["accessToken"]) as dispatcher,
            socket_client(b, session["accessToken"]) as walker,
        ):
            dispatcher.on("fleet:location", received.put)
            subscribed = await dispatcher.call("fleet:subscribe", {"businessId": business["id"]}, timeout=5)
            assert subscribed["ok"] is True, subscribed
            assert (await walker.call("worker:status", {"online": True}, timeout=5))["ok"] is True
            ts = now_ms()
            assert await walker.call("location:update", {"coordinates": [LNG, LAT], "timestamp": ts}, timeout=5) == {
                "ok": True,
                "accepted": 1,
            }
            message = await asyncio.wait_for(received.get(), 5)
            assert message == {"workerId": worker["id"], "coordinates": [LNG, LAT], "timestamp": ts, "available": True}

            found = await api(
                http, "GET", f"{a}/v1/locations/workers", owner["accessToken"], params={"lat": LAT, "lng": LNG}
            )
            assert [(w["workerId"], w["distanceM"]) for w in found] == [(worker["id"], 0.0)]
