"""The periodic jobs' work: booking reminders (24 h and 1 h before), retention purges, and retries of
payment settlements that failed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from app.domain.bookings import BookingStatus
from app.errors import AppError
from app.jobs.job import Job
from app.payments.gateway import PaymentGateway
from app.settings import Settings
from app.store.schema import NOTIFICATION_RETENTION_S
from app.usecases.message_facts import booking_facts
from app.usecases.notifications import NotificationPorts, notify
from app.usecases.payments.settlement import note_settlement_failure, settle_booking, settlement_retried


class ScheduledPorts(NotificationPorts, Protocol):
    """Reminders notify; settlement retries run the payments use cases, which reach the gateway."""

    @property
    def payment_gateway(self) -> PaymentGateway: ...
    @property
    def settings(self) -> Settings: ...


REMINDERS_EVERY = timedelta(minutes=1)
RETENTION_EVERY = timedelta(hours=1)
# Failed settlements wait at least a minute between tries (app/domain/payments.py next_settlement_try).
SETTLEMENTS_EVERY = timedelta(minutes=1)
SETTLEMENTS_PER_RUN = 100
REMINDER_LEADS: tuple[tuple[str, timedelta], ...] = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))
REMINDED_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)
NOTIFICATION_RETENTION = timedelta(seconds=NOTIFICATION_RETENTION_S)
OUTBOX_RETENTION = timedelta(days=90)
IDEMPOTENCY_RETENTION = timedelta(days=7)
# Expired email tokens stay a day, so a late click still reads "expired" rather than "unknown".
ACCOUNT_TOKEN_GRACE = timedelta(days=1)


async def send_reminders(ports: ScheduledPorts, since: datetime | None, now: datetime) -> int:
    """Remind the booking's people of bookings whose 24 h / 1 h mark passed since the last run.

    The window starts where the last finished run ended, so after downtime the missed reminders go out
    (still before the walk); each reminder's key makes a repeated window send it once.
    """
    start = since or now - REMINDERS_EVERY
    sent = 0
    for label, lead in REMINDER_LEADS:
        for booking in await ports.store.bookings.scheduled_between(start + lead, now + lead, REMINDED_STATUSES):
            if booking.scheduled_at <= now:
                continue
            recipients = list(booking.watcher_ids or [booking.owner_id])
            if booking.worker_id:
                worker = await ports.store.workers.get(booking.worker_id)
                if worker is not None:
                    recipients.append(worker.user_id)
            when = "tomorrow" if label == "24h" else "in an hour"
            await notify(
                ports,
                recipients,
                kind=f"reminder.{label}",
                title=f"Booking {booking.booking_number} {when}",
                message=f"Your {booking.service_type.value} booking starts {when}.",
                data={"bookingId": booking.id, "bookingNumber": booking.booking_number, "lead": label},
                key=f"reminder.{booking.id}.{label}",
                about=await booking_facts(ports.store, booking, lead=label),
            )
            sent += 1
    return sent


async def purge_expired(ports: ScheduledPorts, now: datetime) -> dict[str, int]:
    store = ports.store
    return {
        "notifications": await store.notifications.purge_before(now - NOTIFICATION_RETENTION),
        "outbox": await store.outbox.purge_settled_before(now - OUTBOX_RETENTION),
        "refreshTokens": await store.refresh_tokens.purge_expired(now),
        "accountTokens": await store.account_tokens.purge_expired(now - ACCOUNT_TOKEN_GRACE),
        "idempotency": await store.idempotency.purge_before(now - IDEMPOTENCY_RETENTION),
    }


async def retry_settlements(ports: ScheduledPorts, now: datetime) -> int:
    """Try again the settlements that failed and are due (see PaymentsListener); returns how many went through.

    Safe to repeat: the capture and the refund reach the gateway under idempotency keys derived from the
    booking, and a record already settled is left as it is.
    """
    settled = 0
    for payment in await ports.store.payments.settlements_due(now, SETTLEMENTS_PER_RUN):
        booking = await ports.store.bookings.get(payment.booking_id)
        if booking is None:
            continue
        try:
            result = await settle_booking(ports, booking)
        except AppError as exc:
            await note_settlement_failure(ports, booking, exc)
            continue
        await settlement_retried(ports, result or payment, payment.last_error)
        settled += 1
    return settled


def scheduled_jobs(ports: ScheduledPorts) -> list[Job]:
    async def reminders(since: datetime | None, now: datetime) -> None:
        await send_reminders(ports, since, now)

    async def retention(_: datetime | None, now: datetime) -> None:
        await purge_expired(ports, now)

    async def settlements(_: datetime | None, now: datetime) -> None:
        await retry_settlements(ports, now)

    return [
        Job("booking.reminders", REMINDERS_EVERY, reminders),
        Job("retention", RETENTION_EVERY, retention),
        Job("payments.settlements", SETTLEMENTS_EVERY, settlements),
    ]
