"""Notifications: stored for a user, listed, marked read, and pushed live.

A notification's `type` is a dotted kind (`booking.confirmed`, `payment.refunded`); its `group` is one of
the seed's four (booking, payment, review, system), so a client can filter by the group it shows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from app.domain.base import Entity, Timestamp


class NotificationGroup(StrEnum):
    BOOKING = "booking"
    PAYMENT = "payment"
    REVIEW = "review"
    SYSTEM = "system"


# The kinds' first segments and their group: everything about a booking's course (its status, the walk,
# reminders, dispatch offers) is a booking notification; money to or from anyone is a payment one.
_GROUP_OF_ROOT: dict[str, NotificationGroup] = {
    "booking": NotificationGroup.BOOKING,
    "walk": NotificationGroup.BOOKING,
    "reminder": NotificationGroup.BOOKING,
    "dispatch": NotificationGroup.BOOKING,
    "payment": NotificationGroup.PAYMENT,
    "payouts": NotificationGroup.PAYMENT,
    "review": NotificationGroup.REVIEW,
}


def group_of(kind: str) -> NotificationGroup:
    """The group of a kind (`walk.arrived` -> booking); account and other platform messages are system."""
    return _GROUP_OF_ROOT.get(kind.split(".", 1)[0], NotificationGroup.SYSTEM)


class Notification(Entity):
    user_id: str
    type: str
    # Always group_of(type): filled from it when not given (and in documents stored before groups existed).
    group: NotificationGroup = NotificationGroup.SYSTEM
    title: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)
    read_at: Timestamp | None = None
    created_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _grouped(cls, given: Any) -> Any:
        if isinstance(given, dict) and given.get("group") is None and isinstance(given.get("type"), str):
            return {**given, "group": group_of(given["type"])}
        return given
