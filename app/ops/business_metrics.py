"""Business gauges for /metrics, read when Prometheus scrapes: workers online, walks in progress, bookings
and payments by status, the outbox backlog. At most one refresh per REFRESH_S, so several scrapers (or a
scrape storm) cost one set of count queries; the figures are that much behind at worst.
"""

from __future__ import annotations

import time

from app.domain.bookings import BookingStatus
from app.domain.payment_events import PaymentStatus
from app.live.live_index import LiveIndex
from app.messages.outbox import OutboxStatus
from app.metrics import Metrics
from app.store.backend import StoreBackend
from app.store.schema import BOOKINGS, OUTBOX, PAYMENTS

REFRESH_S = 15.0


class BusinessGauges:
    def __init__(self, metrics: Metrics, backend: StoreBackend, live_index: LiveIndex) -> None:
        self._metrics = metrics
        self._backend = backend
        self._live_index = live_index
        self._refreshed_at: float | None = None

    async def refresh(self) -> None:
        now = time.monotonic()
        if self._refreshed_at is not None and now - self._refreshed_at < REFRESH_S:
            return
        self._refreshed_at = now
        metrics, backend = self._metrics, self._backend
        metrics.workers_online.set(await self._live_index.online_count())
        bookings = backend.collection(BOOKINGS)
        for booking_status in BookingStatus:
            count = await bookings.count({"status": booking_status.value})
            metrics.bookings.labels(booking_status.value).set(count)
            if booking_status is BookingStatus.IN_PROGRESS:
                metrics.active_walks.set(count)
        payments = backend.collection(PAYMENTS)
        for payment_status in PaymentStatus:
            metrics.payments.labels(payment_status.value).set(await payments.count({"status": payment_status.value}))
        metrics.outbox_backlog.set(await backend.collection(OUTBOX).count({"status": OutboxStatus.PENDING.value}))
