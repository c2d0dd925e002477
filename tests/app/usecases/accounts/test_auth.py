"""Signing up and in on the store alone: register, login and lockout, rotating refresh with reuse detection,
logout and password change ending sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.users import Role
from app.errors import Conflict, RateLimited, Unauthorized
from app.usecases.accounts import auth
from app.usecases.accounts.auth import LoginInput, PasswordChange, RefreshInput
from app.usecases.accounts.sessions import authenticate
from tests.app.usecases.accounts.helpers import PASSWORD, Ports, register


async def test_register_opens_a_session_and_sends_the_verification_email(ports: Ports) -> None:
    session = await register(ports)

    principal = await authenticate(ports, session.access_token)
    assert (principal.user_id, principal.role) == (session.user.id, Role.OWNER)
    assert session.expires_in == ports.settings.access_token_ttl_s
    stored = await ports.store.users.get(session.user.id)
    assert stored is not None and stored.password_hash != PASSWORD and not stored.is_email_verified
    [email] = await ports.store.outbox.of_user(session.user.id)
    assert (email.kind, email.to) == ("account.verify_email", "pat@example.com")
    assert ports.outbox_relay.woken == 1
    with pytest.raises(Conflict):
        await register(ports)


async def test_login_checks_the_password_and_locks_after_repeated_failures(ports: Ports) -> None:
    await register(ports)
    wrong = LoginInput(email="pat@example.com", password="not the password")
    with pytest.raises(Unauthorized):
        await auth.login(ports, LoginInput(email="nobody@example.com", password=PASSWORD))

    for _ in range(ports.settings.login_max_failures - 1):
        with pytest.raises(Unauthorized):
            await auth.login(ports, wrong)
    with pytest.raises(RateLimited):
        await auth.login(ports, wrong)
    # Locked: even the right password waits.
    with pytest.raises(RateLimited):
        await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))

    ports.clock.advance(ports.settings.login_lockout_s + 1)
    session = await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))
    assert session.user.email == "pat@example.com"


async def test_refresh_rotates_and_a_reused_token_ends_the_whole_family(ports: Ports) -> None:
    first = await register(ports)
    second = await auth.refresh(ports, RefreshInput(refresh_token=first.refresh_token))
    assert second.refresh_token != first.refresh_token
    third = await auth.refresh(ports, RefreshInput(refresh_token=second.refresh_token))

    # The first token presented again: it leaked, so every token of its family ends, the newest too.
    with pytest.raises(Unauthorized, match="reuse"):
        await auth.refresh(ports, RefreshInput(refresh_token=first.refresh_token))
    with pytest.raises(Unauthorized):
        await auth.refresh(ports, RefreshInput(refresh_token=third.refresh_token))
    # Another session (another family) of the same account carries on.
    other = await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))
    await auth.refresh(ports, RefreshInput(refresh_token=other.refresh_token))


async def test_a_refresh_token_expires(ports: Ports) -> None:
    session = await register(ports)
    ports.clock.advance(timedelta(seconds=ports.settings.refresh_token_ttl_s))

    with pytest.raises(Unauthorized, match="expired"):
        await auth.refresh(ports, RefreshInput(refresh_token=session.refresh_token))


async def test_logout_ends_that_session_and_voids_access_tokens(ports: Ports) -> None:
    session = await register(ports)
    other = await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))

    await auth.logout(ports, RefreshInput(refresh_token=session.refresh_token))

    with pytest.raises(Unauthorized):
        await authenticate(ports, session.access_token)
    with pytest.raises(Unauthorized):
        await auth.refresh(ports, RefreshInput(refresh_token=session.refresh_token))
    # The other device refreshes and carries on with a fresh access token.
    renewed = await auth.refresh(ports, RefreshInput(refresh_token=other.refresh_token))
    assert (await authenticate(ports, renewed.access_token)).user_id == session.user.id
    # Unknown tokens are fine.
    await auth.logout(ports, RefreshInput(refresh_token="x" * 32))


async def test_a_password_change_ends_every_other_session(ports: Ports) -> None:
    session = await register(ports)
    principal = await authenticate(ports, session.access_token)
    with pytest.raises(Unauthorized):
        await auth.change_password(
            ports, principal, PasswordChange(current_password="wrong password", new_password="a new password 1")
        )

    fresh = await auth.change_password(
        ports, principal, PasswordChange(current_password=PASSWORD, new_password="a new password 1")
    )

    with pytest.raises(Unauthorized):
        await authenticate(ports, session.access_token)
    with pytest.raises(Unauthorized):
        await auth.refresh(ports, RefreshInput(refresh_token=session.refresh_token))
    assert (await authenticate(ports, fresh.access_token)).user_id == session.user.id
    with pytest.raises(Unauthorized):
        await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))
    await auth.login(ports, LoginInput(email="pat@example.com", password="a new password 1"))
