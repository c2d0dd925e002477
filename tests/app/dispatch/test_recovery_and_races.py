"""Dispatch state survives a restart; concurrent accepts and confirms never double-assign."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.composition import Services
from app.dispatch.dispatcher import Dispatcher
from app.dispatch.offers import accept_offer
from app.domain.bookings import BookingStatus, Dispatch, DispatchState
from app.errors import Conflict, NotFound
from app.service import create_app, services_of
from app.settings import Settings
from app.usecases.bookings.lifecycle import ConfirmInput, confirm_booking
from tests.app.bookings_world import World, build_world
from tests.app.dispatch.helpers import OFFER, PlacedWorker, place_worker
from tests.support.asgi import http_client, lifespan
from tests.support.clocks import MovableClock
from tests.support.recorders import EventRecorder


async def test_restart_recovers_expired_offers_and_stuck_searches(tmp_path: Path, redis_url: str) -> None:
    # Redis keeps the live index across the restart, as in production; the store is the same data dir.
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_url, dispatch_sweep_s=3600, _env_file=None)
    clock = MovableClock(datetime.now(UTC))
    app = create_app(settings, clock=clock)
    async with lifespan(app), http_client(app) as client:
        services = services_of(app)
        world = await build_world(client)
        dispatcher = services.dispatcher
        assert dispatcher is not None
        walkers = [await place_worker(services, world.business_id, meters=200 * (i + 1)) for i in range(3)]
        body = {
            "serviceType": "walking",
            "asap": True,
            "pets": [world.pet_id],
            "location": {"coordinates": [2.35, 48.85]},
        }
        offered = (await client.post("/v1/bookings", headers=world.owner_headers, json=body)).json()["data"]["id"]
        await dispatcher.settle()
        # A second booking left `searching` by a process that died mid-search.
        stuck = (await client.post("/v1/bookings", headers=world.owner_headers, json=body)).json()["data"]["id"]
        await dispatcher.settle()
        doc = await services.store.bookings.get(stuck)
        assert doc is not None and doc.dispatch is not None and doc.dispatch.current is not None
        await services.store.bookings.update_where(
            {"id": stuck},
            {
                "dispatch": Dispatch(
                    state=DispatchState.SEARCHING, offers_tried=[doc.dispatch.current.worker_id]
                ).model_dump(mode="json", by_alias=True)
            },
        )
    # Down for longer than the offer's life; the new process recovers at start-up.
    clock.advance(settings.offer_expiry_s + 5)
    app = create_app(settings, clock=clock)
    async with lifespan(app):
        services = services_of(app)
        first = await services.store.bookings.get(offered)
        second = await services.store.bookings.get(stuck)
    assert first is not None and first.dispatch is not None and first.dispatch.current is not None
    assert first.dispatch.state is DispatchState.OFFERED
    assert first.dispatch.offers_tried == [walkers[0].id]
    # Walker 1 is free again: their offer for the stuck booking was dropped with the crash.
    assert first.dispatch.current.worker_id == walkers[1].id
    assert second is not None and second.dispatch is not None and second.dispatch.current is not None
    assert second.dispatch.state is DispatchState.OFFERED
    assert second.dispatch.current.worker_id == walkers[0].id


BOOKINGS = 50
SPARES = 10


async def test_200_concurrent_accepts_and_confirms_over_50_bookings(
    world: World, services: Services, dispatcher: Dispatcher, recorder: EventRecorder, client: httpx.AsyncClient
) -> None:
    walkers = [
        await place_worker(services, world.business_id, meters=20 * (i + 1), bearing=7.0 * i)
        for i in range(BOOKINGS + SPARES)
    ]
    by_id = {w.id: w for w in walkers}
    # All at the same time, so any walker can hold at most one of them.
    ids = [(await world.book(hours_ahead=5)).json()["data"]["id"] for _ in range(BOOKINGS)]
    for booking_id in ids:
        response = await client.post(f"/v1/bookings/{booking_id}/confirm", headers=world.business_headers, json={})
        assert response.json()["data"]["dispatch"]["state"] == "offered"
    offers = {o["bookingId"]: o for o in recorder.of(OFFER)}
    assert sorted(offers) == sorted(ids)
    offered = {b: (await services.store.bookings.get(b)).dispatch.current.worker_id for b in ids}  # type: ignore[union-attr]
    assert len(set(offered.values())) == BOOKINGS
    spares = [w for w in walkers if w.id not in set(offered.values())]

    async def accept(booking_id: str, walker: PlacedWorker) -> tuple[str, str, str | None]:
        try:
            result = await accept_offer(services, walker.principal, offers[booking_id]["offerId"])
        except (Conflict, NotFound):
            return ("accept", booking_id, None)
        assert result["assigned"] is True
        return ("accept", booking_id, walker.id)

    business = services.access_tokens.verify(world.business_headers["Authorization"].removeprefix("Bearer "))

    async def confirm(booking_id: str, worker_id: str) -> tuple[str, str, str | None]:
        # The use case behind POST /v1/bookings/{id}/confirm, called directly so it races on equal terms.
        try:
            await confirm_booking(services, business, booking_id, ConfirmInput(worker_id=worker_id))
        except Conflict:
            return ("confirm", booking_id, None)
        return ("confirm", booking_id, worker_id)

    rng = random.Random(5)

    async def after_a_while(call: Awaitable[tuple[str, str, str | None]]) -> tuple[str, str, str | None]:
        # Random starts over ~40 ms, so each kind of call wins some races.
        await asyncio.sleep(rng.random() * 0.04)
        return await call

    calls: list[Awaitable[tuple[str, str, str | None]]] = []
    for i, booking_id in enumerate(ids):
        mine = by_id[offered[booking_id]]
        stranger = by_id[offered[ids[(i + 1) % BOOKINGS]]]
        calls += [
            confirm(booking_id, spares[i % SPARES].id),
            accept(booking_id, mine),
            accept(booking_id, mine),  # a double tap
            accept(booking_id, stranger),  # someone else's offer
        ]
    assert len(calls) == 200
    calls = [after_a_while(call) for call in calls]
    results = await asyncio.gather(*calls)

    winners: dict[str, set[str]] = {}
    for _, booking_id, worker_id in results:
        if worker_id is not None:
            winners.setdefault(booking_id, set()).add(worker_id)
    assert len(winners) == BOOKINGS  # exactly 50 winners: one per booking, ...
    assert all(len(w) == 1 for w in winners.values())  # ... each booking won by one walker only
    holders: dict[str, list[str]] = {}
    for booking_id in ids:
        booking = await services.store.bookings.get(booking_id)
        assert booking is not None and booking.status is BookingStatus.CONFIRMED
        assert [h.status for h in booking.history].count(BookingStatus.CONFIRMED) == 1
        assert booking.worker_id is not None and {booking.worker_id} == winners[booking_id]
        holders.setdefault(booking.worker_id, []).append(booking_id)
    # The bookings all overlap: nobody holds two, and each winner's schedule holds exactly its booking.
    assert all(len(held) == 1 for held in holders.values()), holders
    for worker_id, held in holders.items():
        schedule = await services.store.schedules.get(worker_id)
        assert [s.booking_id for s in schedule.slots] == held
    assert any(kind == "accept" and w for kind, _, w in results)
    # Stranger accepts never won anything.
    assert not any(kind == "accept" and w is not None and w != offered[b] for kind, b, w in results)
