"""Messages: rendering every kind for every role and locale, and booking confirmed -> owner's email at SMTP.

1. Rendering (`app/messages/rendering`): every kind x role x shipped locale rendered once (email text and
   HTML, push, SMS) with the preview's sample data; the first pass from cold caches (templates compiled,
   catalogs and Babel's locale data loaded), then the best and median of `--passes` warm passes.
   Target: under 1 s for all of them.
2. Delivery (`--deliveries N`, 0 to skip): the real app on its embedded default (SQLite, fsync on commit) in
   this process, email through the SMTP adapter to a real SMTP server (aiosmtpd, tests/support/smtp_server.py)
   on loopback. N bookings are confirmed one after the other through `POST /v1/bookings/{id}/confirm`; each
   is timed from the request until the owner's email for that booking reaches the SMTP server.
   Target: p99 under 2 s.

    .venv/bin/python -m scripts.bench.bench_messages [--passes 20] [--deliveries 50]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

from app.logs import configure_logging
from app.messages.rendering import locales, render
from app.messages.rendering.kinds import KINDS
from app.messages.rendering.preview import every_message
from app.service import create_app
from app.settings import Settings
from tests.app.bookings_world import build_world
from tests.support.asgi import http_client, lifespan
from tests.support.smtp_server import RecordingHandler, smtp_server

RENDER_TARGET_S = 1.0
DELIVERY_TARGET_S = 2.0


def render_all() -> tuple[int, float]:
    started = time.perf_counter()
    count = sum(1 for _ in every_message(list(KINDS), list(locales.shipped_locales())))
    return count, time.perf_counter() - started


def bench_rendering(passes: int) -> bool:
    for cache in (render._environment, locales.translations, locales.babel_locale):
        cache.cache_clear()
    count, cold = render_all()
    warm = sorted(render_all()[1] for _ in range(passes))
    pairs = sum(len(roles) for roles in KINDS.values())
    shipped = len(locales.shipped_locales())
    print(f"rendering: {count} messages ({len(KINDS)} kinds, {pairs} kind x role, {shipped} locales)")
    best, median = warm[0] * 1000, statistics.median(warm) * 1000
    print(f"  cold pass {cold * 1000:.0f} ms; warm best {best:.0f} ms, median {median:.0f} ms")
    ok = cold < RENDER_TARGET_S
    print(f"  target all under {RENDER_TARGET_S:.0f} s: {'met' if ok else 'NOT met'}")
    return ok


def subject(envelope: object) -> str:
    raw = envelope.content  # type: ignore[attr-defined]
    return str(make_header(decode_header(message_from_bytes(raw)["Subject"])))


async def owners_email(handler: RecordingHandler, number: str, owner: str, timeout_s: float = 30) -> float:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        for envelope in handler.envelopes:
            if owner in envelope.rcpt_tos and number in subject(envelope):
                return time.perf_counter()
        await asyncio.sleep(0.002)
    raise TimeoutError(f"no email for {number}")


async def bench_delivery(count: int) -> bool:
    with smtp_server() as (url, handler), tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data", smtp_url=url)
        app = create_app(settings)
        async with lifespan(app), http_client(app) as client:
            world = await build_world(client)
            worker_id, _ = await world.add_worker("walker@example.com")
            latencies = []
            for i in range(count):
                booked = await world.book(hours_ahead=48 + 2 * i)
                assert booked.status_code == 201, booked.text
                booking = booked.json()["data"]
                started = time.perf_counter()
                confirmed = await client.post(
                    f"/v1/bookings/{booking['id']}/confirm",
                    headers=world.business_headers,
                    json={"workerId": worker_id},
                )
                assert confirmed.status_code == 200, confirmed.text
                arrived = await owners_email(handler, booking["bookingNumber"], "owner@example.com")
                latencies.append(arrived - started)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
    print(f"delivery: booking confirmed -> owner's email at SMTP, {count} bookings, embedded default")
    p50, worst = statistics.median(latencies) * 1000, latencies[-1] * 1000
    print(f"  p50 {p50:.0f} ms, p99 {p99 * 1000:.0f} ms, max {worst:.0f} ms")
    ok = p99 < DELIVERY_TARGET_S
    print(f"  target p99 under {DELIVERY_TARGET_S:.0f} s: {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--deliveries", type=int, default=50)
    args = parser.parse_args()
    configure_logging("warning")
    # aiosmtpd logs a warning about its own API on every login: noise, not a finding.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    ok = bench_rendering(args.passes)
    if args.deliveries:
        ok = asyncio.run(bench_delivery(args.deliveries)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
