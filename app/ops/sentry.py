"""Error tracking with Sentry, on when WALKY_SENTRY_DSN is set. Imported only then (see
app/composition.py), so the embedded default never loads sentry-sdk.

Events carry the release, the environment and the request id, and pass through app/ops/scrub.py first:
no email address, token, cookie, coordinate or card number leaves the process.
"""

from __future__ import annotations

import asyncio
from importlib.metadata import version
from typing import Any

import sentry_sdk
import structlog
from sentry_sdk.integrations.asyncio import AsyncioIntegration
from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration
from sentry_sdk.types import Event, Hint
from starlette.types import ASGIApp, Receive, Scope, Send

from app.ops.scrub import scrub_event
from app.settings import Settings

FLUSH_TIMEOUT_S = 2.0


def release_of(settings: Settings) -> str:
    return settings.sentry_release or f"walky@{version('walky')}"


def before_send(event: Event, _hint: Hint) -> Event:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id is not None:
        event.setdefault("tags", {})["request_id"] = request_id
    scrubbed: dict[str, Any] = scrub_event(dict(event))
    return scrubbed  # type: ignore[return-value]


class ErrorTracking:
    """Started inside the event loop: the asyncio integration instruments the running loop's tasks."""

    def __init__(self, settings: Settings) -> None:
        assert settings.sentry_dsn
        self._dsn = settings.sentry_dsn
        self._release = release_of(settings)
        self._environment = settings.env.value

    async def start(self) -> None:
        sentry_sdk.init(
            dsn=self._dsn,
            release=self._release,
            environment=self._environment,
            # Personal data (IPs, cookies, locals, bodies) is not collected (send_default_pii stays off);
            # scrubbing is the second line.
            include_local_variables=False,
            max_request_body_size="never",
            # Errors only: latency objectives are measured by /metrics, not sampled traces.
            traces_sample_rate=0.0,
            before_send=before_send,
            integrations=[StarletteIntegration(), FastApiIntegration(), AsyncioIntegration()],
        )

    async def stop(self) -> None:
        # close() sends what is queued first; off the loop, so shutdown does not stall on the network.
        await asyncio.to_thread(sentry_sdk.get_client().close, timeout=FLUSH_TIMEOUT_S)


class CaptureErrors:
    """Reports a REST handler's unhandled exception before the request context turns it into a 500
    (app/rest/middleware.py answers it, so Sentry's own ASGI wrapper never sees it), then lets it go on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            sentry_sdk.capture_exception(exc)
            raise
