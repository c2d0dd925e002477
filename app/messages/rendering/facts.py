"""What a message is about, independent of who reads it and in which language: the booking's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RecipientRole(StrEnum):
    """Who reads the message, which decides its wording: nobody is told about themselves in the third person."""

    OWNER = "owner"
    CO_OWNER = "co-owner"
    WALKER = "walker"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class Links:
    """Bases of the links: the web (`WALKY_PUBLIC_URL`) and the apps' deep links (`WALKY_APP_URL`)."""

    web: str
    app: str

    def web_to(self, path: str) -> str:
        return f"{self.web.rstrip('/')}/{path}"

    def app_to(self, path: str) -> str:
        # `walky://` and `https://host/app/` both take the path after them.
        return self.app + path if self.app.endswith("/") else f"{self.app}/{path}"


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """A booking and what happened to it. Amounts are in minor units of `currency`."""

    booking_id: str
    booking_number: str
    pets: tuple[str, ...]
    starts_at: datetime
    # The business's IANA zone: times are shown there, whoever reads them.
    time_zone: str
    address: str
    owner_id: str
    owner_name: str
    business_name: str
    co_owner_ids: tuple[str, ...] = ()
    business_user_id: str | None = None
    walker_user_id: str | None = None
    walker_name: str | None = None
    currency: str = "USD"
    total: int | None = None
    fee: int | None = None
    refund: int | None = None
    payout: int | None = None
    # Why: a cancellation's reason, a payment's error.
    reason: str | None = None
    rating: int | None = None
    comment: str | None = None
    distance_m: float | None = None
    silent_minutes: int | None = None
    # A reminder's lead: "24h" or "1h".
    lead: str | None = None

    def role_of(self, user_id: str) -> RecipientRole | None:
        """The recipient's role in this booking; the walker first (a sole trader walks for their own business)."""
        if user_id == self.walker_user_id:
            return RecipientRole.WALKER
        if user_id == self.owner_id:
            return RecipientRole.OWNER
        if user_id in self.co_owner_ids:
            return RecipientRole.CO_OWNER
        if user_id == self.business_user_id:
            return RecipientRole.BUSINESS
        return None
