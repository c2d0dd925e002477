"""The OpenAPI document declares every operation's error statuses, with the error envelope's schema."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from app.rest.deps import PrincipalDep
from app.rest.openapi import ERROR_SCHEMA, HTTP_METHODS
from app.service import api_of, create_app
from app.settings import Settings

ENVELOPE = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def error_statuses(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"] if int(status) >= 400}


@pytest.fixture
def api(settings: Settings) -> FastAPI:
    return api_of(create_app(settings))


def test_every_error_response_carries_the_envelope_schema(api: FastAPI) -> None:
    document = api.openapi()
    assert "HTTPValidationError" not in str(document)
    assert document["components"]["schemas"][ERROR_SCHEMA]["required"] == ["success", "error"]
    for (method, path), operation in operations(document).items():
        assert 429 in error_statuses(operation), (method, path)
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == ENVELOPE, (method, path, status)
                assert response["description"] not in ("Validation Error", "Additional Response")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/healthz", {429}),
        ("get", "/readyz", {429, 503}),
        ("get", "/v1/users/me", {401, 403, 429}),
        ("get", "/v1/bookings", {401, 403, 422, 429}),
        ("post", "/v1/auth/login", {401, 404, 409, 413, 422, 429}),
        ("post", "/v1/auth/logout", {404, 409, 413, 422, 429}),
        ("post", "/v1/bookings/{booking_id}/start", {401, 403, 404, 409, 422, 429}),
        ("post", "/v1/payments/{payment_id}/refund", {401, 402, 403, 404, 409, 413, 422, 429, 503}),
        ("post", "/v1/webhooks/stripe", {400, 402, 409, 422, 429, 503}),
    ],
)
def test_error_statuses_follow_the_operation(api: FastAPI, method: str, path: str, expected: set[int]) -> None:
    assert error_statuses(operations(api.openapi())[(method, path)]) == expected


class Note(BaseModel):
    text: str


def test_routes_added_after_the_app_is_built_are_documented_too(api: FastAPI) -> None:
    router = APIRouter()

    @router.put("/v1/notes/{note_id}")
    async def put_note(note_id: str, body: Note, principal: PrincipalDep) -> Note:
        return body

    api.include_router(router)
    operation = operations(api.openapi())[("put", "/v1/notes/{note_id}")]
    assert error_statuses(operation) == {401, 403, 404, 409, 413, 422, 429}


# Amount-like property names; `total` alone is a page's count of items (PageMeta), not money.
AMOUNT_NAME = re.compile(r"(Price|Amount|amount|Fee|fee|Total|additional|payout)$")
NOT_MONEY = {("PageMeta", "total")}


def test_every_amount_says_it_is_in_minor_units(api: FastAPI) -> None:
    schemas = api.openapi()["components"]["schemas"]
    amounts = [
        (name, prop, spec)
        for name, schema in schemas.items()
        for prop, spec in (schema.get("properties") or {}).items()
        if AMOUNT_NAME.search(prop) and (name, prop) not in NOT_MONEY
    ]
    assert {("PricingInput", "basePrice"), ("BookingPricing", "totalAmount"), ("RefundInput", "amount")} <= {
        (name, prop) for name, prop, _ in amounts
    }
    for name, prop, spec in amounts:
        assert "minor units" in spec.get("description", ""), (name, prop)
