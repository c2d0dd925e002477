"""A silent device on a walk in progress: the owners and the business are told, once per silence."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.base import iso
from app.domain.bookings import Booking
from app.events import user_room
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import NotificationPorts, notify
from app.walks.silence import SILENCE_MS, SilenceWatcher, silent_since


async def alert_silent_walks(ports: NotificationPorts, now: datetime) -> int:
    """`tracking:stale` to the owners and the business, and a notification, for every walk in progress that
    has sent no fix for two minutes; once per silence (a fix ends it), in whichever process claims it."""
    now_ms = int(now.timestamp() * 1000)
    alerted = 0
    for booking in await ports.store.bookings.in_progress():
        last = await ports.store.trails.last(booking.id)
        started_ms = int((booking.started_at or now).timestamp() * 1000)
        since = silent_since(last.timestamp_ms if last else None, started_ms, now_ms)
        if since is None or not await ports.store.walk_alerts.claim(f"stale.{booking.id}.{since}"):
            continue
        alerted += 1
        last_at = iso(datetime.fromtimestamp(since / 1000, tz=UTC))
        parties = [*booking.watcher_ids, *await _business_users(ports, booking)]
        for user_id in dict.fromkeys(parties):
            await ports.events.emit(
                "tracking:stale", {"bookingId": booking.id, "lastAt": last_at}, room=user_room(user_id)
            )
        await notify(
            ports,
            parties,
            kind="walk.stale",
            title="No signal from the walker",
            message=f"The walker's phone has sent no position for {SILENCE_MS // 60_000} minutes.",
            data={"bookingId": booking.id, "bookingNumber": booking.booking_number, "lastAt": last_at},
            about=await booking_facts(ports.store, booking, silent_minutes=SILENCE_MS // 60_000),
        )
    return alerted


async def _business_users(ports: NotificationPorts, booking: Booking) -> list[str]:
    business = await ports.store.businesses.get(booking.business_id) if booking.business_id else None
    return [business.owner_id] if business is not None else []


def silence_watcher(ports: NotificationPorts) -> SilenceWatcher:
    async def sweep() -> int:
        return await alert_silent_walks(ports, ports.clock.now())

    return SilenceWatcher(sweep)
