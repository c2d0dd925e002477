"""Access tokens: verified tokens are remembered, but never past their expiry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.auth import tokens
from app.auth.principal import Principal
from app.domain.users import Role
from app.errors import Unauthorized

WORKER = Principal("u1", Role.WORKER, "b1", "w1")


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    now = datetime.now(UTC)
    token = access.issue(WORKER, now)
    assert access.verify(token) == WORKER
    assert access.verify(token) == WORKER  # from memory
    later = now.timestamp() + 61
    monkeypatch.setattr("app.auth.tokens.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _FrozenDatetime(later))
    with pytest.raises(Unauthorized, match="expired"):
        access.verify(token)


def test_a_forged_token_is_refused_every_time() -> None:
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    forged = tokens.AccessTokens("t" * 40, ttl_s=60).issue(WORKER, datetime.now(UTC))
    for _ in range(2):
        with pytest.raises(Unauthorized, match="invalid"):
            access.verify(forged)


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 3)
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    now = datetime.now(UTC)
    issued = [access.issue(Principal(f"u{i}", Role.OWNER), now) for i in range(5)]
    assert [access.verify(token).user_id for token in issued] == [f"u{i}" for i in range(5)]
    assert len(access._verified) <= 3


class _FrozenDatetime:
    """Stands in for `datetime` inside PyJWT, so its own expiry check sees the same later time."""

    def __init__(self, epoch_s: float) -> None:
        self._moment = datetime.fromtimestamp(epoch_s, tz=UTC)

    def now(self, tz: object = None) -> datetime:
        return self._moment

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)
