"""A walker whose app is in the background hears of an offer by push, until the offer expires."""

from __future__ import annotations

from app.composition import Services
from app.dispatch.dispatcher import Dispatcher
from app.domain.users import Role
from app.messages.devices import Device, Platform
from app.messages.outbox import Channel
from app.store.documents import Update
from app.store.schema import WORKERS
from app.usecases.accounts.auth import create_user
from tests.app.bookings_world import World
from tests.app.dispatch.helpers import place_worker
from tests.app.dispatch.test_dispatch import asap


async def test_an_offer_is_pushed_to_the_walkers_devices_with_its_expiry(
    world: World, services: Services, dispatcher: Dispatcher
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    user = await create_user(
        services, email="wally@example.com", password="walker-pass-1", role=Role.WORKER, first_name="W", last_name="X"
    )
    # place_worker makes a worker without an account; link it to one that has a device.
    await services.store.backend.collection(WORKERS).update_one({"id": walker.id}, Update(set={"userId": user.id}))
    await services.store.devices.register(
        Device(id="ExponentPushToken[w]", user_id=user.id, platform=Platform.ANDROID, created_at=services.clock.now())
    )
    booking = await asap(world, dispatcher)
    [push] = [m for m in await services.store.outbox.of_user(user.id) if m.kind == "dispatch.offer"]
    assert push.channel is Channel.PUSH
    assert push.data["bookingId"] == booking["id"]
    stored = (await world.client.get(f"/v1/bookings/{booking['id']}", headers=world.owner_headers)).json()["data"]
    assert push.expires_at is not None
    assert push.data["offerId"] == stored["dispatch"]["current"]["offerId"]
