"""Account use cases reached by email: verifying the address, resetting a forgotten password.

Tokens are random, sent once by email, stored as a SHA-256 hash, single use and expiring (24 h / 1 h).
Asking for a reset or a new verification answers the same whether or not the email has an account.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import ConfigDict, Field

from app.auth.tokens import hash_refresh_token, new_refresh_token
from app.composition import Services
from app.domain.account_tokens import TOKEN_LIFETIME, AccountToken, TokenPurpose
from app.domain.users import User
from app.errors import ValidationFailed
from app.usecases.accounts.sessions import revoke_sessions
from app.usecases.deliveries import account_email
from app.usecases.inputs import Email, Input, NewPassword

TOKEN_MAX_LENGTH = 128
_BAD_TOKEN = [{"field": "body.token", "message": "invalid, used already or expired", "type": "token_invalid"}]


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


async def send_token_email(services: Services, user: User, purpose: TokenPurpose) -> None:
    now = services.clock.now()
    token = new_refresh_token()
    token_hash = hash_refresh_token(token)
    await services.store.account_tokens.issue(
        AccountToken(
            id=token_hash, user_id=user.id, purpose=purpose, created_at=now, expires_at=now + TOKEN_LIFETIME[purpose]
        )
    )
    kind, path, title, body = _EMAILS[purpose]
    link = f"{services.settings.public_url.rstrip('/')}/{path}?{urlencode({'token': token})}"
    # The hash names the message: one email per token, and the outbox never holds an id that reveals it.
    email = account_email(user, source=token_hash, kind=kind, title=title, body=body, link=link, now=now)
    await services.store.outbox.enqueue([email])
    services.outbox_relay.wake()


async def verify_email(services: Services, data: TokenInput) -> None:
    now = services.clock.now()
    token = await services.store.account_tokens.consume(hash_refresh_token(data.token), TokenPurpose.VERIFY_EMAIL, now)
    if token is None or await services.store.users.mark_email_verified(token.user_id, now) is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)


async def resend_verification(services: Services, data: EmailInput) -> None:
    await services.limiter.hit(services.settings.forgot_password_rate_limit, "verify", data.email)
    user = await services.store.users.by_email(data.email)
    if user is not None and user.erased_at is None and not user.is_email_verified:
        await send_token_email(services, user, TokenPurpose.VERIFY_EMAIL)


async def forgot_password(services: Services, data: EmailInput) -> None:
    # Limited per address whether or not it has an account, so the limit tells nothing either.
    await services.limiter.hit(services.settings.forgot_password_rate_limit, "forgot", data.email)
    user = await services.store.users.by_email(data.email)
    if user is not None and user.erased_at is None:
        await send_token_email(services, user, TokenPurpose.RESET_PASSWORD)


async def reset_password(services: Services, data: ResetPasswordInput) -> None:
    """Set the new password, lift a lockout and end every session of the account."""
    now = services.clock.now()
    store = services.store
    token = await store.account_tokens.consume(hash_refresh_token(data.token), TokenPurpose.RESET_PASSWORD, now)
    if token is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)
    password_hash = await services.passwords.hash(data.new_password)
    if await store.users.reset_password(token.user_id, password_hash, now) is None:
        raise ValidationFailed("this link is invalid, used already or expired", _BAD_TOKEN)
    # Every session ends: refresh tokens, access tokens already issued, open sockets.
    await revoke_sessions(services, token.user_id)
    await store.account_tokens.revoke_user(token.user_id, now)
