"""The outbox: one message per (notification, recipient, channel), delivered by the relay. Pure.

Each message has a deterministic id, so enqueuing the same thing twice (a replayed request, a job that
ran again after a crash) stores it once. `leaseUntil` is the only scheduling field: a message is due when
it is pending and its lease has passed; a relay claims it by moving the lease forward with a
compare-and-set, so exactly one process sends it at a time.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum
from typing import Any

from app.domain.base import Entity, Timestamp


class Channel(StrEnum):
    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"


# Claimed first (OutboxRepository.claim): what a person is waiting for on their phone.
URGENT_CHANNELS = (Channel.PUSH, Channel.SMS)
LATER_CHANNELS = tuple(channel for channel in Channel if channel not in URGENT_CHANNELS)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Stopped for good: a permanent error, too many attempts, or past its expiry (a dispatch offer).
    FAILED = "failed"


class Category(StrEnum):
    """The kinds of notification a person chooses channels for (notification preferences)."""

    DISPATCH_OFFER = "dispatchOffer"
    BOOKING_STATUS = "bookingStatus"
    WALKER_ARRIVED = "walkerArrived"
    REMINDERS = "reminders"
    PAYMENTS = "payments"
    REVIEWS = "reviews"
    ACCOUNT = "account"


# Which channels each category uses until the person says otherwise: what needs attention now goes by
# push; confirmations and receipts also by email; account messages by email only. SMS is opt-in.
DEFAULT_CHANNELS: dict[Category, tuple[Channel, ...]] = {
    Category.DISPATCH_OFFER: (Channel.PUSH,),
    Category.BOOKING_STATUS: (Channel.PUSH, Channel.EMAIL),
    Category.WALKER_ARRIVED: (Channel.PUSH,),
    Category.REMINDERS: (Channel.PUSH, Channel.EMAIL),
    Category.PAYMENTS: (Channel.PUSH, Channel.EMAIL),
    Category.REVIEWS: (Channel.PUSH,),
    Category.ACCOUNT: (Channel.EMAIL,),
}
# Channels a person may choose per category; account messages carry links that must reach the mailbox.
ALLOWED_CHANNELS: dict[Category, frozenset[Channel]] = {
    category: frozenset({Channel.EMAIL}) if category is Category.ACCOUNT else frozenset(Channel)
    for category in Category
}

_CATEGORY_BY_PREFIX: tuple[tuple[str, Category], ...] = (
    ("dispatch.offer", Category.DISPATCH_OFFER),
    ("booking.arrived", Category.WALKER_ARRIVED),
    ("reminder.", Category.REMINDERS),
    ("booking.", Category.BOOKING_STATUS),
    ("dispatch.", Category.BOOKING_STATUS),
    ("payment.", Category.PAYMENTS),
    ("payouts.", Category.PAYMENTS),
    ("review.", Category.REVIEWS),
    ("account.", Category.ACCOUNT),
)


def category_of(kind: str) -> Category:
    """The preference category of a notification kind (`booking.confirmed` -> bookingStatus)."""
    for prefix, category in _CATEGORY_BY_PREFIX:
        if kind.startswith(prefix):
            return category
    return Category.BOOKING_STATUS


MAX_ATTEMPTS = 8
BASE_BACKOFF_S = 5
MAX_BACKOFF_S = 3600


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 5 s, 10 s, 20 s, ... capped at an hour."""
    return timedelta(seconds=min(MAX_BACKOFF_S, BASE_BACKOFF_S * 2 ** max(0, attempts - 1)))


def message_id(source: str, user_id: str, channel: str) -> str:
    """Deterministic: the same source (a notification, a token email) for the same person and channel."""
    return hashlib.sha256(f"{source}|{user_id}|{channel}".encode()).hexdigest()[:32]


class OutboxMessage(Entity):
    user_id: str
    channel: Channel
    kind: str
    # Where to: the email address or phone number when enqueued; push looks the devices up when sending.
    to: str | None = None
    title: str
    body: str
    # An action link for email (verification, reset); rendered as a button in the HTML part.
    link: str | None = None
    # A rendered HTML part (booking messages); without it the email's HTML is built from title, body and link.
    html: str | None = None
    data: dict[str, Any] = {}
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    lease_until: Timestamp
    last_error: str | None = None
    # The batch claim that holds the lease (see OutboxRepository.claim).
    claim_id: str | None = None
    created_at: Timestamp
    sent_at: Timestamp | None = None
    # Not worth delivering after this (a dispatch offer that has expired).
    expires_at: Timestamp | None = None
