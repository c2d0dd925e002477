"""OutboxRelay: a background loop that sends due outbox messages through the sender of their channel.

Messages are claimed in batches with a lease (compare-and-set), so with several processes one sends each,
and a batch's outcomes are recorded together; a process that dies mid-batch leaves the lease to run out
and another picks the messages up: at least once, with the message id as the provider's idempotency key
where the provider has one (Twilio), in the push data for the app to drop a repeat (Expo), and as the
Message-ID of an email. Delivery never happens
on the request path: `notify` stores and `wake()`s the loops.

A relay runs a few claim-send-settle loops (`loops`), so that while one waits for a provider or for its
settling write, another claims and sends the next batch. They take turns to claim (one claim at a time per
process, so each sees the leases of the one before and none comes back empty-handed from a race it lost
to its sibling); across processes the compare-and-set decides. A message is only ever in one claimed
batch, so the loops never send it twice. A crash repeats at most the batches under way, one per loop
(`loops` x `BATCH_SIZE` messages): splitting one batch between the loops instead would keep that window
at one batch, but the claim and settle writes per message would multiply and the overlap gain with them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime, timedelta

import structlog

from app.clock import Clock
from app.messages.outbox import MAX_ATTEMPTS, Channel, OutboxMessage, backoff
from app.messages.senders import BatchSender, PermanentSendFailure, Sender, SendFailed
from app.store.messages.outbox import OutboxRepository

log = structlog.get_logger("walky.outbox")

LEASE = timedelta(seconds=60)
POLL_INTERVAL_S = 1.0
BATCH_SIZE = 100
# Claim-send-settle loops per relay (WALKY_OUTBOX_RELAY_LOOPS): store round trips overlap with sending.
LOOPS = 4
# Sends in flight at once per process for one-at-a-time senders (SMTP, Twilio): providers answer in tens
# of milliseconds, so a burst needs overlap.
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
        loops: int = LOOPS,
    ) -> None:
        if loops < 1:
            raise ValueError(f"a relay needs at least one loop, got {loops}")
        self._outbox = outbox
        self._senders = dict(senders)
        self._clock = clock
        self._poll_interval_s = poll_interval_s
        self._lease = lease
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._slots = asyncio.Semaphore(CONCURRENCY)
        # Claimed by this process and not yet settled: a lease that ran out while its batch was still
        # being sent (a slow provider, a busy machine) lets another loop claim the message again, and
        # that loop must not send it a second time.
        self._in_flight: set[str] = set()
        self._loops = loops
        self._claiming = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wakeup.set()

    async def start(self) -> None:
        if not self._tasks:
            self._stopping = False
            self._tasks = [asyncio.create_task(self._run(), name=f"outbox-relay-{i}") for i in range(self._loops)]

    async def stop(self) -> None:
        """Let the batches under way finish (so they are recorded as sent), then end the loops."""
        if not self._tasks:
            return
        self._stopping = True
        self._wakeup.set()
        running = asyncio.gather(*self._tasks)
        try:
            await asyncio.wait_for(asyncio.shield(running), STOP_GRACE_S)
        except TimeoutError:
            for task in self._tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
        self._tasks = []

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()

    async def drain_once(self) -> int:
        """Claim one batch of due messages, send it, settle it; return how many were sent (tests step with this).

        Outcomes are recorded once for the whole batch (one write for every message sent), so a crash
        before that write repeats at most that batch: at least once, deduplicated downstream by message id.
        """
        sent, _ = await self._drain()
        return sent

    async def _drain(self) -> tuple[int, bool]:
        """One batch: how many were sent, and whether it was full (more are due at once)."""
        async with self._claiming:
            now = self._clock.now()
            claimed = await self._outbox.claim(now, now + self._lease, BATCH_SIZE)
            full = len(claimed) == BATCH_SIZE
            # Still being sent by another loop here (its lease ran out meanwhile): that loop settles it.
            claimed = [message for message in claimed if message.id not in self._in_flight]
            self._in_flight.update(message.id for message in claimed)
        try:
            return await self._send_and_settle(claimed, now), full
        finally:
            self._in_flight.difference_update(message.id for message in claimed)

    async def _send_and_settle(self, claimed: list[OutboxMessage], now: datetime) -> int:
        outcomes: dict[str, str | SendFailed] = {}
        groups: dict[Channel, list[OutboxMessage]] = {}
        for message in claimed:
            if message.expires_at is not None and message.expires_at <= now:
                outcomes[message.id] = PermanentSendFailure("expired before delivery")
            elif message.channel not in self._senders:
                outcomes[message.id] = PermanentSendFailure(f"no sender for {message.channel.value}")
            else:
                groups.setdefault(message.channel, []).append(message)
        for sent in await asyncio.gather(*(self._send_group(self._senders[c], group) for c, group in groups.items())):
            outcomes.update(sent)
        return await self._settle(claimed, outcomes, now)

    async def _send_group(self, sender: Sender, messages: list[OutboxMessage]) -> dict[str, str | SendFailed]:
        if isinstance(sender, BatchSender):
            try:
                results = await sender.send_many(messages)
            except Exception as exc:
                log.exception("sender raised", channel=sender.channel.value)
                results = [SendFailed(type(exc).__name__)] * len(messages)
            return {message.id: result for message, result in zip(messages, results, strict=True)}
        outcomes = await asyncio.gather(*(self._send_one(sender, message) for message in messages))
        return {message.id: outcome for message, outcome in zip(messages, outcomes, strict=True)}

    async def _send_one(self, sender: Sender, message: OutboxMessage) -> str | SendFailed:
        async with self._slots:
            try:
                return await sender.send(message)
            except SendFailed as exc:
                return exc
            except Exception as exc:
                # An adapter bug or an unexpected answer: retried like a transient failure, and logged.
                log.exception("sender raised", id=message.id, channel=message.channel.value)
                return SendFailed(type(exc).__name__)

    async def _settle(self, claimed: list[OutboxMessage], outcomes: dict[str, str | SendFailed], now: datetime) -> int:
        """Record a batch's outcomes: one write for the sent, one per distinct failure (usually none)."""
        sent = {message_id: outcome for message_id, outcome in outcomes.items() if isinstance(outcome, str)}
        if sent:
            await self._outbox.mark_sent(list(sent), self._clock.now())
            # Provider ids go to the log, not the store, so one write settles the whole batch.
            log.info("outbox sent", receipts=sent)
        stopped: dict[str, list[str]] = {}
        retried: dict[tuple[datetime, str], list[str]] = {}
        for message in claimed:
            outcome = outcomes[message.id]
            if isinstance(outcome, str):
                continue
            if isinstance(outcome, PermanentSendFailure):
                stopped.setdefault(str(outcome), []).append(message.id)
                log.info("delivery stopped", id=message.id, channel=message.channel.value, error=str(outcome))
            elif message.attempts >= MAX_ATTEMPTS:
                stopped.setdefault(f"gave up after {message.attempts} attempts: {outcome}", []).append(message.id)
            else:
                retried.setdefault((now + backoff(message.attempts), str(outcome)), []).append(message.id)
        for error, ids in stopped.items():
            await self._outbox.mark_failed(ids, error)
        for (when, error), ids in retried.items():
            await self._outbox.retry_at(ids, when, error)
        return len(sent)

    async def _run(self) -> None:
        while not self._stopping:
            # Cleared before draining, not after: a wake() that comes while a batch is under way (a burst
            # of notify calls) must start the next batch at once rather than wait for the poll.
            self._wakeup.clear()
            try:
                sent, more_due = await self._drain()
            except Exception:
                # The store away for a moment: the messages stay due, so the next round sends them.
                log.exception("outbox drain failed")
                sent, more_due = 0, False
            if self._stopping or sent or more_due:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
