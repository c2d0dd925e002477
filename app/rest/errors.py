"""Every failure leaves as the contract's error envelope; no stack trace ever reaches a client."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

from app.errors import AppError, RateLimited
from app.rest.envelope import error_body

_HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    503: "UNAVAILABLE",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        orjson.dumps(error_body(code, message, details)),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


async def send_error(
    send: Send, status: int, code: str, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """An error answer sent straight as ASGI messages, for middleware that answers before any route."""
    body = orjson.dumps(error_body(code, message))
    start_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": body})


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """Field paths and reasons, without echoing the submitted values (they may be passwords)."""
    details = []
    for err in errors:
        location = [str(part) for part in err.get("loc", ())]
        details.append({"field": ".".join(location), "message": err.get("msg", ""), "type": err.get("type", "")})
    return details


def app_error_response(exc: AppError) -> Response:
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
    return error_response(exc.status, exc.code, exc.message, exc.details, headers)


async def _app_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = validation_details(exc.errors())
    malformed = any(d["type"] == "json_invalid" for d in details)
    message = "request body is not valid JSON" if malformed else "request validation failed"
    return error_response(422, "VALIDATION_ERROR", message, details)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = 422 if exc.status_code == 400 else exc.status_code
    code = _HTTP_CODES.get(status, "INTERNAL" if status >= 500 else "VALIDATION_ERROR")
    message = {404: "no such resource", 405: "method not allowed"}.get(status, str(exc.detail))
    return error_response(status, code, message, headers=dict(exc.headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def internal_error_response() -> JSONResponse:
    return JSONResponse(error_body("INTERNAL", "internal server error"), status_code=500)
