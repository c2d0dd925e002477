"""Accounts reached by email, on the store alone: verifying the address, resetting a forgotten password."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.errors import RateLimited, Unauthorized, ValidationFailed
from app.usecases.accounts import auth, email_tokens
from app.usecases.accounts.auth import LoginInput, RefreshInput
from app.usecases.accounts.email_tokens import EmailInput, ResetPasswordInput, TokenInput
from app.usecases.accounts.sessions import authenticate
from tests.app.usecases.accounts.helpers import PASSWORD, Ports, register

NEW_PASSWORD = "another secret 2"


async def emailed_token(ports: Ports, user_id: str, kind: str) -> str:
    """The token in the link of the latest email of that kind."""
    links = [m.link for m in await ports.store.outbox.of_user(user_id) if m.kind == kind]
    assert links and links[-1] is not None, f"no {kind} email"
    return parse_qs(urlsplit(links[-1]).query)["token"][0]


async def test_the_emailed_link_verifies_the_address_once(ports: Ports) -> None:
    session = await register(ports)
    token = await emailed_token(ports, session.user.id, "account.verify_email")

    await email_tokens.verify_email(ports, TokenInput(token=token))

    user = await ports.store.users.get(session.user.id)
    assert user is not None and user.is_email_verified
    with pytest.raises(ValidationFailed):
        await email_tokens.verify_email(ports, TokenInput(token=token))
    # Verified: asking again sends nothing.
    await email_tokens.resend_verification(ports, EmailInput(email="pat@example.com"))
    assert [m.kind for m in await ports.store.outbox.of_user(session.user.id)] == ["account.verify_email"]


async def test_a_reset_sets_the_password_and_ends_every_session(ports: Ports) -> None:
    session = await register(ports)
    await email_tokens.forgot_password(ports, EmailInput(email="pat@example.com"))
    token = await emailed_token(ports, session.user.id, "account.reset_password")
    assert ports.outbox_relay.woken == 2

    await email_tokens.reset_password(ports, ResetPasswordInput(token=token, new_password=NEW_PASSWORD))

    with pytest.raises(Unauthorized):
        await authenticate(ports, session.access_token)
    with pytest.raises(Unauthorized):
        await auth.refresh(ports, RefreshInput(refresh_token=session.refresh_token))
    with pytest.raises(Unauthorized):
        await auth.login(ports, LoginInput(email="pat@example.com", password=PASSWORD))
    await auth.login(ports, LoginInput(email="pat@example.com", password=NEW_PASSWORD))
    with pytest.raises(ValidationFailed):
        await email_tokens.reset_password(ports, ResetPasswordInput(token=token, new_password="yet another 3"))


async def test_a_reset_link_expires(ports: Ports) -> None:
    session = await register(ports)
    await email_tokens.forgot_password(ports, EmailInput(email="pat@example.com"))
    token = await emailed_token(ports, session.user.id, "account.reset_password")

    ports.clock.advance(3600 + 1)

    with pytest.raises(ValidationFailed):
        await email_tokens.reset_password(ports, ResetPasswordInput(token=token, new_password=NEW_PASSWORD))


async def test_asking_answers_alike_for_unknown_addresses_and_is_rate_limited(ports: Ports) -> None:
    unknown = EmailInput(email="nobody@example.com")
    for _ in range(5):  # the default limit, 5/hour
        await email_tokens.forgot_password(ports, unknown)
    assert ports.outbox_relay.woken == 0
    with pytest.raises(RateLimited):
        await email_tokens.forgot_password(ports, unknown)
