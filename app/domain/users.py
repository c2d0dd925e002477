"""Users, roles and the password policy."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from app.domain.base import Entity, Timestamp
from app.domain.businesses import Address
from app.domain.media import MediaRef
from app.domain.phone_codes import PhoneCode


class Role(StrEnum):
    OWNER = "owner"
    BUSINESS = "business"
    WORKER = "worker"
    ADMIN = "admin"


DEFAULT_LOCALE = "en"


class UserStatus(StrEnum):
    ACTIVE = "active"
    # Set by a platform admin: cannot log in, refresh or act until reinstated.
    SUSPENDED = "suspended"


MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"password must be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"password must be at most {MAX_PASSWORD_LENGTH} characters"
    if not any(ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        return "password must contain at least one letter and one digit"
    return None


class User(Entity):
    email: str
    password_hash: str | None
    role: Role
    first_name: str
    last_name: str
    phone: str | None = None
    business_id: str | None = None
    worker_id: str | None = None
    # An owner's default booking location.
    address: Address | None = None
    # Set by the avatar route only.
    avatar: MediaRef | None = None
    is_email_verified: bool = False
    # Set by a code sent to `phone` (app/usecases/accounts/phone.py); a new number clears it.
    is_phone_verified: bool = False
    phone_code: PhoneCode | None = None
    status: UserStatus = UserStatus.ACTIVE
    failed_logins: int = 0
    locked_until: Timestamp | None = None
    email_verified_at: Timestamp | None = None
    last_login_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp
    erased_at: Timestamp | None = None
    # Raised to end every access token issued before (logout, password change, erasure, suspension).
    token_version: int = Field(default=0, ge=0)
    # BCP 47, checked on the way in (PUT /v1/users/me): the language and formats of the messages sent.
    locale: str = Field(default=DEFAULT_LOCALE, max_length=35)
