"""Repository behaviour over every adapter: users and refresh tokens."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.refresh_tokens import RefreshStatus, RefreshToken
from app.domain.users import Role, User
from app.errors import Conflict
from app.store.store import Store

NOW = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def make_user(user_id: str, email: str) -> User:
    return User(
        id=user_id,
        email=email,
        password_hash="h",
        role=Role.OWNER,
        first_name="A",
        last_name="B",
        created_at=NOW,
        updated_at=NOW,
    )


async def test_users_round_trip_and_conflict(store: Store) -> None:
    await store.users.add(make_user("u1", "a@x.com"))
    assert await store.users.by_email("a@x.com") == make_user("u1", "a@x.com")
    with pytest.raises(Conflict):
        await store.users.add(make_user("u2", "a@x.com"))


async def test_login_failures_lock_exactly_at_the_limit(store: Store) -> None:
    await store.users.add(make_user("u1", "a@x.com"))
    until = NOW + timedelta(minutes=15)
    results = await asyncio.gather(*(store.users.record_login_failure("u1", 5, until) for _ in range(5)))
    locked = [u for u in results if u is not None and u.locked_until == until]
    assert len(locked) >= 1
    stored = await store.users.get("u1")
    assert stored is not None and stored.locked_until == until and stored.failed_logins == 0


async def test_refresh_rotation_and_family_revocation(store: Store) -> None:
    for i in range(3):
        await store.refresh_tokens.add(
            RefreshToken(id=f"h{i}", user_id="u1", family_id="f1" if i < 2 else "f2", created_at=NOW, expires_at=NOW)
        )
    assert await store.refresh_tokens.rotate("h0") is True
    assert await store.refresh_tokens.rotate("h0") is False
    assert await store.refresh_tokens.revoke_family("f1") == 2
    token = await store.refresh_tokens.get("h1")
    assert token is not None and token.status is RefreshStatus.REVOKED
    other = await store.refresh_tokens.get("h2")
    assert other is not None and other.status is RefreshStatus.ACTIVE


async def test_token_version_bumps_count_every_racer(store: Store) -> None:
    await store.users.add(make_user("u1", "a@x.com"))
    assert await store.users.token_version("u1") == 0
    bumped = await asyncio.gather(*(store.users.bump_token_version("u1") for _ in range(5)))
    assert sorted(v for v in bumped if v is not None) == [1, 2, 3, 4, 5]
    assert await store.users.token_version("u1") == 5
    assert await store.users.bump_token_version("missing") is None
    assert await store.users.token_version("missing") == 0
    await store.users.erase("u1", NOW)
    assert await store.users.token_version("u1") is None
