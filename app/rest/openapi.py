"""The OpenAPI document tells the truth about errors: every operation lists the error statuses it can answer.

Derived from each operation's shape when the document is generated, so routes added anywhere get them too:

* 422 when it takes parameters or a body; 413 and 404 with a body (it may name a missing resource);
* 401 and 403 when it takes an access token; 404 when its path names a resource;
* 409 for writes (a state transition not allowed, a duplicate); 429 everywhere (rate limits).

An operation that can answer more (a webhook's 400, a provider's 402 or 503) declares the status in the
route's `responses`; the envelope schema is filled in here for every declared error status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.rest.envelope import ErrorEnvelope

ERROR_SCHEMA = "ErrorEnvelope"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = WRITE_METHODS | {"get", "head", "options", "trace"}
DESCRIPTIONS = {
    400: "Malformed request (`VALIDATION_ERROR`)",
    401: "Missing, invalid or expired access token (`UNAUTHORIZED`)",
    402: "The payment provider refused (`PAYMENT_ERROR`)",
    403: "Not allowed for this account (`FORBIDDEN`)",
    404: "No such resource, or not visible to this account (`NOT_FOUND`)",
    409: "State transition not allowed, or a duplicate (`CONFLICT`)",
    413: "Request body too large (`PAYLOAD_TOO_LARGE`)",
    422: "Invalid input; `details` name each field and the reason (`VALIDATION_ERROR`)",
    429: "Too many requests; retry after `Retry-After` seconds (`RATE_LIMITED`)",
    503: "A component or provider is not answering (`UNAVAILABLE`)",
}
# For the routes of a walk's own data (tracking, the report card, its map and GPX): they exist once the
# walk has started, and a read before that is a GET answering 409, which the derivation above leaves out.
WALK_NOT_STARTED: dict[int | str, dict[str, Any]] = {409: {"description": "The walk has not started yet (`CONFLICT`)"}}
# FastAPI's own 422 schemas describe a body this service never sends.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
# What FastAPI writes when a route gives no description of its own.
_FASTAPI_DESCRIPTIONS = frozenset({"Validation Error", "Additional Response"})


def derived_error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = {429}
    if parameters or has_body:
        statuses.add(422)
    if has_body:
        statuses |= {404, 413}
    if operation.get("security"):
        statuses |= {401, 403}
    if any(parameter.get("in") == "path" for parameter in parameters):
        statuses.add(404)
    if method in WRITE_METHODS:
        statuses.add(409)
    return statuses


def _error_response(status: int, declared: dict[str, Any] | None) -> dict[str, Any]:
    description = (declared or {}).get("description")
    if not description or description in _FASTAPI_DESCRIPTIONS:
        description = DESCRIPTIONS.get(status, "Error")
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}
    return response


def document_errors(document: dict[str, Any]) -> None:
    """Add the error responses to every operation of a generated document, in place."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas[ERROR_SCHEMA] = envelope
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            declared = {int(key) for key in responses if key.isdigit() and int(key) >= 400}
            for status in declared | derived_error_statuses(method, operation):
                responses[str(status)] = _error_response(status, responses.get(str(status)))
            operation["responses"] = dict(sorted(responses.items()))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)


def install_error_documentation(app: FastAPI) -> None:
    """Generate the document (once, on first request) with every operation's error responses."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_errors(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
