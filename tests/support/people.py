"""Accounts written straight into a store, for use-case tests that need a person but not the sign-up."""

from __future__ import annotations

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.users import Role, User
from app.ids import new_id
from app.store.store import Store


async def owner_account(store: Store, clock: Clock, email: str | None = None) -> Principal:
    """An owner (a fresh address unless one is given), as the principal its token would prove."""
    now = clock.now()
    user = User(
        id=new_id(),
        email=email or f"{new_id()}@example.com",
        password_hash="unused",
        role=Role.OWNER,
        first_name="Pat",
        last_name="Owner",
        created_at=now,
        updated_at=now,
    )
    await store.users.add(user)
    return Principal(user.id, Role.OWNER)
