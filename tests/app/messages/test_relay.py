from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from app.messages.outbox import MAX_ATTEMPTS, Channel, OutboxMessage, OutboxStatus
from app.messages.relay import BATCH_SIZE, OutboxRelay
from app.messages.senders import PermanentSendFailure
from app.store.messages.outbox import OutboxRepository
from app.store.schema import OUTBOX
from app.store.store import Store
from tests.app.messages.fakes import RecordingSender, message
from tests.support.clocks import T0, MovableClock


async def test_a_due_message_is_sent_once_and_marked_sent(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender()
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock)
    assert await store.outbox.enqueue([message("m1")]) == 1
    assert await store.outbox.enqueue([message("m1")]) == 0
    assert await relay.drain_once() == 1
    assert await relay.drain_once() == 0
    assert [m.id for m in sender.sent] == ["m1"]
    stored = await store.outbox.get("m1")
    assert stored is not None
    assert stored.status is OutboxStatus.SENT
    assert stored.sent_at == T0
    assert stored.attempts == 1


async def test_a_failed_send_is_retried_after_backoff(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender(fail_first=1)
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock)
    await store.outbox.enqueue([message("m1")])
    assert await relay.drain_once() == 0
    stored = await store.outbox.get("m1")
    assert stored is not None and stored.last_error == "provider busy"
    assert stored.lease_until == T0 + timedelta(seconds=5)
    clock.advance(4)
    assert await relay.drain_once() == 0
    clock.advance(1)
    assert await relay.drain_once() == 1
    assert [m.id for m in sender.sent] == ["m1"]


async def test_retries_stop_after_the_last_attempt(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender(fail_first=100)
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock)
    await store.outbox.enqueue([message("m1")])
    for _ in range(MAX_ATTEMPTS + 2):
        await relay.drain_once()
        clock.advance(3600)
    stored = await store.outbox.get("m1")
    assert stored is not None
    assert stored.status is OutboxStatus.FAILED
    assert sender.calls == MAX_ATTEMPTS


class RefusingSender(RecordingSender):
    async def send(self, message: object) -> str:
        self.calls += 1
        raise PermanentSendFailure("address does not exist")


async def test_a_permanent_error_stops_at_once(store: Store) -> None:
    clock, sender = MovableClock(), RefusingSender()
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock)
    await store.outbox.enqueue([message("m1")])
    await relay.drain_once()
    clock.advance(3600)
    await relay.drain_once()
    stored = await store.outbox.get("m1")
    assert stored is not None
    assert (stored.status, stored.last_error, sender.calls) == (OutboxStatus.FAILED, "address does not exist", 1)


async def test_an_expired_message_is_not_delivered(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender(channel=Channel.PUSH)
    relay = OutboxRelay(store.outbox, {Channel.PUSH: sender}, clock)
    await store.outbox.enqueue([message("offer", channel=Channel.PUSH, expires_at=T0 + timedelta(seconds=20))])
    clock.advance(21)
    assert await relay.drain_once() == 0
    stored = await store.outbox.get("offer")
    assert stored is not None and stored.status is OutboxStatus.FAILED
    assert sender.sent == []


async def test_two_relays_on_one_store_send_each_message_once(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender()
    relays = [OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock) for _ in range(2)]
    await store.outbox.enqueue([message(f"m{i}", user_id=f"u{i}") for i in range(60)])
    counts = await asyncio.gather(*(relay.drain_once() for relay in relays))
    assert sum(counts) == 60
    assert sorted(m.id for m in sender.sent) == sorted(f"m{i}" for i in range(60))


async def test_a_lease_left_by_a_dead_relay_runs_out_and_another_sends(store: Store) -> None:
    clock, sender = MovableClock(), RecordingSender()
    await store.outbox.enqueue([message("m1")])
    [claimed] = await store.outbox.claim(clock.now(), clock.now() + timedelta(seconds=60), 10)
    assert claimed.id == "m1"
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock)
    assert await relay.drain_once() == 0
    clock.advance(60)
    assert await relay.drain_once() == 1


async def test_the_background_loop_sends_when_woken(store: Store) -> None:
    sender = RecordingSender()
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, MovableClock(), poll_interval_s=60)
    await relay.start()
    try:
        await store.outbox.enqueue([message("m1")])
        relay.wake()
        for _ in range(100):
            if sender.sent:
                break
            await asyncio.sleep(0.01)
    finally:
        await relay.stop()
    assert [m.id for m in sender.sent] == ["m1"]


class CountingOutbox(OutboxRepository):
    """The real repository, counting the settling writes the relay asks for."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.backend.collection(OUTBOX))
        self.settles: list[str] = []

    async def mark_sent(self, message_ids: Sequence[str], now: datetime) -> int:
        self.settles.append(f"sent {len(message_ids)}")
        return await super().mark_sent(message_ids, now)

    async def retry_at(self, message_ids: Sequence[str], when: datetime, error: str) -> int:
        self.settles.append(f"retry {len(message_ids)}")
        return await super().retry_at(message_ids, when, error)

    async def mark_failed(self, message_ids: Sequence[str], error: str) -> int:
        self.settles.append(f"failed {len(message_ids)}")
        return await super().mark_failed(message_ids, error)


async def test_a_batch_settles_in_one_write_per_outcome(store: Store) -> None:
    outbox, clock = CountingOutbox(store), MovableClock()
    relay = OutboxRelay(outbox, {Channel.EMAIL: RecordingSender(fail_first=3)}, clock)
    await outbox.enqueue([message(f"m{i:02d}", user_id=f"u{i}") for i in range(50)])
    await outbox.enqueue([message(f"late{i}", channel=Channel.PUSH, expires_at=T0) for i in range(4)])
    assert await relay.drain_once() == 47
    assert sorted(outbox.settles) == ["failed 4", "retry 3", "sent 47"]
    stored = [await outbox.get(f"m{i:02d}") for i in range(50)] + [await outbox.get(f"late{i}") for i in range(4)]
    assert Counter((m.status, m.last_error) for m in stored if m is not None) == {
        (OutboxStatus.SENT, None): 47,
        (OutboxStatus.PENDING, "provider busy"): 3,
        (OutboxStatus.FAILED, "expired before delivery"): 4,
    }


class HeldSender(RecordingSender):
    """Refuses its first message only after the test lets it go, so a wake can land mid-drain."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: OutboxMessage) -> str:
        if self.calls == 0:
            self.calls += 1
            self.entered.set()
            await self.release.wait()
            raise PermanentSendFailure("address does not exist")
        return await super().send(message)


async def test_a_wake_during_a_drain_starts_the_next_one_without_waiting_for_the_poll(store: Store) -> None:
    sender = HeldSender()
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, MovableClock(), poll_interval_s=60)
    await store.outbox.enqueue([message("first")])
    await relay.start()
    try:
        await asyncio.wait_for(sender.entered.wait(), 5)
        await store.outbox.enqueue([message("second", user_id="u2")])
        relay.wake()
        sender.release.set()
        for _ in range(300):
            if sender.sent:
                break
            await asyncio.sleep(0.01)
    finally:
        await relay.stop()
    assert [m.id for m in sender.sent] == ["second"]


class SlowSender(RecordingSender):
    """Answers after 20 ms, like a provider, so the loops' batches overlap."""

    async def send(self, message: OutboxMessage) -> str:
        await asyncio.sleep(0.02)
        return await super().send(message)


class InFlightOutbox(OutboxRepository):
    """The real repository, tracking what is claimed and not yet settled, and how many claims overlap."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.backend.collection(OUTBOX))
        self.in_flight: set[str] = set()
        self.most_in_flight = 0
        self.claims_open = 0
        self.most_claims_open = 0

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        claimed = await super().claim(now, lease_until, limit)
        assert not self.in_flight & {m.id for m in claimed}, "a message claimed twice"
        self.in_flight |= {m.id for m in claimed}
        self.most_in_flight = max(self.most_in_flight, len(self.in_flight))
        if claimed:
            self.claims_open += 1
            self.most_claims_open = max(self.most_claims_open, self.claims_open)
        return claimed

    async def mark_sent(self, message_ids: Sequence[str], now: datetime) -> int:
        settled = await super().mark_sent(message_ids, now)
        self.in_flight -= set(message_ids)
        self.claims_open -= 1
        return settled


async def _until_sent(sender: RecordingSender, count: int) -> None:
    for _ in range(1000):
        if len(sender.sent) >= count:
            return
        await asyncio.sleep(0.01)


async def test_the_loops_overlap_and_send_each_message_once(store: Store) -> None:
    outbox, sender = InFlightOutbox(store), SlowSender()
    relay = OutboxRelay(outbox, {Channel.EMAIL: sender}, MovableClock(), poll_interval_s=60, loops=4)
    await outbox.enqueue([message(f"m{i:03d}", user_id=f"u{i}") for i in range(400)])
    await relay.start()
    try:
        relay.wake()
        await _until_sent(sender, 400)
    finally:
        await relay.stop()
    assert sorted(m.id for m in sender.sent) == [f"m{i:03d}" for i in range(400)]
    assert outbox.most_claims_open > 1, "the loops never overlapped"
    # What a crash would send again: at most one batch per loop.
    assert outbox.most_in_flight <= 4 * BATCH_SIZE
    stored = [await outbox.get(f"m{i:03d}") for i in range(400)]
    assert Counter(m.status for m in stored if m is not None) == {OutboxStatus.SENT: 400}


async def test_two_processes_with_several_loops_each_send_each_message_once(store: Store) -> None:
    clock, sender = MovableClock(), SlowSender()
    relays = [OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock, poll_interval_s=60, loops=3) for _ in range(2)]
    await store.outbox.enqueue([message(f"m{i:03d}", user_id=f"u{i}") for i in range(300)])
    for relay in relays:
        await relay.start()
    try:
        for relay in relays:
            relay.wake()
        await _until_sent(sender, 300)
        await asyncio.sleep(0.05)
    finally:
        for relay in relays:
            await relay.stop()
    assert sorted(m.id for m in sender.sent) == [f"m{i:03d}" for i in range(300)]


def test_a_relay_needs_a_loop() -> None:
    with pytest.raises(ValueError, match="at least one loop"):
        OutboxRelay(OutboxRepository(None), {}, MovableClock(), loops=0)  # type: ignore[arg-type]


class HeldOnceSender(RecordingSender):
    """Holds its first send until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: OutboxMessage) -> str:
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
        return await super().send(message)


async def test_a_lease_that_runs_out_mid_batch_is_not_sent_again_by_another_loop(store: Store) -> None:
    clock, sender = MovableClock(), HeldOnceSender()
    relay = OutboxRelay(store.outbox, {Channel.EMAIL: sender}, clock, lease=timedelta(seconds=10))
    await store.outbox.enqueue([message("m1")])
    first = asyncio.create_task(relay.drain_once())
    await asyncio.wait_for(sender.entered.wait(), 5)
    clock.advance(11)
    # The store hands m1 out again (its lease ran out), but this process is still sending it.
    assert await relay.drain_once() == 0
    sender.release.set()
    assert await first == 1
    assert [m.id for m in sender.sent] == ["m1"]
    stored = await store.outbox.get("m1")
    assert stored is not None and stored.status is OutboxStatus.SENT
