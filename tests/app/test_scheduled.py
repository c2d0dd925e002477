from __future__ import annotations

from datetime import timedelta

import httpx

from app.composition import Services
from app.domain.account_tokens import AccountToken, TokenPurpose
from app.domain.notifications import Notification
from app.usecases.scheduled import purge_expired, send_reminders
from tests.app.bookings_world import build_world


async def test_reminders_go_out_24_hours_and_1_hour_before_once(client: httpx.AsyncClient, services: Services) -> None:
    world = await build_world(client)
    day = (await world.book(hours_ahead=24 - 1 / 120)).json()["data"]
    hour = (await world.book(hours_ahead=1 - 1 / 120)).json()["data"]
    await world.book(hours_ahead=30)
    now = services.clock.now()
    assert await send_reminders(services, None, now) == 2
    assert await send_reminders(services, None, now) == 2
    notes = await services.store.notifications.of_user(world.owner_id)
    reminders = sorted((n.type, n.data["bookingId"]) for n in notes if n.type.startswith("reminder."))
    assert reminders == sorted([("reminder.24h", day["id"]), ("reminder.1h", hour["id"])])
    queued = [m for m in await services.store.outbox.of_user(world.owner_id) if m.kind.startswith("reminder.")]
    assert len(queued) == 2  # email (the owner has no device): once each, however often the window runs


async def test_missed_reminders_are_caught_up_but_never_for_the_past(
    client: httpx.AsyncClient, services: Services
) -> None:
    world = await build_world(client)
    soon = (await world.book(hours_ahead=0.5)).json()["data"]
    now = services.clock.now()
    # The runner was down for three hours: the 1 h mark of `soon` passed meanwhile, the walk has not.
    assert await send_reminders(services, now - timedelta(hours=3), now) == 1
    notes = await services.store.notifications.of_user(world.owner_id)
    assert [n.data["bookingId"] for n in notes if n.type == "reminder.1h"] == [soon["id"]]


async def test_retention_purges_what_is_past_its_time(services: Services) -> None:
    now = services.clock.now()
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    for nid, at in (("old", old), ("recent", recent)):
        await services.store.notifications.add(
            Notification(id=nid, user_id="u1", type="booking.confirmed", title="t", message="m", data={}, created_at=at)
        )
    await services.store.account_tokens.issue(
        AccountToken(
            id="h1",
            user_id="u1",
            purpose=TokenPurpose.RESET_PASSWORD,
            created_at=now - timedelta(days=3),
            expires_at=now - timedelta(days=2),
        )
    )
    purged = await purge_expired(services, now)
    assert purged["notifications"] == 1
    assert purged["accountTokens"] == 1
    assert [n.id for n in await services.store.notifications.of_user("u1")] == ["recent"]
