"""Share links: an unguessable token that lets someone without an account follow one walk for a while.

Only the token's SHA-256 is stored, so a leaked database does not leak live links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from app.domain.base import Entity, Timestamp
from app.domain.bookings import Booking, BookingStatus

MAX_SHARE_MIN = 24 * 60
DEFAULT_SHARE_MIN = 4 * 60
# The walk is over: the link still shows its trail for this long.
AFTER_WALK = timedelta(hours=1)
# 32 random bytes, 43 URL-safe characters.
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLink(Entity):
    """`id` is the token's hash."""

    booking_id: str
    created_by: str
    created_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None = None

    def ends_at(self, booking: Booking) -> datetime:
        """The earlier of the link's own expiry and an hour after the walk ended."""
        if booking.status is BookingStatus.COMPLETED and booking.completed_at is not None:
            return min(self.expires_at, booking.completed_at + AFTER_WALK)
        return self.expires_at

    def alive(self, booking: Booking, now: datetime) -> bool:
        return self.revoked_at is None and booking.status is not BookingStatus.CANCELLED and now < self.ends_at(booking)
