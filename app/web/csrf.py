"""CSRF protection of the console's session routes: a double-submit token. GET /console sets it in an
httpOnly, SameSite=Strict cookie and writes the same value into the page; the session routes accept a
request only when its `X-CSRF-Token` header equals the cookie. A cross-site page can neither read the
token nor make the browser send the cookie."""

from __future__ import annotations

import secrets

from fastapi import Request

from app.errors import Forbidden

CSRF_COOKIE = "walky_csrf"
CSRF_HEADER = "X-CSRF-Token"
# 32 random bytes, URL-safe base64: 43 characters.
TOKEN_LENGTH = 43


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def valid_csrf_token(value: str | None) -> bool:
    return value is not None and len(value) == TOKEN_LENGTH and value.replace("-", "").replace("_", "").isalnum()


def require_csrf(request: Request) -> None:
    """FastAPI dependency: 403 unless the header repeats the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not valid_csrf_token(cookie) or header is None or not secrets.compare_digest(cookie or "", header):
        raise Forbidden("missing or wrong CSRF token")
