from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.service import create_app
from app.settings import Settings
from tests.support.api import PASSWORD, bearer, register
from tests.support.asgi import http_client, lifespan
from tests.support.clocks import MovableClock


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/v1/auth/login", json={"email": email, "password": password})


async def test_register_login_refresh_me(client: httpx.AsyncClient) -> None:
    registered = await register(client, "Ada@Example.com")
    assert registered["user"]["email"] == "ada@example.com"
    assert registered["expiresIn"] == 900
    logged_in = await login(client, "ada@example.com")
    assert logged_in.status_code == 200
    pair = logged_in.json()["data"]
    refreshed = await client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert refreshed.status_code == 200
    new_pair = refreshed.json()["data"]
    assert new_pair["refreshToken"] != pair["refreshToken"]
    me = await client.get("/v1/users/me", headers=bearer(new_pair))
    assert me.status_code == 200
    assert me.json()["data"]["id"] == registered["user"]["id"]
    assert "passwordHash" not in me.json()["data"]


async def test_access_token_carries_role_and_subject(client: httpx.AsyncClient, services) -> None:
    session = await register(client, "biz@example.com", role="business")
    principal = services.access_tokens.verify(session["accessToken"])
    assert principal.user_id == session["user"]["id"]
    assert principal.role.value == "business"


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    await register(client, "dup@example.com")
    response = await client.post(
        "/v1/auth/register",
        json={
            "email": "DUP@example.com",
            "password": "another-pass-9",
            "role": "owner",
            "firstName": "B",
            "lastName": "C",
        },
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"password": "short1"}, "body.password"),
        ({"password": "lettersonly"}, "body.password"),
        ({"password": "1234567890"}, "body.password"),
        ({"role": "admin"}, "body.role"),
        ({"role": "worker"}, "body.role"),
        ({"email": "not-an-email"}, "body.email"),
        ({"email": {"$gt": ""}}, "body.email"),
        ({"firstName": ""}, "body.firstName"),
        ({"firstName": "x" * 101}, "body.firstName"),
        ({"firstName": "Ada\u0000"}, "body.firstName"),
        ({"lastName": "Wal\u202eker"}, "body.lastName"),
        ({"phone": "call me maybe"}, "body.phone"),
        ({"firstName": 12}, "body.firstName"),
    ],
)
async def test_register_rejects_bad_input(client: httpx.AsyncClient, patch: dict[str, object], field: str) -> None:
    body: dict[str, object] = {
        "email": "new@example.com",
        "password": "good-pass-1",
        "role": "owner",
        "firstName": "Ada",
        "lastName": "Lovelace",
    }
    body.update(patch)
    response = await client.post("/v1/auth/register", json=body)
    assert response.status_code == 422, response.text
    assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert (await login(client, "new@example.com", "good-pass-1")).status_code == 401


async def test_unicode_names_and_emails_are_kept(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={
            "email": "zoë@exämple.com",
            "password": "pässwörd-1",
            "role": "owner",
            "firstName": "Zoë 🐕",
            "lastName": "Ñandú",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["user"]["firstName"] == "Zoë 🐕"
    assert (await login(client, "zoë@exämple.com", "pässwörd-1")).status_code == 200


async def test_login_operator_injection_never_reaches_the_store(client: httpx.AsyncClient) -> None:
    await register(client, "victim@example.com")
    response = await client.post("/v1/auth/login", json={"email": {"$gt": ""}, "password": {"$ne": None}})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_wrong_password_and_unknown_user_look_the_same(client: httpx.AsyncClient) -> None:
    await register(client, "known@example.com")
    wrong = await login(client, "known@example.com", "wrong-pass-1")
    unknown = await login(client, "nobody@example.com", "wrong-pass-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"] == unknown.json()["error"]


async def test_five_failures_lock_the_account(settings: Settings) -> None:
    clock = MovableClock()
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        await register(client, "lock@example.com")
        statuses = [(await login(client, "lock@example.com", "wrong-pass-1")).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        locked = await login(client, "lock@example.com")
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "RATE_LIMITED"
        assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60 + 1
        clock.advance(timedelta(minutes=15, seconds=1))
        assert (await login(client, "lock@example.com")).status_code == 200


async def test_success_resets_the_failure_count(client: httpx.AsyncClient) -> None:
    await register(client, "reset@example.com")
    for _ in range(4):
        assert (await login(client, "reset@example.com", "wrong-pass-1")).status_code == 401
    assert (await login(client, "reset@example.com")).status_code == 200
    for _ in range(4):
        assert (await login(client, "reset@example.com", "wrong-pass-1")).status_code == 401
    assert (await login(client, "reset@example.com")).status_code == 200


async def test_auth_routes_are_rate_limited_per_ip(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"auth_rate_limit": "3/minute"}))
    async with lifespan(app), http_client(app) as client:
        statuses = [(await login(client, "x@example.com", "whatever-1")).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = await login(client, "x@example.com", "whatever-1")
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["retry-after"]) >= 1


async def test_auth_rate_limit_shared_through_redis(settings: Settings, redis_url: str) -> None:
    configured = settings.model_copy(update={"auth_rate_limit": "2/minute", "redis_url": redis_url})
    first, second = create_app(configured), create_app(configured)
    async with lifespan(first), lifespan(second), http_client(first) as a, http_client(second) as b:
        assert (await login(a, "x@example.com", "whatever-1")).status_code == 401
        assert (await login(b, "x@example.com", "whatever-1")).status_code == 401
        assert (await login(a, "x@example.com", "whatever-1")).status_code == 429


async def test_refresh_token_reuse_revokes_the_family(client: httpx.AsyncClient) -> None:
    first = await register(client, "reuse@example.com")
    second = (await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})).json()["data"]
    replay = await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert replay.status_code == 401
    # The legitimate holder's newer token died with the family.
    after = await client.post("/v1/auth/refresh", json={"refreshToken": second["refreshToken"]})
    assert after.status_code == 401
    # Another session (another family) is untouched.
    other = (await login(client, "reuse@example.com")).json()["data"]
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": other["refreshToken"]})).status_code == 200


async def test_concurrent_refresh_has_one_winner(client: httpx.AsyncClient) -> None:
    import asyncio

    session = await register(client, "race@example.com")
    results = await asyncio.gather(
        *(client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]}) for _ in range(5))
    )
    assert sorted(r.status_code for r in results) == [200, 401, 401, 401, 401]


async def test_refresh_token_expires_after_seven_days(settings: Settings) -> None:
    clock = MovableClock()
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        session = await register(client, "old@example.com")
        clock.advance(timedelta(days=7, seconds=1))
        response = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
        assert response.status_code == 401


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    session = await register(client, "bye@example.com")
    response = await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
    assert response.status_code == 200 and response.json()["data"] == {"loggedOut": True}
    again = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    assert again.status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
)
async def test_me_needs_a_valid_token(client: httpx.AsyncClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = await client.get("/v1/users/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


async def test_expired_access_token(settings: Settings) -> None:
    clock = MovableClock(datetime.now(UTC) - timedelta(minutes=16))
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        session = await register(client, "late@example.com")
        response = await client.get("/v1/users/me", headers=bearer(session))
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "access token expired"


async def test_token_signed_with_another_secret_is_refused(settings: Settings, client: httpx.AsyncClient) -> None:
    other = create_app(
        settings.model_copy(update={"jwt_secret": "another-secret-" + "x" * 30, "data_dir": settings.data_dir / "o"})
    )
    async with lifespan(other), http_client(other) as other_client:
        foreign = await register(other_client, "foreign@example.com")
    assert (await client.get("/v1/users/me", headers=bearer(foreign))).status_code == 401


async def test_update_profile(client: httpx.AsyncClient) -> None:
    session = await register(client, "edit@example.com")
    escalation = await client.put("/v1/users/me", headers=bearer(session), json={"firstName": "Grace", "role": "admin"})
    assert escalation.status_code == 422
    assert [d["field"] for d in escalation.json()["error"]["details"]] == ["body.role"]
    response = await client.put(
        "/v1/users/me", headers=bearer(session), json={"firstName": "Grace", "phone": "+44 20 7946 0958"}
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["firstName"], data["lastName"], data["phone"], data["role"]) == (
        "Grace",
        "Walker",
        "+44 20 7946 0958",
        "owner",
    )
    bad = await client.put("/v1/users/me", headers=bearer(session), json={"firstName": None})
    assert bad.status_code == 422


async def test_locale_is_english_until_set_and_stored_in_its_bcp47_form(client: httpx.AsyncClient) -> None:
    session = await register(client, "locale@example.com")
    me = await client.get("/v1/users/me", headers=bearer(session))
    assert me.json()["data"]["locale"] == "en"
    updated = await client.put("/v1/users/me", headers=bearer(session), json={"locale": "es-mx"})
    assert updated.status_code == 200 and updated.json()["data"]["locale"] == "es-MX"
    for bad in ("klingon-!!", "xx", "", None, 7):
        refused = await client.put("/v1/users/me", headers=bearer(session), json={"locale": bad})
        assert refused.status_code == 422, bad
        error = refused.json()["error"]
        assert error["code"] == "VALIDATION_ERROR" and [d["field"] for d in error["details"]] == ["body.locale"]
    assert (await client.get("/v1/users/me", headers=bearer(session))).json()["data"]["locale"] == "es-MX"


async def test_erase_me_removes_personal_data_and_sessions(client: httpx.AsyncClient, services) -> None:
    session = await register(client, "gone@example.com")
    response = await client.delete("/v1/users/me", headers=bearer(session))
    assert response.status_code == 200
    stored = await services.store.users.get(session["user"]["id"])
    assert stored is not None and stored.erased_at is not None
    assert "gone@example.com" not in stored.model_dump_json()
    assert stored.first_name == "" and stored.password_hash is None
    assert (await login(client, "gone@example.com")).status_code == 401
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})).status_code == 401
    assert (await client.get("/v1/users/me", headers=bearer(session))).status_code == 401
    # The address can be used for a new account.
    await register(client, "gone@example.com")
