"""OutboxRelay: a background loop that sends due outbox messages through the sender of their channel.

Messages are claimed in batches with a lease (compare-and-set), so with several processes one sends each;
a process that dies mid-send leaves the lease to run out and another picks the message up: at least once,
with the message id as the provider's idempotency key where the provider has one (Twilio), in the
push data for the app to drop a repeat (Expo), and as the Message-ID of an email. Delivery never happens
on the request path: `notify` stores and `wake()`s the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime, timedelta

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
# On shutdown, sends under way get this long to finish and be recorded (else they go out again later).
STOP_GRACE_S = 5.0


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
        self._stopping = False
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._task: asyncio.Task[None] | None = None
        # The last batch was full: more are due at once, so the loop does not wait for the poll.
        self._more_due = False

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wakeup.set()

    async def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Let the batch under way finish (so it is recorded as sent), then end the loop."""
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_GRACE_S)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()

    async def drain_once(self) -> int:
        """Claim one batch of due messages and send it; return how many were sent (tests step with this)."""
        now = self._clock.now()
        claimed = await self._outbox.claim(now, now + self._lease, BATCH_SIZE)
        results = await asyncio.gather(*(self._deliver(message) for message in claimed))
        self._more_due = len(claimed) == BATCH_SIZE
        return sum(results)

    async def _deliver(self, message: OutboxMessage) -> bool:
        """Send one claimed message and record the outcome; True when sent."""
        now = self._clock.now()
        if message.expires_at is not None and message.expires_at <= now:
            await self._outbox.mark_failed(message.id, "expired before delivery")
            return False
        sender = self._senders.get(message.channel)
        if sender is None:
            await self._outbox.mark_failed(message.id, f"no sender for {message.channel.value}")
            return False
        async with self._slots:
            return await self._send(sender, message, now)

    async def _send(self, sender: Sender, message: OutboxMessage, now: datetime) -> bool:
        # Runs inside a slot until the outcome is recorded: a crash repeats at most CONCURRENCY sends.
        try:
            provider_id = await sender.send(message)
        except PermanentSendFailure as exc:
            await self._outbox.mark_failed(message.id, str(exc))
            log.info("delivery stopped", id=message.id, channel=message.channel.value, error=str(exc))
            return False
        except SendFailed as exc:
            if message.attempts >= MAX_ATTEMPTS:
                await self._outbox.mark_failed(message.id, f"gave up after {message.attempts} attempts: {exc}")
            else:
                await self._outbox.retry_at(message.id, now + backoff(message.attempts), str(exc))
            return False
        except Exception as exc:
            # An adapter bug or an unexpected answer: retried like a transient failure, and logged.
            log.exception("sender raised", id=message.id, channel=message.channel.value)
            await self._outbox.retry_at(message.id, now + backoff(message.attempts), type(exc).__name__)
            return False
        await self._outbox.mark_sent(message.id, provider_id, self._clock.now())
        return True

    async def _run(self) -> None:
        while not self._stopping:
            try:
                sent = await self.drain_once()
            except Exception:
                # The store away for a moment: the messages stay due, so the next round sends them.
                log.exception("outbox drain failed")
                sent = 0
            if self._stopping or sent or self._more_due:
                continue
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
