"""A suspended business leaves dispatch at once: its walkers get no offers, for asap or for its own bookings."""

from __future__ import annotations

from app.auth.principal import Principal
from app.composition import Services
from app.dispatch.dispatcher import Dispatcher
from app.domain.users import Role
from app.events import worker_room
from app.usecases.admin import reinstate_business, suspend_business
from tests.app.bookings_world import World
from tests.app.dispatch.helpers import OFFER, place_worker
from tests.app.dispatch.test_dispatch import asap, booking_doc
from tests.support.recorders import EventRecorder

ADMIN = Principal("platform-admin", Role.ADMIN)


async def test_walkers_of_a_suspended_business_get_no_asap_offer(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    await suspend_business(services.store, services.clock, ADMIN, world.business_id)
    booking = await asap(world, dispatcher)
    assert (await booking_doc(world, booking["id"]))["dispatch"]["state"] == "unassigned"
    assert recorder.of(OFFER, room=worker_room(walker.id)) == []

    await reinstate_business(services.store, services.clock, ADMIN, world.business_id)
    await asap(world, dispatcher)
    assert len(recorder.of(OFFER, room=worker_room(walker.id))) == 1


async def test_a_suspended_business_cannot_dispatch_its_own_booking(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    booking_id = (await world.book(hours_ahead=3)).json()["data"]["id"]
    await suspend_business(services.store, services.clock, ADMIN, world.business_id)
    confirm = await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert confirm.status_code == 200, confirm.text
    assert confirm.json()["data"]["dispatch"]["state"] == "unassigned"
    assert recorder.of(OFFER, room=worker_room(walker.id)) == []
