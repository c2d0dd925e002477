"""Verifying the account's phone number: a 6-digit code by SMS, typed back in the app.

The code is kept only as an HMAC keyed with the server's secret (six digits hashed plainly are found by
trying all million), is single use, expires after 10 minutes and survives 5 wrong tries; sending one is
rate-limited per account and per number. Changing the number voids the code and the verification
(UserRepository.update_fields).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Annotated, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.base import Timestamp
from app.domain.phone_codes import CODE_DIGITS, CODE_LIFETIME, MAX_TRIES, PhoneCode
from app.domain.users import User
from app.errors import Conflict, ValidationFailed
from app.messages.outbox import OutboxMessage
from app.ratelimit import RateLimiter
from app.settings import Settings
from app.store.store import Store
from app.usecases.accounts.users import UserView, current_user
from app.usecases.deliveries import OutboxWake, account_sms
from app.usecases.inputs import Input, Output

KIND = "account.verify_phone"


class PhonePorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def limiter(self) -> RateLimiter: ...
    @property
    def outbox_relay(self) -> OutboxWake: ...


class CodeInput(Input):
    code: Annotated[str, Field(pattern=rf"^[0-9]{{{CODE_DIGITS}}}$", description=f"the {CODE_DIGITS} digits sent")]


class CodeSent(Output):
    phone: str
    expires_at: Timestamp


def _bad_code(message: str) -> ValidationFailed:
    return ValidationFailed(message, [{"field": "body.code", "message": message, "type": "code_invalid"}])


def code_hash(settings: Settings, user_id: str, phone: str, code: str) -> str:
    message = f"phone-code|{user_id}|{phone}|{code}".encode()
    # The current signing key: a code sent just before a key rotation fails, and is simply asked for again.
    return hmac.new(settings.jwt_keys[0].encode(), message, hashlib.sha256).hexdigest()


async def send_code(ports: PhonePorts, principal: Principal) -> CodeSent:
    """Text a new code to the account's number (the one sent before stops working)."""
    user = await current_user(ports.store, principal)
    if not user.phone:
        raise Conflict("this account has no phone number: set one with PUT /v1/users/me first")
    if user.is_phone_verified:
        raise Conflict("this phone number is verified already")
    rate = ports.settings.phone_code_rate_limit
    await ports.limiter.hit(rate, "phone-code-account", user.id)
    # The number as digits: "+33 6 12..." and "+33612..." are one phone.
    await ports.limiter.hit(rate, "phone-code-number", "".join(ch for ch in user.phone if ch.isdigit()))
    now = ports.clock.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    sent = PhoneCode(
        code_hash=code_hash(ports.settings, user.id, user.phone, code),
        phone=user.phone,
        expires_at=now + CODE_LIFETIME,
        created_at=now,
    )
    if not await ports.store.users.set_phone_code(user.id, sent):
        raise Conflict("the phone number changed meanwhile; ask for a code again")
    await ports.store.outbox.enqueue([_text(user, sent, code, now)])
    ports.outbox_relay.wake()
    return CodeSent(phone=user.phone, expires_at=sent.expires_at)


def _text(user: User, sent: PhoneCode, code: str, now: datetime) -> OutboxMessage:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    return account_sms(
        user,
        # The hash names the message: one text per code, and no id that reveals it.
        source=sent.code_hash,
        kind=KIND,
        title="Walky",
        body=f"Your Walky code is {code}. It expires in {minutes} minutes. Do not share it.",
        now=now,
        expires_at=sent.expires_at,
    )


async def verify_code(ports: PhonePorts, principal: Principal, data: CodeInput) -> UserView:
    user = await current_user(ports.store, principal)
    sent = user.phone_code
    now = ports.clock.now()
    if sent is None or sent.phone != user.phone or sent.expires_at <= now:
        raise _bad_code("no code is waiting, or it expired: ask for a new one")
    if not await ports.store.users.take_phone_try(user.id, sent.code_hash, MAX_TRIES, now):
        raise _bad_code("too many wrong codes, or this one expired: ask for a new one")
    if not hmac.compare_digest(code_hash(ports.settings, user.id, sent.phone, data.code), sent.code_hash):
        raise _bad_code("wrong code")
    verified = await ports.store.users.mark_phone_verified(user.id, sent, now)
    if verified is None:
        raise _bad_code("this code was used already, or the number changed: ask for a new one")
    return UserView.of(verified)
