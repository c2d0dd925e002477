from __future__ import annotations

import httpx

from tests.support.api import bearer, register


async def test_register_then_me(client: httpx.AsyncClient) -> None:
    session = await register(client, "ada@example.com")
    me = await client.get("/v1/users/me", headers=bearer(session))
    assert me.status_code == 200
    assert me.json()["data"]["email"] == "ada@example.com"
