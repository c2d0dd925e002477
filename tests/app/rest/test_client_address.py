"""The client IP behind trusted proxies: X-Forwarded-For is believed only as far as our own proxies wrote it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from ipaddress import ip_network

import httpx
import pytest
from pydantic import ValidationError

from app.rest.client_address import client_ip
from app.service import create_app
from app.settings import Settings
from tests.support.asgi import lifespan

LOOPBACK = [ip_network("127.0.0.0/8"), ip_network("::1/128")]
PROXIES = [ip_network("10.0.0.0/8"), *LOOPBACK]


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        pytest.param("203.0.113.7", ["198.51.100.1"], "203.0.113.7", id="untrusted-peer-is-the-client"),
        pytest.param("127.0.0.1", [], "127.0.0.1", id="no-header"),
        pytest.param("127.0.0.1", ["198.51.100.1"], "198.51.100.1", id="one-proxy"),
        pytest.param("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1", id="client-written-entry-ignored"),
        pytest.param("127.0.0.1", ["198.51.100.1, 10.1.2.3"], "198.51.100.1", id="proxy-chain"),
        pytest.param("127.0.0.1", ["6.6.6.6", "198.51.100.1, 10.1.2.3"], "198.51.100.1", id="repeated-header"),
        pytest.param("127.0.0.1", ["10.0.0.9, 10.1.2.3"], "10.0.0.9", id="all-trusted-leftmost"),
        pytest.param("127.0.0.1", ["198.51.100.1, junk"], "127.0.0.1", id="junk-stops-at-the-proxy"),
        pytest.param("::1", [" 2001:db8::5 "], "2001:db8::5", id="ipv6"),
        pytest.param("unix-socket", ["198.51.100.1"], "unix-socket", id="peer-not-an-address"),
    ],
)
def test_client_ip(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_ip(peer, forwarded, PROXIES) == expected


@asynccontextmanager
async def app_client(settings: Settings, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
    async with lifespan(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def login_from(client: httpx.AsyncClient, forwarded_for: str) -> int:
    response = await client.post(
        "/v1/auth/login",
        json={"email": "x@example.com", "password": "whatever-1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def test_users_behind_a_proxy_have_their_own_login_bucket(settings: Settings) -> None:
    limited = settings.model_copy(update={"auth_rate_limit": "2/minute"})
    async with app_client(limited, "127.0.0.1") as client:
        assert [await login_from(client, "198.51.100.1") for _ in range(3)] == [401, 401, 429]
        assert await login_from(client, "198.51.100.2") == 401
        # A client cannot pick another bucket by writing its own entry in front of the proxy's.
        assert await login_from(client, "6.6.6.6, 198.51.100.1") == 429


async def test_an_untrusted_peer_cannot_claim_another_address(settings: Settings) -> None:
    limited = settings.model_copy(update={"auth_rate_limit": "2/minute"})
    async with app_client(limited, "203.0.113.7") as client:
        assert [await login_from(client, f"198.51.100.{n}") for n in range(3)] == [401, 401, 429]


async def test_trusted_proxies_come_from_settings(settings: Settings) -> None:
    limited = settings.model_copy(update={"auth_rate_limit": "1/minute", "trusted_proxies": []})
    async with app_client(limited, "127.0.0.1") as client:
        assert await login_from(client, "198.51.100.1") == 401
        assert await login_from(client, "198.51.100.2") == 429


def test_trusted_proxies_setting_parses_a_cidr_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALKY_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8")
    assert Settings(_env_file=None).trusted_proxies == [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]
    monkeypatch.setenv("WALKY_TRUSTED_PROXIES", "10.0.0.1/8")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(_env_file=None)
    monkeypatch.delenv("WALKY_TRUSTED_PROXIES")
    assert Settings(_env_file=None).trusted_proxies == LOOPBACK
