"""At the edge: gzip for REST answers over 1 KiB (never Socket.IO), and the handler deadline (503)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from app import service
from app.auth.principal import Principal
from app.domain.users import Role
from app.rest.timeout import RequestTimeoutMiddleware
from app.service import create_app, services_of
from app.settings import Settings
from app.usecases import pets
from tests.support.asgi import http_client, lifespan

GZIP = {"Accept-Encoding": "gzip"}


async def test_json_over_a_kibibyte_is_gzipped_and_smaller_answers_are_not(client: httpx.AsyncClient) -> None:
    big = await client.get("/openapi.json", headers=GZIP)
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["openapi"].startswith("3.")  # httpx decompressed it
    small = await client.get("/healthz", headers=GZIP)
    assert "content-encoding" not in small.headers
    plain = await client.get("/openapi.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


async def test_socket_io_is_never_gzipped(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # With a 1-byte threshold every REST answer is compressed: the Socket.IO handshake still is not.
    monkeypatch.setattr(service, "GZIP_MIN_BYTES", 1)
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        assert (await client.get("/healthz", headers=GZIP)).headers["content-encoding"] == "gzip"
        handshake = await client.get("/socket.io/", params={"EIO": "4", "transport": "polling"}, headers=GZIP)
        assert handshake.status_code == 200
        assert "content-encoding" not in handshake.headers
        assert handshake.text.startswith("0{")


async def test_a_handler_past_the_deadline_answers_503(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    async def stuck(*_: object, **__: object) -> None:
        await asyncio.sleep(30)

    monkeypatch.setattr(pets, "list_pets", stuck)
    app = create_app(settings.model_copy(update={"request_timeout_s": 0.2}))
    async with lifespan(app), http_client(app) as client:
        services = services_of(app)
        # Issued directly: registering (a password hash) could itself outlast so short a deadline.
        token = services.access_tokens.issue(Principal("u1", Role.OWNER), services.clock.now())
        response = await client.get("/v1/pets", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "UNAVAILABLE"
        assert response.headers["retry-after"] == "1"
        assert response.headers["x-request-id"]
        assert (await client.get("/healthz")).status_code == 200


async def test_an_answer_already_started_is_not_cut() -> None:
    async def slow_body(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.3)
        await send({"type": "http.response.body", "body": b"late but whole"})

    transport = httpx.ASGITransport(app=RequestTimeoutMiddleware(slow_body, timeout_s=0.1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/")
    assert (response.status_code, response.content) == (200, b"late but whole")


async def test_uploads_are_not_held_to_the_deadline() -> None:
    async def slow_upload(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.3)
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"stored"})

    timed = RequestTimeoutMiddleware(slow_upload, timeout_s=0.1, untimed_posts=re.compile(r"/v1/users/me/avatar"))
    transport = httpx.ASGITransport(app=timed)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.post("/v1/users/me/avatar", content=b"img")).status_code == 201
        assert (await client.get("/v1/users/me/avatar")).status_code == 503
        assert (await client.post("/v1/pets", content=b"{}")).status_code == 503
