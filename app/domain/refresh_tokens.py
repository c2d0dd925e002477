"""Refresh tokens: opaque, stored only as a hash, rotating within a family."""

from __future__ import annotations

from enum import StrEnum

from app.domain.base import Entity, Timestamp


class RefreshStatus(StrEnum):
    ACTIVE = "active"
    ROTATED = "rotated"
    REVOKED = "revoked"


class RefreshToken(Entity):
    """`id` is the SHA-256 of the token the client holds, so a leaked table grants nothing."""

    user_id: str
    family_id: str
    status: RefreshStatus = RefreshStatus.ACTIVE
    created_at: Timestamp
    expires_at: Timestamp
