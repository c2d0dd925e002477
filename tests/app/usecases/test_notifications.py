"""Notifications on the store alone: stored for each person, emitted to their room, delivered through the
outbox (and the relay woken), once per key; then listed, read and deleted."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.domain.base import iso
from app.errors import NotFound
from app.events import user_room
from app.settings import Settings
from app.store.store import Store
from app.usecases import notifications
from app.usecases.notifications import NotificationQuery
from tests.app.usecases.fakes import Relay
from tests.support.clocks import MovableClock
from tests.support.people import owner_account
from tests.support.recorders import EventRecorder


@dataclass
class Ports:
    store: Store
    clock: MovableClock
    events: EventRecorder = field(default_factory=EventRecorder)
    outbox_relay: Relay = field(default_factory=Relay)
    settings: Settings = field(default_factory=lambda: Settings(_env_file=None))


@pytest.fixture
def ports(store: Store, clock: MovableClock) -> Ports:
    return Ports(store, clock)


async def confirmed(ports: Ports, *user_ids: str, key: str | None = None) -> None:
    await notifications.notify(
        ports,
        user_ids,
        kind="booking.confirmed",
        title="Booking confirmed",
        message="See you tomorrow.",
        data={"bookingId": "b1"},
        key=key,
    )


async def test_each_person_gets_it_stored_emitted_to_their_room_and_emailed(ports: Ports) -> None:
    alice, bob = await owner_account(ports.store, ports.clock), await owner_account(ports.store, ports.clock)

    await confirmed(ports, alice.user_id, bob.user_id, alice.user_id)

    for who in (alice, bob):
        [stored] = await ports.store.notifications.of_user(who.user_id)
        assert (stored.type, stored.title, stored.created_at) == (
            "booking.confirmed",
            "Booking confirmed",
            ports.clock.now(),
        )
        assert ports.events.of("notification", room=user_room(who.user_id)) == [
            {
                "id": stored.id,
                "type": "booking.confirmed",
                "title": "Booking confirmed",
                "message": "See you tomorrow.",
                "data": {"bookingId": "b1"},
                "group": "booking",
                "isRead": False,
                "readAt": None,
                "createdAt": iso(stored.created_at),
            }
        ]
        # Push needs a device; email is the booking-status default that remains.
        assert [m.channel.value for m in await ports.store.outbox.of_user(who.user_id)] == ["email"]
    assert ports.outbox_relay.woken == 1


async def test_a_key_makes_a_repeated_event_count_once(ports: Ports) -> None:
    alice = await owner_account(ports.store, ports.clock)

    await confirmed(ports, alice.user_id, key="booking.b1.confirmed")
    await confirmed(ports, alice.user_id, key="booking.b1.confirmed")

    assert len(await ports.store.notifications.of_user(alice.user_id)) == 1
    assert len(ports.events.of("notification")) == 1
    assert len(await ports.store.outbox.of_user(alice.user_id)) == 1


async def test_nobody_to_deliver_to_leaves_the_relay_asleep(ports: Ports) -> None:
    # An unknown id (an erased account, say) still gets the live event, but nothing to deliver.
    await confirmed(ports, "no-such-user")

    assert ports.events.rooms("notification") == [user_room("no-such-user")]
    assert ports.outbox_relay.woken == 0


async def test_listed_newest_first_read_and_deleted_by_their_person_only(ports: Ports) -> None:
    alice, bob = await owner_account(ports.store, ports.clock), await owner_account(ports.store, ports.clock)
    await confirmed(ports, alice.user_id)
    ports.clock.advance(60)
    await confirmed(ports, alice.user_id)

    views, total = await notifications.list_notifications(ports, alice, NotificationQuery())
    assert total == 2
    assert views[0].created_at > views[1].created_at
    with pytest.raises(NotFound):
        await notifications.mark_read(ports, bob, views[0].id)

    ports.clock.advance(5)
    read = await notifications.mark_read(ports, alice, views[0].id)
    assert read.read_at == ports.clock.now()
    unread, total = await notifications.list_notifications(ports, alice, NotificationQuery(unread=True))
    assert (total, [view.id for view in unread]) == (1, [views[1].id])
    assert await notifications.mark_all_read(ports, alice) == 1

    with pytest.raises(NotFound):
        await notifications.delete_notification(ports, bob, views[0].id)
    await notifications.delete_notification(ports, alice, views[0].id)
    assert [n.id for n in await ports.store.notifications.of_user(alice.user_id)] == [views[1].id]
