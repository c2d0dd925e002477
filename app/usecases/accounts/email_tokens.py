"""Account use cases reached by email: verifying the address, resetting a forgotten password.

Tokens are random, sent once by email, stored as a SHA-256 hash, single use and expiring (24 h / 1 h).
Asking for a reset or a new verification answers the same whether or not the email has an account.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlencode

from pydantic import ConfigDict, Field

from app.auth.passwords import Passwords
from app.auth.tokens import hash_refresh_token, new_refresh_token
from app.clock import Clock
from app.domain.account_tokens import TOKEN_LIFETIME, AccountToken, TokenPurpose
from app.domain.users import User
from app.errors import ValidationFailed
from app.ratelimit import RateLimiter
from app.settings import Settings
from app.usecases.accounts.sessions import SessionPorts, revoke_sessions
from app.usecases.deliveries import OutboxWake, account_email
from app.usecases.inputs import Email, Input, NewPassword

TOKEN_MAX_LENGTH = 128
_BAD_TOKEN = [{"field": "body.token", "message": "invalid, used already or expired", "type": "token_invalid"}]


class EmailTokenPorts(SessionPorts, Protocol):
    """A password reset ends every session, hence the session ports."""

    @property
    def clock(self) -> Clock: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def limiter(self) -> RateLimiter: ...
    @property
    def passwords(self) -> Passwords: ...
    @property
    def outbox_relay(self) -> OutboxWake: ...


class StrictInput(Input):
    model_config = ConfigDict(extra="forbid")


class TokenInput(StrictInput):
    token: str = Field(min_length=16, max_length=TOKEN_MAX_LENGTH)


class EmailInput(StrictInput):
    email: Email


class ResetPasswordInput(StrictInput):
    token: str = Field(min_length=16, max_length=TOKEN_MAX_LENGTH)
    new_password: NewPassword


_EMAILS = {
    TokenPurpose.VERIFY_EMAIL: (
        "account.verify_email",
        "verify-email",
        "Confirm your email address",
        "Open this link within 24 hours to confirm your email address for Walky.",
    ),
    TokenPurpose.RESET_PASSWORD: (
        "account.reset_password",
        "reset-password",
        "Reset your Walky password",
        "Someone asked to reset your Walky password. Open this link within an hour to choose a new one; "
        "if it was not you, ignore this email.",
    ),
}


async def send_token_email(ports: EmailTokenPorts, user: User, purpose: TokenPurpose) -> None:
    now = ports.clock.now()
    token = new_refresh_token()
    token_hash = hash_refresh_token(token)
    await ports.store.account_tokens.issue(
        AccountToken(
            id=token_hash, user_id=user.id, purpose=purpose, created_at=now, expires_at=now + TOKEN_LIFETIME[purpose]
        )
    )
    kind, path, title, body = _EMAILS[purpose]
    link = f"{ports.settings.public_url.rstrip('/')}/{path}?{urlencode({'token': token})}"
    # The hash names the message: one email per token, and the outbox never holds an id that reveals it.
    email = account_email(user, source=token_hash, kind=kind, title=title, body=body, link=link, now=now)
    await ports.store.outbox.enqueue([email])
    ports.outbox_relay.wake()


async def verify_email(ports: EmailTokenPorts, data: TokenInput) -> None:
    now = ports.clock.now()
    token = await ports.store.account_tokens.consume(hash_refresh_token(data.token), TokenPurpose.VERIFY_EMAIL, now)
    if token is None or await ports.store.users.mark_email_verified(token.user_id, now) is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)


async def resend_verification(ports: EmailTokenPorts, data: EmailInput) -> None:
    await ports.limiter.hit(ports.settings.forgot_password_rate_limit, "verify", data.email)
    user = await ports.store.users.by_email(data.email)
    if user is not None and user.erased_at is None and not user.is_email_verified:
        await send_token_email(ports, user, TokenPurpose.VERIFY_EMAIL)


async def forgot_password(ports: EmailTokenPorts, data: EmailInput) -> None:
    # Limited per address whether or not it has an account, so the limit tells nothing either.
    await ports.limiter.hit(ports.settings.forgot_password_rate_limit, "forgot", data.email)
    user = await ports.store.users.by_email(data.email)
    if user is not None and user.erased_at is None:
        await send_token_email(ports, user, TokenPurpose.RESET_PASSWORD)


async def reset_password(ports: EmailTokenPorts, data: ResetPasswordInput) -> None:
    """Set the new password, lift a lockout and end every session of the account."""
    now = ports.clock.now()
    store = ports.store
    token = await store.account_tokens.consume(hash_refresh_token(data.token), TokenPurpose.RESET_PASSWORD, now)
    if token is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)
    password_hash = await ports.passwords.hash(data.new_password)
    if await store.users.reset_password(token.user_id, password_hash, now) is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)
    # Every session ends: refresh tokens, access tokens already issued, open sockets.
    await revoke_sessions(ports, token.user_id)
    await store.account_tokens.revoke_user(token.user_id, now)
