"""Every failure is the contract's envelope, never a stack trace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.service import api_of, create_app
from app.settings import Settings
from tests.support.asgi import http_client, lifespan


async def test_unknown_route_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "no such resource", "details": []},
    }


async def test_wrong_method(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/auth/login")
    assert response.status_code == 405
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in response.headers["allow"]


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login", content=b'{"email": "a@b.c", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["message"] == "request body is not valid JSON"


async def test_wrong_types_name_the_fields_without_echoing_values(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/login", json={"email": 42, "password": ["secret-123"]})
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert {d["field"] for d in details} == {"body.email", "body.password"}
    assert "secret-123" not in response.text


async def test_body_must_be_an_object(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/login", json=["a", "b"])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_huge_body_with_content_length(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/login", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_huge_streamed_body_without_content_length(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"y" * 65536

    response = await client.post("/v1/auth/login", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_body_just_under_the_limit_is_read(client: httpx.AsyncClient) -> None:
    padding = "z" * (1024 * 1024 - 200)
    response = await client.post("/v1/auth/login", json={"email": "a@example.com", "password": "p1", "pad": padding})
    # Read and parsed (not 413): the padding is then refused as an unknown field.
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["body.pad"]


async def test_unexpected_exception_is_internal_without_trace(settings: Settings) -> None:
    app = create_app(settings)

    async def explode() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    api_of(app).add_api_route("/boom", explode)
    async with lifespan(app), http_client(app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "success": False,
        "error": {"code": "INTERNAL", "message": "internal server error", "details": []},
    }
    assert "secret internals" not in response.text and "Traceback" not in response.text


async def test_security_headers_and_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "req-123"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-request-id"] == "req-123"


async def test_hsts_when_configured(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"hsts": True}))
    async with lifespan(app), http_client(app) as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize(("origin", "allowed"), [("https://app.walky.test", True), ("https://evil.example", False)])
async def test_cors_only_for_listed_origins(settings: Settings, origin: str, allowed: bool) -> None:
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.walky.test"]}))
    async with lifespan(app), http_client(app) as client:
        preflight = await client.options(
            "/v1/auth/login",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
    assert (preflight.headers.get("access-control-allow-origin") == origin) is allowed


async def test_openapi_document_and_docs(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/auth/login" in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # Served from the bundled assets, not a CDN.
    assert "cdn." not in docs.text and "/docs-assets/swagger-ui-bundle.js" in docs.text
    script = await client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
