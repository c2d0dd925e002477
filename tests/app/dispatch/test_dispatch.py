"""The offer cascade end to end: who is offered first, decline and expiry, nobody left, recovery."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.auth.principal import Principal
from app.composition import Services
from app.dispatch.dispatcher import Dispatcher, booking_of_offer
from app.dispatch.offers import OfferInput, accept_offer, decline_offer
from app.domain.pets import Species
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound
from app.events import worker_room
from app.ids import new_id
from geo.coordinates import LngLat
from tests.app.bookings_world import PICKUP as PICKUP_LIST
from tests.app.bookings_world import World
from tests.app.dispatch.helpers import OFFER, place_worker
from tests.app.marketplace import business_account
from tests.support.clocks import MovableClock
from tests.support.recorders import EventRecorder


async def asap(world: World, dispatcher: Dispatcher, coordinates: list[float] | None = None) -> dict[str, Any]:
    response = await world.client.post(
        "/v1/bookings",
        headers=world.owner_headers,
        json={
            "serviceType": "walking",
            "asap": True,
            "pets": [world.pet_id],
            "location": {"coordinates": coordinates or PICKUP_LIST},
        },
    )
    assert response.status_code == 201, response.text
    await dispatcher.settle()
    data: dict[str, Any] = response.json()["data"]
    return data


async def booking_doc(world: World, booking_id: str) -> dict[str, Any]:
    response = await world.client.get(f"/v1/bookings/{booking_id}", headers=world.owner_headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def other_business(client: httpx.AsyncClient, email: str, lng: float, lat: float) -> str:
    """Another business with a walking service for dogs, its service area a square around (lng, lat)."""
    headers, business_id = await business_account(client, email, lng=lng, lat=lat)
    service = await client.post(
        f"/v1/businesses/{business_id}/services",
        headers=headers,
        json={
            "name": "Walk",
            "serviceType": "walking",
            "pricing": {"basePrice": 1500, "currency": "EUR", "priceType": "fixed"},
            "duration": 60,
            "petTypes": ["dog"],
            "maxPets": 2,
        },
    )
    assert service.status_code == 201, service.text
    return business_id


async def test_nearest_suitable_walker_first_then_decline_cascade_then_unassigned(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    biz = world.business_id
    # Unsuitable, all nearer than the suitable ones:
    cat_only = await place_worker(services, biz, meters=100, species=(Species.CAT,))
    offline = await place_worker(services, biz, meters=150, online=False)
    unavailable = await place_worker(services, biz, meters=180, available=False)
    busy = await place_worker(services, biz, meters=200)
    far_biz = await other_business(world.client, "far@example.com", 2.60, 48.95)  # does not serve the pickup
    not_serving = await place_worker(services, far_biz, meters=250)
    # The busy one is on a confirmed booking overlapping now.
    taken = (await world.book(hours_ahead=0.25)).json()["data"]["id"]
    ok = await world.client.post(
        f"/v1/bookings/{taken}/confirm", headers=world.business_headers, json={"workerId": busy.id}
    )
    assert ok.status_code == 200, ok.text
    # Suitable: a dog walker at 700 m, then another at 2.5 km (second ring), then one at 12 km (beyond).
    near = await place_worker(services, biz, meters=700, bearing=90)
    second = await place_worker(services, biz, meters=2500, bearing=180)
    await place_worker(services, biz, meters=12_000, bearing=270)

    booking = await asap(world, dispatcher)
    offer = recorder.last(OFFER)
    assert recorder.of(OFFER, room=worker_room(near.id)) == [offer]
    assert offer["bookingId"] == booking["id"]
    assert offer["serviceType"] == "walking"
    assert offer["pickup"] == {"coordinates": PICKUP_LIST}
    assert 690 < offer["distanceM"] < 710
    assert booking_of_offer(offer["offerId"]) == booking["id"]
    stored = await booking_doc(world, booking["id"])
    assert stored["dispatch"]["state"] == "offered"
    assert stored["dispatch"]["current"]["workerId"] == near.id
    for skipped in (cat_only, offline, unavailable, busy, not_serving):
        assert recorder.of(OFFER, room=worker_room(skipped.id)) == []

    assert await decline_offer(services, near.principal, offer["offerId"]) == {
        "declined": True,
        "bookingId": booking["id"],
    }
    second_offer = recorder.last(OFFER)
    assert recorder.of(OFFER, room=worker_room(second.id)) == [second_offer]
    assert second_offer["offerId"] != offer["offerId"]
    # The declined offer can no longer be taken.
    with pytest.raises(Conflict):
        await accept_offer(services, near.principal, offer["offerId"])

    await decline_offer(services, second.principal, second_offer["offerId"])
    stored = await booking_doc(world, booking["id"])
    assert stored["dispatch"]["state"] == "unassigned"
    assert stored["dispatch"]["offersTried"] == [near.id, second.id]
    assert stored["status"] == "pending"
    notes = (await world.client.get("/v1/notifications", headers=world.owner_headers)).json()["data"]
    assert [n["data"]["bookingId"] for n in notes if n["type"] == "dispatch.unassigned"] == [booking["id"]]


async def test_ranking_prefers_rating_then_idle_time_within_a_distance_band(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    biz = world.business_id
    await place_worker(services, biz, meters=60, rating=3.0)
    better = await place_worker(services, biz, meters=200, rating=4.8)  # same 250 m band, better rated
    await place_worker(services, biz, meters=300, rating=5.0)  # next band
    await asap(world, dispatcher)
    assert recorder.of(OFFER, room=worker_room(better.id)) == [recorder.last(OFFER)]


async def test_expiry_moves_to_next_and_late_accept_is_refused(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder, clock: MovableClock
) -> None:
    first = await place_worker(services, world.business_id, meters=300)
    second = await place_worker(services, world.business_id, meters=900)
    booking = await asap(world, dispatcher)
    offer = recorder.last(OFFER)
    assert recorder.of(OFFER, room=worker_room(first.id)) == [offer]

    clock.advance(services.settings.offer_expiry_s - 1)
    assert await dispatcher.sweep_once() == 0
    clock.advance(2)
    # Past expiresAt the accept loses even before any sweeper noticed, and moves the booking on.
    with pytest.raises(Conflict, match="expired"):
        await accept_offer(services, first.principal, offer["offerId"])
    assert recorder.of(OFFER, room=worker_room(second.id)) == [recorder.last(OFFER)]
    nxt = recorder.last(OFFER)

    clock.advance(services.settings.offer_expiry_s + 1)
    assert await dispatcher.sweep_once() == 1
    stored = await booking_doc(world, booking["id"])
    assert stored["dispatch"]["state"] == "unassigned"
    assert stored["dispatch"]["offersTried"] == [first.id, second.id]
    with pytest.raises(Conflict):
        await accept_offer(services, second.principal, nxt["offerId"])


async def test_expiry_timer_fires_on_its_own(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    first = await place_worker(services, world.business_id, meters=300)
    second = await place_worker(services, world.business_id, meters=900)
    services.settings.offer_expiry_s = 1
    await asap(world, dispatcher)
    assert recorder.of(OFFER, room=worker_room(first.id))
    # The timer sleeps the offer's lifetime in real time (the sweeper is parked for these tests).
    for _ in range(60):
        if recorder.of(OFFER, room=worker_room(second.id)):
            break
        await asyncio.sleep(0.05)
    assert recorder.of(OFFER, room=worker_room(second.id))


async def test_first_accept_wins_and_others_are_refused(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    colleague = await place_worker(services, world.business_id, meters=600)
    booking = await asap(world, dispatcher)
    offer_id = recorder.last(OFFER)["offerId"]

    # Someone else's offer is not theirs to take, nor to decline.
    with pytest.raises(NotFound):
        await accept_offer(services, colleague.principal, offer_id)
    with pytest.raises(NotFound):
        await decline_offer(services, colleague.principal, offer_id)

    won = await accept_offer(services, walker.principal, offer_id)
    assert won == {"assigned": True, "bookingId": booking["id"], "status": "confirmed"}
    # A second tap is told the booking is theirs; declining it now is too late.
    assert await accept_offer(services, walker.principal, offer_id) == won
    with pytest.raises(Conflict):
        await decline_offer(services, walker.principal, offer_id)

    stored = await booking_doc(world, booking["id"])
    assert stored["status"] == "confirmed"
    assert stored["workerId"] == walker.id
    assert stored["businessId"] == world.business_id
    assert stored["dispatch"]["state"] == "assigned"
    assert stored["dispatch"].get("current") is None
    # Priced by the walker's business's walking service (2000 for one dog).
    assert stored["pricing"]["totalAmount"] == 2000
    assert stored["serviceId"] == world.service_id
    schedule = await services.store.schedules.get(walker.id)
    assert [slot.booking_id for slot in schedule.slots] == [booking["id"]]


async def test_a_service_priced_below_the_minimum_charge_does_not_price_an_asap_walk(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    service = await services.store.services.get(world.service_id)
    assert service is not None
    # Stored before the minimum was enforced, and older: without the rule it would be picked first.
    cheap = service.model_copy(
        update={
            "id": new_id(),
            "pricing": service.pricing.model_copy(update={"base_price": 20}),
            "created_at": service.created_at - timedelta(days=1),
        }
    )
    await services.store.services.add(cheap)
    booking = await asap(world, dispatcher)

    await accept_offer(services, walker.principal, recorder.last(OFFER)["offerId"])

    stored = await booking_doc(world, booking["id"])
    assert (stored["serviceId"], stored["pricing"]["totalAmount"]) == (world.service_id, 2000)


async def test_business_confirm_without_worker_dispatches_among_its_own_staff(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    rival_biz = await other_business(world.client, "rival@example.com", 2.35, 48.85)
    await place_worker(services, rival_biz, meters=50)  # nearer, but another business's
    own = await place_worker(services, world.business_id, meters=800)
    booking_id = (await world.book(hours_ahead=3)).json()["data"]["id"]

    confirm = await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert confirm.status_code == 200, confirm.text
    data = confirm.json()["data"]
    assert data["status"] == "pending"
    assert data["dispatch"]["state"] == "offered"
    offer = recorder.last(OFFER)
    assert recorder.of(OFFER, room=worker_room(own.id)) == [offer]
    # Asking again while the offer is out changes nothing.
    again = await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert again.json()["data"]["dispatch"]["current"]["offerId"] == offer["offerId"]
    assert len(recorder.of(OFFER)) == 1

    await accept_offer(services, own.principal, offer["offerId"])
    stored = await booking_doc(world, booking_id)
    assert (stored["status"], stored["workerId"], stored["dispatch"]["state"]) == ("confirmed", own.id, "assigned")


async def test_business_dispatch_with_nobody_free_goes_unassigned(
    world: World, services: Services, dispatcher: Dispatcher
) -> None:
    booking_id = (await world.book(hours_ahead=3)).json()["data"]["id"]
    confirm = await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert confirm.json()["data"]["dispatch"]["state"] == "unassigned"
    # Walkers come on shift: the business may ask again.
    walker = await place_worker(services, world.business_id, meters=100)
    again = await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert again.json()["data"]["dispatch"]["current"]["workerId"] == walker.id


async def test_cancel_while_offered_ends_the_offer(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder, clock: MovableClock
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    booking = await asap(world, dispatcher)
    offer_id = recorder.last(OFFER)["offerId"]
    cancelled = await world.client.post(
        f"/v1/bookings/{booking['id']}/cancel", headers=world.owner_headers, json={"reason": "changed my mind"}
    )
    assert cancelled.status_code == 200
    with pytest.raises(Conflict):
        await accept_offer(services, walker.principal, offer_id)
    clock.advance(60)
    assert await dispatcher.sweep_once() == 0
    stored = await booking_doc(world, booking["id"])
    assert (stored["status"], stored["dispatch"]["state"]) == ("cancelled", "unassigned")


async def test_a_walker_holding_an_offer_is_not_offered_another_booking(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    first = await place_worker(services, world.business_id, meters=100)
    second = await place_worker(services, world.business_id, meters=1500)
    await asap(world, dispatcher)
    await asap(world, dispatcher)
    assert len(recorder.of(OFFER, room=worker_room(first.id))) == 1
    assert len(recorder.of(OFFER, room=worker_room(second.id))) == 1


async def test_no_business_serves_the_pickup(world: World, services: Services, dispatcher: Dispatcher) -> None:
    await place_worker(services, world.business_id, meters=0, center=LngLat(3.5, 49.5))
    booking = await asap(world, dispatcher, [3.5, 49.5])
    stored = await booking_doc(world, booking["id"])
    assert stored["dispatch"] == {"state": "unassigned", "offersTried": [], "current": None}


async def test_bad_input_gets_coded_errors(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walker = await place_worker(services, world.business_id, meters=300)
    booking = await asap(world, dispatcher)
    offer_id = recorder.last(OFFER)["offerId"]
    for bad in ({}, {"offerId": 12}, {"offerId": ""}, {"offerId": None}, {"offerId": ["x"]}, "x", None):
        with pytest.raises(ValidationError):
            OfferInput.model_validate(bad)
    assert OfferInput.model_validate({"offerId": offer_id}).offer_id == offer_id
    for unknown in ("nope", "", ".", f"{booking['id']}.", f"{booking['id']}.0000", "ffffffffffffffffffffffff.00"):
        with pytest.raises(NotFound):
            await accept_offer(services, walker.principal, unknown)
        with pytest.raises(NotFound):
            await decline_offer(services, walker.principal, unknown)
    owner = Principal(user_id=world.owner_id, role=Role.OWNER)
    with pytest.raises(Forbidden):
        await accept_offer(services, owner, offer_id)
    with pytest.raises(Forbidden):
        await decline_offer(services, owner, offer_id)
    # None of that disturbed the live offer.
    assert (await accept_offer(services, walker.principal, offer_id))["assigned"] is True


async def test_business_dispatch_offers_go_to_distinct_walkers(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder
) -> None:
    walkers = [await place_worker(services, world.business_id, meters=100 + 100 * i) for i in range(3)]
    ids = [(await world.book(hours_ahead=3)).json()["data"]["id"] for _ in range(4)]
    for booking_id in ids:
        await world.client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
    assert sorted(o["bookingId"] for o in recorder.of(OFFER)) == sorted(ids[:3])
    assert {w.id for w in walkers} == {
        (await booking_doc(world, b))["dispatch"]["current"]["workerId"] for b in ids[:3]
    }
    assert (await booking_doc(world, ids[3]))["dispatch"]["state"] == "unassigned"
