"""Use cases of signing up and in: register, login, refresh (rotating), logout, password change."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Protocol

from pydantic import ConfigDict, Field

from app.auth.principal import Principal
from app.auth.tokens import hash_refresh_token, new_refresh_token
from app.domain.account_tokens import TokenPurpose
from app.domain.refresh_tokens import RefreshStatus, RefreshToken
from app.domain.users import MAX_PASSWORD_LENGTH, Role, User, UserStatus
from app.errors import Forbidden, RateLimited, Unauthorized, ValidationFailed
from app.ids import new_id
from app.usecases.accounts.email_tokens import EmailTokenPorts, send_token_email
from app.usecases.accounts.sessions import revoke_sessions
from app.usecases.accounts.users import UserView, current_user
from app.usecases.inputs import Email, Input, Name, NewPassword, Output, Phone


class AuthPorts(EmailTokenPorts, Protocol):
    """Signing up sends the verification email; tokens are issued and sessions ended with the same ports."""


class RegisterInput(Input):
    email: Email
    password: NewPassword
    role: Literal["owner", "business"]
    first_name: Name
    last_name: Name
    phone: Phone | None = None


class LoginInput(Input):
    email: Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class RefreshInput(Input):
    refresh_token: str = Field(min_length=16, max_length=512)


class PasswordChange(Input):
    # Unlike most inputs, a misspelt field here must not pass silently: it carries a password.
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new_password: NewPassword


class AuthSession(Output):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"
    user: UserView


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.role, user.business_id, user.worker_id, user.token_version)


async def _open_session(ports: AuthPorts, user: User, family_id: str | None = None) -> AuthSession:
    now = ports.clock.now()
    token = new_refresh_token()
    await ports.store.refresh_tokens.add(
        RefreshToken(
            id=hash_refresh_token(token),
            user_id=user.id,
            family_id=family_id or new_id(),
            created_at=now,
            expires_at=now + timedelta(seconds=ports.settings.refresh_token_ttl_s),
        )
    )
    return AuthSession(
        access_token=ports.access_tokens.issue(principal_of(user), now),
        refresh_token=token,
        expires_in=ports.access_tokens.ttl_s,
        user=UserView.of(user),
    )


async def create_user(
    ports: AuthPorts,
    *,
    email: str,
    password: str,
    role: Role,
    first_name: str,
    last_name: str,
    phone: str | None = None,
    business_id: str | None = None,
    worker_id: str | None = None,
) -> User:
    now = ports.clock.now()
    user = User(
        id=new_id(),
        email=email,
        password_hash=await ports.passwords.hash(password),
        role=role,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        business_id=business_id,
        worker_id=worker_id,
        created_at=now,
        updated_at=now,
    )
    await ports.store.users.add(user)
    return user


async def register(ports: AuthPorts, data: RegisterInput) -> AuthSession:
    user = await create_user(
        ports,
        email=data.email,
        password=data.password,
        role=Role(data.role),
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
    )
    await send_token_email(ports, user, TokenPurpose.VERIFY_EMAIL)
    return await _open_session(ports, user)


async def login(ports: AuthPorts, data: LoginInput) -> AuthSession:
    settings = ports.settings
    now = ports.clock.now()
    user = await ports.store.users.by_email(data.email)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise RateLimited(
            "too many failed logins; account locked",
            retry_after_s=int((user.locked_until - now).total_seconds()) + 1,
        )
    ok = await ports.passwords.verify(user.password_hash if user else None, data.password)
    if user is None or not ok:
        if user is not None:
            updated = await ports.store.users.record_login_failure(
                user.id, settings.login_max_failures, now + timedelta(seconds=settings.login_lockout_s)
            )
            if updated is not None and updated.locked_until is not None and updated.locked_until > now:
                raise RateLimited("too many failed logins; account locked", retry_after_s=settings.login_lockout_s)
        raise Unauthorized("invalid email or password")
    if user.status is UserStatus.SUSPENDED:
        # Said only to whoever knows the password.
        raise Forbidden("this account is suspended")
    logged_in = await ports.store.users.record_login_success(user.id, now)
    return await _open_session(ports, logged_in or user)


async def refresh(ports: AuthPorts, data: RefreshInput) -> AuthSession:
    tokens = ports.store.refresh_tokens
    stored = await tokens.get(hash_refresh_token(data.refresh_token))
    if stored is None:
        raise Unauthorized("invalid refresh token")
    if stored.status is not RefreshStatus.ACTIVE or not await tokens.rotate(stored.id):
        # A used token presented again means it leaked: end the whole session family.
        await tokens.revoke_family(stored.family_id)
        raise Unauthorized("refresh token reuse detected; please log in again")
    if stored.expires_at <= ports.clock.now():
        raise Unauthorized("refresh token expired")
    user = await ports.store.users.get(stored.user_id)
    if user is None or user.erased_at is not None:
        raise Unauthorized("account no longer exists")
    if user.status is UserStatus.SUSPENDED:
        raise Unauthorized("this account is suspended")
    return await _open_session(ports, user, family_id=stored.family_id)


async def logout(ports: AuthPorts, data: RefreshInput) -> None:
    """End the session the refresh token belongs to; unknown tokens are fine (idempotent).

    Access tokens are revoked per account, so the user's other devices get a 401 on their next call and
    refresh (their refresh tokens stay valid); the session logged out cannot.
    """
    stored = await ports.store.refresh_tokens.get(hash_refresh_token(data.refresh_token))
    if stored is not None:
        await revoke_sessions(ports, stored.user_id, family_id=stored.family_id)


async def change_password(ports: AuthPorts, principal: Principal, data: PasswordChange) -> AuthSession:
    """Set a new password and end every session of the account; the caller carries on with the fresh
    session in the answer."""
    user = await current_user(ports.store, principal)
    if not await ports.passwords.verify(user.password_hash, data.current_password):
        raise Unauthorized("the current password is wrong")
    if data.new_password == data.current_password:
        raise ValidationFailed(
            "the new password must differ from the current one",
            [{"field": "body.newPassword", "message": "same as the current password", "type": "value_error"}],
        )
    password_hash = await ports.passwords.hash(data.new_password)
    await ports.store.users.update_fields(user.id, {"passwordHash": password_hash}, ports.clock.now())
    await revoke_sessions(ports, user.id)
    return await _open_session(ports, await current_user(ports.store, principal))
