from __future__ import annotations

import asyncio
from datetime import timedelta

from app.messages.outbox import MAX_ATTEMPTS, Channel, OutboxStatus
from app.messages.relay import OutboxRelay
from app.messages.senders import PermanentSendFailure
from app.store.store import Store
from tests.app.messages.fakes import T0, MovableClock, RecordingSender, message


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
    assert stored.provider_id == "provider-m1"
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
