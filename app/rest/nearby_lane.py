"""A short lane for the apps' hottest read, `GET /v1/locations/workers`, past the middleware and FastAPI.

Every owner's map polls it. Through the whole stack it spent about 110 µs of Python per request outside its
own work (the client address, rate limit, body limit, deadline and gzip middleware, then FastAPI's layers,
its router and the route's request object), more than the search itself.

The lane takes only the plain request: a signed-in caller whose token holds, the route's own query names at
most once each, no body, no header named twice, no `Origin` when CORS is on and no gzip asked for. It then
does what the stack does for it, in the same order and with the same functions: the API rate limit on the
user's bucket, the deadline, the search, the same bytes and headers. Anything else, every refusal included,
goes down the whole stack untouched: the lane decides nothing before the rate limit counts the request,
so a request it hands on is counted once, there. It sits inside the request context (and Sentry's capture,
when on), which still gives every answer its request id, security headers, metrics, log line and 500.

It pays its way: a quarter fewer instructions per request than the stack (scripts/bench/callgrind_paths.py,
BENCHMARKS.md, 2026-12-08). tests/app/rest/test_nearby_lane.py holds its answers byte for byte the stack's,
refusals and errors included, with Sentry off and on.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import orjson
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.principal import Principal
from app.composition import Services
from app.errors import AppError
from app.rest.errors import app_error_response
from app.rest.rate_limit import refusal
from app.rest.timeout import refuse
from app.usecases.accounts.sessions import authenticate
from app.usecases.live import nearby

# Any of these makes the request one for the whole stack (see the module's docstring).
_BODY_HEADERS = (b"content-length", b"transfer-encoding")


def query_pairs(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query, keep_blank_values=True)`, the way the stack reads a query. Without an escape
    (`%`, or `+` for a space) it comes down to splits, done here at a fifth of `parse_qsl`'s cost, which
    unquotes every name and value in turn (a test holds the two equal)."""
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def vary_origin(send: Send) -> Send:
    """`send`, adding `Vary: Origin` to the answer's head, as CORS does to an answer to a request without
    Origin (the lane's refusals: the stack gives them inside CORS)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"vary", b"Origin")]}
        await send(message)

    return sending


class NearbyLane:
    def __init__(
        self,
        app: ASGIApp,
        *,
        services: Services,
        route: APIRoute,
        rate: str,
        timeout_s: float,
        cors: bool,
        vary_from_bytes: int,
    ) -> None:
        """`route`: the stack's own route, whose path the lane serves (the request context names metrics
        after it);
        `vary_from_bytes`: the gzip middleware's minimum size, from which it adds `Vary: Accept-Encoding`."""
        self.app = app
        self.services = services
        self.route = route
        self.path = route.path
        self.rate = rate
        self.timeout_s = timeout_s
        self.cors = cors
        self.vary_from_bytes = vary_from_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        query = await self._plain_query(scope)
        if query is None:
            await self.app(scope, receive, send)
            return
        principal, params = query
        scope["route"] = self.route
        refusing = vary_origin(send) if self.cors else send
        refused = await refusal(self.services.limiter, self.rate, "user", principal.user_id)
        if refused is not None:
            await refused(scope, receive, refusing)
            return
        try:
            async with asyncio.timeout(self.timeout_s):
                views = await nearby.find_nearby_workers(self.services, principal, params)
        except TimeoutError:
            await refuse(refusing, self.timeout_s)
            return
        except AppError as exc:
            await app_error_response(exc)(scope, receive, refusing)
            return
        body = orjson.dumps({"success": True, "data": views})
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        # As the gzip middleware (from its minimum size) and CORS (to a request without Origin) add them.
        vary = [b"Accept-Encoding"] if len(body) >= self.vary_from_bytes else []
        if self.cors:
            vary.append(b"Origin")
        if vary:
            headers.append((b"vary", b", ".join(vary)))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _plain_query(self, scope: Scope) -> tuple[Principal, nearby.NearbyQuery] | None:
        """The caller and the query of a plain request (see the module's docstring), else None."""
        raw = scope["headers"]
        headers = dict(raw)
        if len(headers) != len(raw) or any(name in headers for name in _BODY_HEADERS):
            return None
        if (self.cors and b"origin" in headers) or b"gzip" in headers.get(b"accept-encoding", b""):
            return None
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token or token != token.strip():
            return None
        pairs = query_pairs(scope["query_string"].decode("latin-1"))
        given = dict(pairs)
        if len(given) != len(pairs) or not given.keys() <= nearby.QUERY_NAMES:
            return None
        try:
            principal = await authenticate(self.services, token)
            return principal, nearby.NearbyQuery.model_validate(given)
        except (AppError, ValidationError):
            return None
