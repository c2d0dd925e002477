"""Rotating the signing key logs no one out: sessions from before keep working until the old key is retired."""

from __future__ import annotations

import jwt

from app.auth.tokens import key_id
from app.service import create_app
from app.settings import Settings
from tests.support.api import bearer, register
from tests.support.asgi import http_client, lifespan

OLD_KEY = "rotation-old-" + "o" * 32
NEW_KEY = "rotation-new-" + "n" * 32


async def test_rotation_keeps_sessions_and_signs_new_tokens_with_the_new_key(settings: Settings) -> None:
    before = create_app(settings.model_copy(update={"jwt_secret": OLD_KEY}))
    async with lifespan(before), http_client(before) as client:
        session = await register(client, "rotate@example.com")
    assert jwt.get_unverified_header(session["accessToken"])["kid"] == key_id(OLD_KEY)

    rotated = create_app(settings.model_copy(update={"jwt_secrets": [NEW_KEY, OLD_KEY]}))
    async with lifespan(rotated), http_client(rotated) as client:
        assert (await client.get("/v1/users/me", headers=bearer(session))).status_code == 200
        refreshed = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
        assert refreshed.status_code == 200, refreshed.text
        fresh = refreshed.json()["data"]
    assert jwt.get_unverified_header(fresh["accessToken"])["kid"] == key_id(NEW_KEY)

    retired = create_app(settings.model_copy(update={"jwt_secrets": [NEW_KEY]}))
    async with lifespan(retired), http_client(retired) as client:
        assert (await client.get("/v1/users/me", headers=bearer(session))).status_code == 401
        assert (await client.get("/v1/users/me", headers=bearer(fresh))).status_code == 200
