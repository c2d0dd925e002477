"""Notification stored -> its push request sent: latency with 1,000 notifications queued at once.

Runs the real relay on the embedded default (SQLite store, fsync on commit) in this process, with the
Expo push adapter on a recording HTTP transport (httpx.MockTransport) that answers like Expo after
`--provider-ms`, and an email sender that answers at once (each notification also has an email
delivery). 1,000 people each have a device; `notify` is called for all of them in one burst (each
stores the notification, emits it live and enqueues its push and email), and for each we time from the
moment its notify call returned (notification and outbox entry committed) until the Expo request
carrying it reaches the transport.

The relay runs `--loops` claim-send-settle loops (the default a server runs); the baseline, measured
first in the same run on a fresh store, is a relay with one loop (how it ran before), and the ratio of
their p99 is printed.

    .venv/bin/python -m scripts.bench.bench_outbox [--notifications 1000] [--provider-ms 0] [--loops 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from app.composition import Services
from app.domain.users import Role, User
from app.ids import new_id
from app.logs import configure_logging
from app.messages.devices import Device, Platform
from app.messages.outbox import Channel, OutboxMessage
from app.messages.push_sender import ExpoPushSender
from app.messages.relay import LOOPS, OutboxRelay
from app.service import create_app, services_of
from app.settings import Settings
from app.usecases.notifications import notify
from tests.support.asgi import lifespan


class InstantEmail:
    channel = Channel.EMAIL

    async def send(self, message: OutboxMessage) -> str:
        return f"<{message.id}@bench>"

    async def aclose(self) -> None:
        return None


async def people(services: Services, count: int) -> list[str]:
    ids = []
    now = services.clock.now()
    for i in range(count):
        # Stored directly: hashing 1,000 passwords would only time argon2.
        user = User(
            id=new_id(),
            email=f"p{i}@bench.test",
            password_hash=None,
            role=Role.OWNER,
            first_name="P",
            last_name="B",
            created_at=now,
            updated_at=now,
        )
        await services.store.users.add(user)
        await services.store.devices.register(
            Device(
                id=f"ExponentPushToken[{i}]", user_id=user.id, platform=Platform.IOS, created_at=services.clock.now()
            )
        )
        ids.append(user.id)
    return ids


async def run(count: int, provider_ms: float, loops: int) -> list[float]:
    """One burst on a fresh store; the sorted latencies (ms) from stored to push sent."""
    sent_at: dict[str, float] = {}
    all_sent = asyncio.Event()

    async def expo(request: httpx.Request) -> httpx.Response:
        entries = json.loads(request.content)
        if provider_ms:
            await asyncio.sleep(provider_ms / 1000)
        for entry in entries:
            sent_at.setdefault(entry["data"]["bookingId"], time.perf_counter())
        if len(sent_at) >= count:
            all_sent.set()
        return httpx.Response(200, json={"data": [{"status": "ok", "id": "t"} for _ in entries]})

    configure_logging("warning")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp), log_level="warning", _env_file=None))
        async with lifespan(app):
            services = services_of(app)
            await services.outbox_relay.stop()
            user_ids = await people(services, count)
            push = ExpoPushSender(services.store.devices, transport=httpx.MockTransport(expo))
            # booking.started also goes by email: a provider that answers at once, as the relay shares its
            # batches between both channels in production too.
            relay = OutboxRelay(
                services.store.outbox, {Channel.PUSH: push, Channel.EMAIL: InstantEmail()}, services.clock, loops=loops
            )
            services.outbox_relay = relay
            await relay.start()
            started: dict[str, float] = {}

            async def one(i: int, user_id: str) -> None:
                key = f"n{i}"
                await notify(
                    services,
                    [user_id],
                    kind="booking.started",
                    title="Walk started",
                    message="Rex is out",
                    data={"bookingId": key},
                )
                # Stored: the notification and its outbox entry are committed when notify returns.
                started[key] = time.perf_counter()

            burst = time.perf_counter()
            # All at once, as when a dispatch wave or a status change fans out: they queue on the store.
            await asyncio.gather(*(one(i, user_id) for i, user_id in enumerate(user_ids)))
            stored_in = time.perf_counter() - burst
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_sent.wait(), 120)
            await relay.stop()
            await push.aclose()
    latencies = sorted((sent_at[k] - started[k]) * 1000 for k in started if k in sent_at)
    print(f"relay loops: {loops}, notifications: {count}, delivered: {len(latencies)}, provider: {provider_ms} ms")
    print(f"  burst stored in {stored_in * 1000:.0f} ms ({count / stored_in:.0f}/s)")
    print(
        f"  stored -> push sent: p50 {statistics.median(latencies):.1f} ms, p99 {p99_of(latencies):.1f} ms,"
        f" max {latencies[-1]:.1f} ms"
    )
    return latencies


def p99_of(latencies: list[float]) -> float:
    return latencies[int(len(latencies) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--provider-ms", type=float, default=0.0)
    parser.add_argument("--loops", type=int, default=LOOPS)
    args = parser.parse_args()
    baseline = asyncio.run(run(args.notifications, args.provider_ms, loops=1))
    measured = asyncio.run(run(args.notifications, args.provider_ms, loops=args.loops))
    print(
        f"p99 with {args.loops} loops / p99 with 1 loop: {p99_of(measured) / p99_of(baseline):.2f}"
        f" (target p99 <= 200 ms: {'MET' if p99_of(measured) <= 200 else 'NOT MET'})"
    )


if __name__ == "__main__":
    main()
