from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.composition import Services
from app.service import create_app
from app.settings import Environment, Settings
from tests.support.api import PASSWORD, bearer, register
from tests.support.asgi import http_client, lifespan
from tests.support.clocks import MovableClock
from tests.support.mailbox import inbox, token_in, wait_for_email

NEW_PASSWORD = "brand-new-pass-7"


def outbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "outbox"


async def reset_token(client: httpx.AsyncClient, settings: Settings, email: str, count: int = 1) -> str:
    response = await client.post("/v1/auth/forgot-password", json={"email": email})
    assert response.status_code == 202, response.text
    return token_in(await wait_for_email(outbox_dir(settings), email, "Reset", count))


async def test_registering_sends_a_verification_email_whose_link_verifies(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    session = await register(client, "ver@example.com")
    assert session["user"]["isEmailVerified"] is False
    email = await wait_for_email(outbox_dir(settings), "ver@example.com", "Confirm your email")
    html = email.get_body(("html",))
    assert html is not None and "verify-email?token=" in html.get_content()
    token = token_in(email)
    assert (await client.post("/v1/auth/verify-email", json={"token": token})).status_code == 200
    me = await client.get("/v1/users/me", headers=bearer(session))
    assert me.json()["data"]["isEmailVerified"] is True
    again = await client.post("/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 422
    assert again.json()["error"]["details"][0]["field"] == "body.token"


async def test_tokens_are_stored_hashed(client: httpx.AsyncClient, settings: Settings, services: Services) -> None:
    await register(client, "hash@example.com")
    token = token_in(await wait_for_email(outbox_dir(settings), "hash@example.com", "Confirm"))
    docs = await services.store.backend.collection("account_tokens").find({})
    assert len(docs) == 1
    assert token not in str(docs[0])


async def test_a_verification_link_expires_after_24_hours(settings: Settings) -> None:
    clock = MovableClock()
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        await register(client, "late@example.com")
        token = token_in(await wait_for_email(outbox_dir(settings), "late@example.com", "Confirm"))
        clock.advance(timedelta(hours=24, seconds=1))
        response = await client.post("/v1/auth/verify-email", json={"token": token})
        assert response.status_code == 422


async def test_resend_replaces_the_earlier_link(client: httpx.AsyncClient, settings: Settings) -> None:
    await register(client, "resend@example.com")
    first = token_in(await wait_for_email(outbox_dir(settings), "resend@example.com", "Confirm"))
    assert (await client.post("/v1/auth/resend-verification", json={"email": "resend@example.com"})).status_code == 202
    second = token_in(await wait_for_email(outbox_dir(settings), "resend@example.com", "Confirm", count=2))
    assert (await client.post("/v1/auth/verify-email", json={"token": first})).status_code == 422
    assert (await client.post("/v1/auth/verify-email", json={"token": second})).status_code == 200


async def test_forgot_password_answers_the_same_for_unknown_emails(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await register(client, "known@example.com")
    known = await client.post("/v1/auth/forgot-password", json={"email": "known@example.com"})
    unknown = await client.post("/v1/auth/forgot-password", json={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    await wait_for_email(outbox_dir(settings), "known@example.com", "Reset")
    assert inbox(outbox_dir(settings), "nobody@example.com") == []


async def test_reset_sets_the_password_ends_sessions_and_works_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    session = await register(client, "reset@example.com")
    token = await reset_token(client, settings, "reset@example.com")
    response = await client.post("/v1/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert response.status_code == 200, response.text
    refreshed = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    assert refreshed.status_code == 401
    old = await client.post("/v1/auth/login", json={"email": "reset@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await client.post("/v1/auth/login", json={"email": "reset@example.com", "password": NEW_PASSWORD})
    assert new.status_code == 200
    replay = await client.post("/v1/auth/reset-password", json={"token": token, "newPassword": "other-pass-8"})
    assert replay.status_code == 422


async def test_reset_clears_a_lockout(settings: Settings) -> None:
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        await register(client, "locked@example.com")
        for _ in range(5):
            await client.post("/v1/auth/login", json={"email": "locked@example.com", "password": "wrong-pass-1"})
        locked = await client.post("/v1/auth/login", json={"email": "locked@example.com", "password": PASSWORD})
        assert locked.status_code == 429
        token = await reset_token(client, settings, "locked@example.com")
        await client.post("/v1/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
        login = await client.post("/v1/auth/login", json={"email": "locked@example.com", "password": NEW_PASSWORD})
        assert login.status_code == 200


async def test_a_reset_link_expires_after_an_hour(settings: Settings) -> None:
    clock = MovableClock()
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        await register(client, "hour@example.com")
        token = await reset_token(client, settings, "hour@example.com")
        clock.advance(timedelta(hours=1, seconds=1))
        response = await client.post("/v1/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
        assert response.status_code == 422


async def test_a_verification_token_does_not_reset_a_password(client: httpx.AsyncClient, settings: Settings) -> None:
    await register(client, "mix@example.com")
    token = token_in(await wait_for_email(outbox_dir(settings), "mix@example.com", "Confirm"))
    response = await client.post("/v1/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert response.status_code == 422


async def test_forgot_password_is_limited_per_email(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, forgot_password_rate_limit="2/hour", _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        codes = [
            (await client.post("/v1/auth/forgot-password", json={"email": "a@example.com"})).status_code
            for _ in range(3)
        ]
        other = await client.post("/v1/auth/forgot-password", json={"email": "b@example.com"})
    assert codes == [202, 202, 429]
    assert other.status_code == 202


async def test_forgot_password_is_limited_per_ip(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth_rate_limit="3/minute", _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        codes = [
            (await client.post("/v1/auth/forgot-password", json={"email": f"u{i}@example.com"})).status_code
            for i in range(4)
        ]
    assert codes == [202, 202, 202, 429]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        pytest.param("/v1/auth/verify-email", {"token": "short"}, "body.token", id="short-token"),
        pytest.param("/v1/auth/verify-email", {"token": "x" * 129}, "body.token", id="long-token"),
        pytest.param("/v1/auth/forgot-password", {"email": "nope"}, "body.email", id="bad-email"),
        pytest.param("/v1/auth/forgot-password", {"email": "a@example.com", "x": 1}, "body.x", id="unknown-field"),
        pytest.param(
            "/v1/auth/reset-password", {"token": "t" * 20, "newPassword": "short"}, "body.newPassword", id="weak"
        ),
    ],
)
async def test_bad_input_is_a_validation_error(
    client: httpx.AsyncClient, path: str, body: dict[str, object], field: str
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422
    assert field in {d["field"] for d in response.json()["error"]["details"]}


async def test_booking_and_payment_routes_need_a_verified_email_when_required(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, require_verified_email=True, _env_file=None)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        session = await register(client, "gate@example.com")
        for path in ("/v1/bookings", "/v1/payments"):
            refused = await client.get(path, headers=bearer(session))
            assert refused.status_code == 403, path
            assert refused.json()["error"]["code"] == "FORBIDDEN"
        token = token_in(await wait_for_email(tmp_path / "outbox", "gate@example.com", "Confirm"))
        await client.post("/v1/auth/verify-email", json={"token": token})
        for path in ("/v1/bookings", "/v1/payments"):
            assert (await client.get(path, headers=bearer(session))).status_code == 200, path
        webhook = await client.post("/v1/webhooks/stripe", content=b"{}")
        assert webhook.status_code == 400


def test_verification_is_required_by_default_in_production_only() -> None:
    assert Settings(_env_file=None).verified_email_required is False
    production = Settings.model_construct(env=Environment.PRODUCTION, require_verified_email=None)
    assert production.verified_email_required is True
