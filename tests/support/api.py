"""Small helpers that speak the API the way a client would."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "correct-horse-1"


async def register(
    client: httpx.AsyncClient, email: str, role: str = "owner", password: str = PASSWORD
) -> dict[str, Any]:
    response = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": password, "role": role, "firstName": "Ada", "lastName": "Walker"},
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['accessToken']}"}
