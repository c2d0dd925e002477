"""Idempotency-Key handling for writes that create money or bookings: a replay returns the first response."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson

from app.auth.principal import Principal
from app.clock import Clock
from app.errors import AppError, Conflict, ValidationFailed
from app.store.store import Store

MAX_KEY_LENGTH = 255


class IdempotencyPorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def run_once(
    ports: IdempotencyPorts,
    principal: Principal,
    *,
    scope: str,
    key: str | None,
    payload: Any,
    action: Callable[[], Awaitable[Any]],
) -> tuple[Any, bool]:
    """Run `action` once per (scope, caller, key); return (JSON-ready result, replayed?)."""
    if key is None:
        return await action(), False
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters")
    repo = ports.store.idempotency
    record_id = repo.record_id(scope, principal.user_id, key)
    request_print = fingerprint(payload)
    existing = await repo.begin(record_id, request_print, ports.clock.now())
    if existing is not None:
        if existing.get("fingerprint") != request_print:
            raise Conflict("this Idempotency-Key was already used with a different request")
        if existing.get("state") != "done":
            raise Conflict("a request with this Idempotency-Key is still in progress")
        return existing["body"], True
    try:
        result = await action()
    except AppError:
        await repo.abandon(record_id)
        raise
    await repo.finish(record_id, 200, result)
    return result, False
