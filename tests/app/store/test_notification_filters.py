"""The notification list filtered by read state, by the seed's groups and by a kind with the kinds under it,
on every adapter (the kind filter is a range over `type`, the group a stored field)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.notifications import Notification, NotificationGroup
from app.store.store import Store

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KINDS = [
    "booking.confirmed",
    "booking.cancelled",
    "bookingx",
    "walk.arrived",
    "reminder.day",
    "payment.refunded",
    "payouts.enabled",
    "review.created",
    "account.verify_phone",
]


async def _stored(store: Store) -> None:
    await store.setup()
    for n, kind in enumerate(KINDS):
        await store.notifications.add(
            Notification(
                id=f"n{n}",
                user_id="u1",
                type=kind,
                title="t",
                message="m",
                created_at=T0 + timedelta(minutes=n),
                read_at=T0 if kind.startswith("booking.c") else None,
            )
        )
    await store.notifications.add(
        Notification(id="other", user_id="u2", type="booking.confirmed", title="t", message="m", created_at=T0)
    )


async def _kinds(store: Store, **filters: object) -> list[str]:
    found, total = await store.notifications.page("u1", skip=0, limit=50, **filters)  # type: ignore[arg-type]
    assert total == len(found)
    return sorted(n.type for n in found)


async def test_a_kind_matches_itself_and_the_kinds_under_it(store: Store) -> None:
    await _stored(store)
    assert await _kinds(store, kind="booking") == ["booking.cancelled", "booking.confirmed"]
    assert await _kinds(store, kind="booking.cancelled") == ["booking.cancelled"]
    assert await _kinds(store, kind="bookingx") == ["bookingx"]
    assert await _kinds(store, kind="walk") == ["walk.arrived"]
    assert await _kinds(store, kind="walk.arr") == []


async def test_groups_and_read_state(store: Store) -> None:
    await _stored(store)
    assert await _kinds(store, group=NotificationGroup.BOOKING) == [
        "booking.cancelled",
        "booking.confirmed",
        "reminder.day",
        "walk.arrived",
    ]
    assert await _kinds(store, group=NotificationGroup.PAYMENT) == ["payment.refunded", "payouts.enabled"]
    assert await _kinds(store, group=NotificationGroup.REVIEW) == ["review.created"]
    assert await _kinds(store, group=NotificationGroup.SYSTEM) == ["account.verify_phone", "bookingx"]
    assert await _kinds(store, is_read=True) == ["booking.cancelled", "booking.confirmed"]
    assert len(await _kinds(store, is_read=False)) == len(KINDS) - 2
    assert await _kinds(store, group=NotificationGroup.BOOKING, is_read=False) == ["reminder.day", "walk.arrived"]
