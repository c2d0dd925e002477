"""The general API rate limit: every REST request counts, per user when it carries a valid access token,
else per client IP (so users behind one NAT or proxy do not share a bucket once signed in).

Runs as ASGI middleware before the body is read, so a flood costs a counter and not a request's work.
Health and metrics endpoints are not counted: probes and scrapers must always get through.
"""

from __future__ import annotations

import structlog
from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.tokens import AccessTokens
from app.errors import AppError, RateLimited
from app.ratelimit import RateLimiter
from app.rest.errors import app_error_response

log = structlog.get_logger("walky.http")

EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


async def refusal(limiter: RateLimiter, rate: str, kind: str, key: str) -> Response | None:
    """Counts one request against `key`'s bucket: the 429 to answer when it is over the limit, else None."""
    try:
        await limiter.hit(rate, "api", kind, key, exact=False)
    except RateLimited as exc:
        return app_error_response(exc)
    except RedisError:
        # The limit protects the service; it must not take it down with Redis (/readyz reports Redis).
        log.warning("api rate limit not counted: redis failed")
    return None


class ApiRateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, rate: str, access_tokens: AccessTokens) -> None:
        self.app = app
        self.limiter = limiter
        self.rate = rate
        self.access_tokens = access_tokens

    def _key(self, scope: Scope) -> tuple[str, str]:
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                # Identity only; whether the session still holds is the endpoint's check.
                return "user", self.access_tokens.verify(token.strip()).user_id
            except AppError:
                pass
        client = scope.get("client")
        return "ip", client[0] if client else "unknown"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        refused = await refusal(self.limiter, self.rate, *self._key(scope))
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)
