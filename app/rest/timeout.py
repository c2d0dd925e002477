"""A deadline for REST handlers: past it, `503 UNAVAILABLE` in the contract's envelope.

The deadline covers the handler until its answer starts; an answer already being sent is never cut. A
handler stopped at the deadline may have done part of its work (like a client that hangs up): the store's
writes are individually atomic, and clients repeat writes with `Idempotency-Key`.
"""

from __future__ import annotations

import asyncio
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.rest.errors import send_error


class RequestTimeoutMiddleware:
    """`untimed_posts`: POST paths whose handlers read a large body at the client's pace (uploads); they are
    bounded by their size limit and the server's idle timeouts instead."""

    def __init__(self, app: ASGIApp, timeout_s: float, untimed_posts: re.Pattern[str] | None = None) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.untimed_posts = untimed_posts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            self.untimed_posts is not None and scope["method"] == "POST" and self.untimed_posts.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        started = False
        deadline = asyncio.timeout(self.timeout_s)

        async def send_and_note(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                deadline.reschedule(None)
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, send_and_note)
        except TimeoutError:
            if started:
                raise
            await refuse(send, self.timeout_s)


async def refuse(send: Send, timeout_s: float) -> None:
    """The answer to a request whose handler missed its deadline."""
    message = f"the request took longer than {timeout_s:g} s"
    await send_error(send, 503, "UNAVAILABLE", message, ((b"retry-after", b"1"),))
