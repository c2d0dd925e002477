"""Who may watch a booking (see it, track its walk): whoever booked it, and its pets' current owners and
co-owners, read from the pets when asked, never from a list frozen at booking time.

`Booking.watcher_ids` remains as the index that lists an owner's bookings and picks who is notified; a
co-owner change brings it up to date and ends the removed co-owner's live watch in every process.
"""

from __future__ import annotations

from typing import Protocol

from app.auth.session_signals import SessionChannel, WatchEnded
from app.domain.bookings import Booking
from app.domain.pets import Pet
from app.store.store import Store


class WatcherPorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def session_channel(self) -> SessionChannel: ...


async def may_watch(store: Store, user_id: str, booking: Booking) -> bool:
    if user_id == booking.owner_id:
        return True
    for pet_id in booking.pet_ids:
        pet = await store.pets.get(pet_id)
        if pet is not None and pet.visible_to(user_id):
            return True
    return False


async def co_owners_changed(ports: WatcherPorts, before: Pet, after: Pet) -> None:
    """Bring the pet's bookings' watcher lists in line with its co-owners; end removed co-owners' watches."""
    added = [uid for uid in after.co_owner_ids if uid not in before.co_owner_ids]
    removed = [uid for uid in before.co_owner_ids if uid not in after.co_owner_ids]
    if not added and not removed:
        return
    # The primary owner watches every booking of their pet, so this walks the indexed watcher list.
    for booking in await ports.store.bookings.find({"watcherIds": after.owner_id, "petIds": after.id}):
        watchers = [*booking.watcher_ids, *(uid for uid in added if uid not in booking.watcher_ids)]
        gone = [uid for uid in removed if uid in watchers and not await may_watch(ports.store, uid, booking)]
        watchers = [uid for uid in watchers if uid not in gone]
        if watchers != booking.watcher_ids:
            await ports.store.bookings.update_where({"id": booking.id}, {"watcherIds": watchers})
        for user_id in gone:
            await ports.session_channel.publish(WatchEnded(user_id, booking.id))
