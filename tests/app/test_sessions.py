"""Sessions end when they should: logout, password change and erasure void the access tokens already out."""

from __future__ import annotations

import httpx
import pytest

from app.composition import Services
from app.service import create_app
from app.settings import Settings
from app.usecases.accounts.sessions import revoke_sessions
from tests.support.api import PASSWORD, bearer, register
from tests.support.asgi import http_client, lifespan

NEW_PASSWORD = "battery-staple-2"


async def me(client: httpx.AsyncClient, session: dict[str, object]) -> int:
    return (await client.get("/v1/users/me", headers=bearer(session))).status_code


async def change_password(
    client: httpx.AsyncClient, session: dict[str, object], body: dict[str, object]
) -> httpx.Response:
    return await client.put("/v1/users/me/password", headers=bearer(session), json=body)


async def test_logout_voids_the_access_token_at_once(client: httpx.AsyncClient) -> None:
    session = await register(client, "leaver@example.com")
    assert await me(client, session) == 200
    out = await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
    assert out.status_code == 200
    assert await me(client, session) == 401
    again = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    assert again.status_code == 401


async def test_logout_voids_the_access_token_at_once_with_redis(settings: Settings, redis_url: str) -> None:
    app = create_app(settings.model_copy(update={"redis_url": redis_url}))
    async with lifespan(app), http_client(app) as client:
        session = await register(client, "redis-leaver@example.com")
        assert await me(client, session) == 200
        await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
        assert await me(client, session) == 401


async def test_logout_lets_the_other_devices_refresh(client: httpx.AsyncClient) -> None:
    phone = await register(client, "two-devices@example.com")
    laptop = (
        await client.post("/v1/auth/login", json={"email": "two-devices@example.com", "password": PASSWORD})
    ).json()["data"]
    await client.post("/v1/auth/logout", json={"refreshToken": phone["refreshToken"]})
    assert await me(client, laptop) == 401
    renewed = await client.post("/v1/auth/refresh", json={"refreshToken": laptop["refreshToken"]})
    assert renewed.status_code == 200
    assert await me(client, renewed.json()["data"]) == 200


async def test_password_change_ends_every_other_session(client: httpx.AsyncClient) -> None:
    session = await register(client, "changer@example.com")
    other = (await client.post("/v1/auth/login", json={"email": "changer@example.com", "password": PASSWORD})).json()[
        "data"
    ]
    changed = await change_password(client, session, {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    fresh = changed.json()["data"]
    assert fresh["user"]["email"] == "changer@example.com" and fresh["tokenType"] == "Bearer"
    assert await me(client, fresh) == 200
    for old in (session, other):
        assert await me(client, old) == 401
        refreshed = await client.post("/v1/auth/refresh", json={"refreshToken": old["refreshToken"]})
        assert refreshed.status_code == 401
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": fresh["refreshToken"]})).status_code == 200
    old_login = await client.post("/v1/auth/login", json={"email": "changer@example.com", "password": PASSWORD})
    assert old_login.status_code == 401
    new_login = await client.post("/v1/auth/login", json={"email": "changer@example.com", "password": NEW_PASSWORD})
    assert new_login.status_code == 200


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient) -> None:
    session = await register(client, "guessed@example.com")
    wrong = await change_password(client, session, {"currentPassword": "not-it-123", "newPassword": NEW_PASSWORD})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "UNAUTHORIZED"
    assert await me(client, session) == 200
    anonymous = await client.put(
        "/v1/users/me/password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currentPassword": PASSWORD, "newPassword": "short1"}, "body.newPassword"),
        ({"currentPassword": PASSWORD, "newPassword": "lettersonly"}, "body.newPassword"),
        ({"currentPassword": PASSWORD, "newPassword": PASSWORD}, "body.newPassword"),
        ({"currentPassword": "", "newPassword": NEW_PASSWORD}, "body.currentPassword"),
        ({"currentPassword": "x" * 1000, "newPassword": NEW_PASSWORD}, "body.currentPassword"),
        ({"newPassword": NEW_PASSWORD}, "body.currentPassword"),
        ({"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "extra": 1}, "body.extra"),
    ],
)
async def test_password_change_refuses_bad_input(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    session = await register(client, "careful@example.com")
    response = await change_password(client, session, body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in [detail["field"] for detail in error["details"]]
    assert await me(client, session) == 200


async def test_erasure_voids_the_access_token(client: httpx.AsyncClient) -> None:
    session = await register(client, "eraser@example.com")
    assert (await client.delete("/v1/users/me", headers=bearer(session))).status_code == 200
    assert await me(client, session) == 401
    assert (await client.get("/v1/pets", headers=bearer(session))).status_code == 401


async def test_revoke_sessions_ends_everything(client: httpx.AsyncClient, services: Services) -> None:
    session = await register(client, "suspended@example.com")
    user_id = str(session["user"]["id"])
    await revoke_sessions(services, user_id)
    assert await me(client, session) == 401
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})).status_code == 401
    login = await client.post("/v1/auth/login", json={"email": "suspended@example.com", "password": PASSWORD})
    assert await me(client, login.json()["data"]) == 200


async def test_revoking_an_unknown_user_is_a_no_op(services: Services) -> None:
    await revoke_sessions(services, "no-such-user")
    assert services.token_versions.known("no-such-user") is None
