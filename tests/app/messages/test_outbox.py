from __future__ import annotations

from datetime import timedelta

import pytest

from app.messages.outbox import (
    DEFAULT_CHANNELS,
    MAX_BACKOFF_S,
    Category,
    Channel,
    backoff,
    category_of,
    message_id,
)
from app.messages.preferences import NotificationPreferences


def test_backoff_doubles_from_five_seconds_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(30) == timedelta(seconds=MAX_BACKOFF_S)


def test_message_ids_are_deterministic_per_source_person_and_channel() -> None:
    first = message_id("n1", "u1", Channel.PUSH)
    assert first == message_id("n1", "u1", Channel.PUSH)
    assert len({first, message_id("n1", "u1", Channel.EMAIL), message_id("n1", "u2", Channel.PUSH)}) == 3


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("dispatch.offer", Category.DISPATCH_OFFER),
        ("dispatch.unassigned", Category.BOOKING_STATUS),
        ("booking.confirmed", Category.BOOKING_STATUS),
        ("booking.arrived", Category.WALKER_ARRIVED),
        ("reminder.24h", Category.REMINDERS),
        ("payment.captured", Category.PAYMENTS),
        ("payouts.enabled", Category.PAYMENTS),
        ("review.created", Category.REVIEWS),
        ("account.reset_password", Category.ACCOUNT),
    ],
)
def test_kinds_map_to_preference_categories(kind: str, category: Category) -> None:
    assert category_of(kind) is category


def test_defaults_push_what_needs_attention_and_email_account_messages_only() -> None:
    assert DEFAULT_CHANNELS[Category.DISPATCH_OFFER] == (Channel.PUSH,)
    assert DEFAULT_CHANNELS[Category.ACCOUNT] == (Channel.EMAIL,)
    assert all(Channel.SMS not in channels for channels in DEFAULT_CHANNELS.values())


def test_preferences_override_only_the_categories_given() -> None:
    preferences = NotificationPreferences(id="u1", channels={Category.REVIEWS: []})
    assert preferences.channels_for(Category.REVIEWS) == ()
    assert preferences.channels_for(Category.PAYMENTS) == DEFAULT_CHANNELS[Category.PAYMENTS]
