"""OutboxRelay: a background loop that sends due outbox messages through the sender of their channel.

Each message is claimed with a lease (compare-and-set), so with several processes one sends it; a process
that dies mid-send leaves the lease to run out and another picks the message up (at least once, with
the message id as the provider's idempotency key where the provider has one). Delivery never happens
on the request path: `notify` stores and `wake()`s the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta

import structlog

from app.clock import Clock
from app.messages.outbox import MAX_ATTEMPTS, Channel, OutboxMessage, backoff
from app.messages.senders import PermanentSendFailure, Sender, SendFailed
from app.store.outbox import OutboxRepository

log = structlog.get_logger("walky.outbox")

LEASE = timedelta(seconds=60)
POLL_INTERVAL_S = 1.0
BATCH_SIZE = 100
# Sends in flight at once per process: providers answer in tens of milliseconds, so a burst needs overlap.
CONCURRENCY = 32


class OutboxRelay:
    def __init__(
        self,
        outbox: OutboxRepository,
        senders: Mapping[Channel, Sender],
        clock: Clock,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        lease: timedelta = LEASE,
    ) -> None:
        self._outbox = outbox
        self._senders = dict(senders)
        self._clock = clock
        self._poll_interval_s = poll_interval_s
        self._lease = lease
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._task: asyncio.Task[None] | None = None
        self._more_due = False

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wakeup.set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()

    async def drain_once(self) -> int:
        """Send what is due now, one batch; return how many were sent (tests step the loop with this)."""
        due = await self._outbox.due(self._clock.now(), BATCH_SIZE)
        self._more_due = len(due) == BATCH_SIZE
        results = await asyncio.gather(*(self._deliver(message) for message in due))
        return sum(results)

    async def _deliver(self, message: OutboxMessage) -> bool:
        async with self._slots:
            now = self._clock.now()
            claimed = await self._outbox.claim(message, now, now + self._lease)
            if claimed is None:
                return False
            if claimed.expires_at is not None and claimed.expires_at <= now:
                await self._outbox.mark_failed(claimed.id, "expired before delivery")
                return False
            sender = self._senders.get(claimed.channel)
            if sender is None:
                await self._outbox.mark_failed(claimed.id, f"no sender for {claimed.channel.value}")
                return False
            try:
                provider_id = await sender.send(claimed)
            except PermanentSendFailure as exc:
                await self._outbox.mark_failed(claimed.id, str(exc))
                log.info("delivery stopped", id=claimed.id, channel=claimed.channel.value, error=str(exc))
                return False
            except SendFailed as exc:
                if claimed.attempts >= MAX_ATTEMPTS:
                    await self._outbox.mark_failed(claimed.id, f"gave up after {claimed.attempts} attempts: {exc}")
                else:
                    await self._outbox.retry_at(claimed.id, now + backoff(claimed.attempts), str(exc))
                return False
            except Exception as exc:
                # An adapter bug or an unexpected answer: retried like a transient failure, and logged.
                log.exception("sender raised", id=claimed.id, channel=claimed.channel.value)
                await self._outbox.retry_at(claimed.id, now + backoff(claimed.attempts), type(exc).__name__)
                return False
            await self._outbox.mark_sent(claimed.id, provider_id, self._clock.now())
            return True

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.drain_once()
            except Exception:
                # The store away for a moment: the messages stay due, so the next round sends them.
                log.exception("outbox drain failed")
                sent = 0
            if sent or self._more_due:
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
