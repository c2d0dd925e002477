"""Single-use tokens sent by email: verifying an address, resetting a password. Stored only as a hash."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from app.domain.base import Entity, Timestamp


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verifyEmail"
    RESET_PASSWORD = "resetPassword"


TOKEN_LIFETIME: dict[TokenPurpose, timedelta] = {
    TokenPurpose.VERIFY_EMAIL: timedelta(hours=24),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}


class AccountToken(Entity):
    """`id` is the SHA-256 of the token in the email, so the table alone lets nobody in."""

    user_id: str
    purpose: TokenPurpose
    created_at: Timestamp
    expires_at: Timestamp
    used_at: Timestamp | None = None
