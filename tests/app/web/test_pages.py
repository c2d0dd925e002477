"""The pages without a browser: HTML answers, headers, escaping, static files, the console's session routes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import xstatic.pkg.leaflet as leaflet
from pydantic import ValidationError

from app.service import create_app
from app.settings import Settings
from app.web.console_session import REFRESH_COOKIE
from app.web.csrf import CSRF_COOKIE, CSRF_HEADER
from app.web.headers import content_security_policy
from tests.app.marketplace import business_account, owner
from tests.support.api import PASSWORD
from tests.support.asgi import http_client, lifespan


async def csrf_pair(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """The CSRF token GET /console hands out, and headers that send it back as header and cookie."""
    response = await client.get("/console")
    token = response.cookies[CSRF_COOKIE]
    return token, {CSRF_HEADER: token, "Cookie": f"{CSRF_COOKIE}={token}"}


def set_cookie(response: httpx.Response, name: str) -> str:
    return next(value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}="))


async def test_console_is_html_with_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/console")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "default-src 'none'" in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in response.text  # every script is a file of our own
    assert 'src="/static/vendor/leaflet-1.9.3/leaflet.js"' in response.text


async def test_console_sets_an_http_only_strict_csrf_cookie_matching_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/console")
    cookie = set_cookie(response, CSRF_COOKIE).lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    assert f'data-csrf-token="{response.cookies[CSRF_COOKIE]}"' in response.text


async def test_settings_reach_the_page_escaped(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, map_attribution='<script>alert("x")</script>', map_tile_url="", _env_file=None
    )
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        response = await client.get("/console")
    assert "<script>alert" not in response.text
    assert 'data-attribution="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in response.text
    # No tile server: images from the page's own origin only.
    assert "img-src 'self' data:;" in response.headers["content-security-policy"]


async def test_static_assets_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/static/console.js",
        "/static/vendor/socket.io-4.8.4.esm.min.js",
        f"/static/vendor/leaflet-{leaflet.VERSION}/leaflet.js",
        "/static/vendor/leaflet.markercluster-1.4.1/leaflet.markercluster.js",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"], path


async def test_static_paths_cannot_leave_their_directories(client: httpx.AsyncClient) -> None:
    for raw in (
        "/static/%2e%2e/pages.py",
        "/static/..%2fpages.py",
        "/static/vendor/leaflet-1.9.3/%2e%2e/__init__.py",
        "/static/vendor/%2e%2e/%2e%2e/settings.py",
    ):
        response = await client.get(httpx.URL(f"http://testserver{raw}"))
        assert response.status_code == 404, raw


async def test_a_malformed_share_token_shows_the_ended_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/track/not%20a%20token")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "This link has ended" in response.text


async def test_console_sign_in_needs_the_csrf_token(client: httpx.AsyncClient) -> None:
    await business_account(client, "boss@example.com")
    body = {"email": "boss@example.com", "password": PASSWORD}
    token, headers = await csrf_pair(client)
    no_header = await client.post("/console/session", json=body, headers={"Cookie": f"{CSRF_COOKIE}={token}"})
    assert no_header.status_code == 403
    wrong = await client.post("/console/session", json=body, headers={**headers, CSRF_HEADER: "x" * 43})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "FORBIDDEN"


async def test_console_session_keeps_the_refresh_token_in_a_strict_cookie(client: httpx.AsyncClient) -> None:
    _, business_id = await business_account(client, "boss@example.com")
    _, headers = await csrf_pair(client)
    signed_in = await client.post(
        "/console/session", json={"email": "boss@example.com", "password": PASSWORD}, headers=headers
    )
    assert signed_in.status_code == 200, signed_in.text
    data = signed_in.json()["data"]
    assert "refreshToken" not in data
    assert data["user"]["businessId"] == business_id
    cookie = set_cookie(signed_in, REFRESH_COOKIE)
    assert all(part in cookie.lower() for part in ("httponly", "secure", "samesite=strict", "path=/console;"))
    refresh_token = signed_in.cookies[REFRESH_COOKIE]

    with_cookie = {**headers, "Cookie": f"{headers['Cookie']}; {REFRESH_COOKIE}={refresh_token}"}
    renewed = await client.post("/console/session/refresh", headers=with_cookie)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["data"]["user"]["businessId"] == business_id
    assert renewed.cookies[REFRESH_COOKIE] != refresh_token
    # The rotated token presented again is a leak: refused.
    assert (await client.post("/console/session/refresh", headers=with_cookie)).status_code == 401


async def test_console_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await business_account(client, "boss@example.com")
    _, headers = await csrf_pair(client)
    signed_in = await client.post(
        "/console/session", json={"email": "boss@example.com", "password": PASSWORD}, headers=headers
    )
    with_cookie = {**headers, "Cookie": f"{headers['Cookie']}; {REFRESH_COOKIE}={signed_in.cookies[REFRESH_COOKIE]}"}
    signed_out = await client.post("/console/session/logout", headers=with_cookie)
    assert signed_out.status_code == 200
    assert f'{REFRESH_COOKIE}=""' in set_cookie(signed_out, REFRESH_COOKIE)
    assert (await client.post("/console/session/refresh", headers=with_cookie)).status_code == 401


async def test_console_refuses_accounts_that_are_not_businesses(client: httpx.AsyncClient) -> None:
    await owner(client, "owner@example.com")
    _, headers = await csrf_pair(client)
    response = await client.post(
        "/console/session", json={"email": "owner@example.com", "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 403
    assert REFRESH_COOKIE not in response.cookies


async def test_console_sign_in_refuses_unknown_fields(client: httpx.AsyncClient) -> None:
    _, headers = await csrf_pair(client)
    response = await client.post(
        "/console/session", json={"email": "a@example.com", "password": "x", "remember": True}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_refresh_without_a_session_cookie_is_unauthorized(client: httpx.AsyncClient) -> None:
    _, headers = await csrf_pair(client)
    response = await client.post("/console/session/refresh", headers=headers)
    assert response.status_code == 401


def test_the_tile_url_must_be_http() -> None:
    with pytest.raises(ValidationError):
        Settings(map_tile_url="javascript:alert(1)//{z}/{x}/{y}", _env_file=None)
    assert Settings(map_tile_url="", _env_file=None).map_tile_url == ""


def test_the_policy_names_a_subdomain_template_as_a_wildcard_host() -> None:
    policy = content_security_policy("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
