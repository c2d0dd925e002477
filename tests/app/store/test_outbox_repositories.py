from __future__ import annotations

import asyncio
from datetime import timedelta

from app.messages.outbox import Channel, OutboxStatus
from app.store.store import Store
from tests.app.messages.fakes import message
from tests.support.clocks import T0


async def test_enqueue_is_idempotent_by_id(store: Store) -> None:
    assert await store.outbox.enqueue([message("m1"), message("m2")]) == 2
    assert await store.outbox.enqueue([message("m1"), message("m3")]) == 1


async def test_racing_claims_split_the_due_messages(store: Store) -> None:
    await store.outbox.enqueue([message(f"m{i:02d}", at=T0 + timedelta(seconds=i)) for i in range(30)])
    now = T0 + timedelta(minutes=1)
    batches = await asyncio.gather(*(store.outbox.claim(now, now + timedelta(seconds=60), 30) for _ in range(4)))
    claimed = [m.id for batch in batches for m in batch]
    assert sorted(claimed) == [f"m{i:02d}" for i in range(30)]
    assert all(m.attempts == 1 for batch in batches for m in batch)
    assert await store.outbox.claim(now, now + timedelta(seconds=60), 30) == []


async def test_only_due_messages_are_claimed(store: Store) -> None:
    await store.outbox.enqueue([message("now"), message("later", at=T0 + timedelta(minutes=5))])
    assert [m.id for m in await store.outbox.claim(T0, T0 + timedelta(seconds=60), 10)] == ["now"]


async def test_settled_messages_are_purged_pending_ones_kept(store: Store) -> None:
    await store.outbox.enqueue([message("sent"), message("pending")])
    assert await store.outbox.mark_sent(["sent"], T0) == 1
    assert await store.outbox.purge_settled_before(T0 + timedelta(days=1)) == 1
    pending = await store.outbox.get("pending")
    assert pending is not None and pending.status is OutboxStatus.PENDING


async def test_pushes_and_texts_are_claimed_before_emails_due_earlier(store: Store) -> None:
    emails = [message(f"e{i}", at=T0 + timedelta(seconds=i)) for i in range(3)]
    phone = [
        message("p1", channel=Channel.PUSH, to=None, at=T0 + timedelta(seconds=10)),
        message("s1", channel=Channel.SMS, to="+33600000000", at=T0 + timedelta(seconds=11)),
    ]
    await store.outbox.enqueue([*emails, *phone])
    now = T0 + timedelta(minutes=1)
    first = await store.outbox.claim(now, now + timedelta(seconds=60), 3)
    # The phone channels fill the batch first; the rest is taken oldest first from the other channels.
    assert sorted(m.id for m in first) == ["e0", "p1", "s1"]
    rest = await store.outbox.claim(now, now + timedelta(seconds=60), 3)
    assert sorted(m.id for m in rest) == ["e1", "e2"]
