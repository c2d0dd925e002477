"""Pure ASGI middleware: request context (id, logs, metrics, security headers) and the body limit."""

from __future__ import annotations

import os
import re
import time

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.metrics import Metrics
from app.rest.errors import internal_error_response, send_error

log = structlog.get_logger("walky.http")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# A client may send any token as a method: the others are counted as one, so series stay bounded.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, hsts: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.headers = [*_SECURITY_HEADERS, _HSTS] if hsts else list(_SECURITY_HEADERS)
        # (route, method, status) -> its counter and latency series: prometheus_client's `labels()` looks
        # them up anew, under a lock, on every call.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        # 128 random bits, as a uuid4 (whose object and version bits cost more than the bytes).
        request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else os.urandom(16).hex()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += self.headers
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", method=scope["method"], path=scope["path"])
            if not response_started:
                await internal_error_response()(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            count, latency = self._series_of(template, scope["method"], status)
            count.inc()
            latency.observe(elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")

    def _series_of(self, template: str, method: str, status: int) -> tuple[Counter, Histogram]:
        label = method if method in _METHODS else "OTHER"
        key = (template, label, status)
        series = self._series.get(key)
        if series is None:
            metrics = self.metrics
            series = self._series[key] = (
                metrics.http_requests.labels(template, label, str(status)),
                metrics.http_latency.labels(template, label),
            )
        return series


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, whether announced by Content-Length or streamed.

    POSTs to `streamed_paths` (uploads) pass through unbuffered: their routes read the body as a
    stream and enforce their own, larger bound while reading.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, streamed_paths: re.Pattern[str] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed_paths = streamed_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.streamed_paths is not None
            and scope["method"] == "POST"
            and self.streamed_paths.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, "PAYLOAD_TOO_LARGE", f"request body exceeds {self.max_bytes} bytes")
