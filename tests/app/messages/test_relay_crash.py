"""kill -9 of a server process in the middle of a burst of 1,000 SMS, then a restart: every message goes out.

The provider is a real HTTP server on loopback speaking Twilio's Messages API; it counts what arrives.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from app.messages.outbox import Channel, OutboxMessage, OutboxStatus
from app.messages.relay import BATCH_SIZE, LOOPS
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[3]
BURST = 1000
ACCOUNT = "AC0123"


@asynccontextmanager
async def twilio_server(tokens: list[str], delivered: list[str]) -> AsyncIterator[str]:
    """Records every request's idempotency token, and what Twilio would deliver: a token seen before is
    answered with the first message's sid instead of sending again."""
    sids: dict[str, str] = {}

    async def create_message(request: web.Request) -> web.Response:
        form = await request.post()
        assert form["From"] == "+15550000000"
        token = request.headers["I-Twilio-Idempotency-Token"]
        tokens.append(token)
        # A provider takes a few milliseconds; the burst lasts long enough to be cut in the middle.
        await asyncio.sleep(0.01)
        if token not in sids:
            sids[token] = f"SM{len(sids)}"
            delivered.append(str(form["To"]))
        return web.json_response({"sid": sids[token]}, status=201)

    app = web.Application()
    app.router.add_post(f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json", create_message)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def seed(data_dir: Path) -> list[str]:
    backend = SqliteBackend(data_dir / "walky.sqlite3")
    await backend.setup()
    now = datetime.now(UTC)
    messages = [
        OutboxMessage(
            id=f"sms-{i:04d}",
            user_id=f"u{i}",
            channel=Channel.SMS,
            kind="booking.started",
            to=f"+1555{i:07d}",
            title="Walk started",
            body="Rex is out",
            lease_until=now,
            created_at=now,
        )
        for i in range(BURST)
    ]
    await Store(backend).outbox.enqueue(messages)
    await backend.close()
    return [m.id for m in messages]


async def statuses(data_dir: Path) -> Counter[OutboxStatus]:
    backend = SqliteBackend(data_dir / "walky.sqlite3")
    await backend.setup()
    try:
        store = Store(backend)
        found = [await store.outbox.get(f"sms-{i:04d}") for i in range(BURST)]
        return Counter(m.status for m in found if m is not None)
    finally:
        await backend.close()


async def start_server(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "--port",
        str(free_port()),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def until(condition: Callable[[], bool], timeout_s: float) -> None:
    for _ in range(int(timeout_s / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("timed out")


async def test_kill_9_in_a_burst_then_restart_sends_every_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ids = await seed(data_dir)
    tokens: list[str] = []
    delivered: list[str] = []
    async with twilio_server(tokens, delivered) as url:
        env = {key: value for key, value in os.environ.items() if not key.startswith("WALKY_")}
        env.update(
            WALKY_DATA_DIR=str(data_dir),
            WALKY_TWILIO_ACCOUNT_SID=ACCOUNT,
            WALKY_TWILIO_AUTH_TOKEN="twilio-secret",
            WALKY_TWILIO_FROM="+15550000000",
            WALKY_TWILIO_API_URL=url,
            WALKY_OUTBOX_LEASE_S="2",
            WALKY_LOG_LEVEL="warning",
        )
        first = await start_server(env)
        try:
            await until(lambda: len(tokens) >= BURST // 5, 60)
        finally:
            first.kill()
            await first.wait()
        assert len(set(tokens)) < BURST, "the burst ended before the kill"
        second = await start_server(env)
        try:
            await until(lambda: set(tokens) == set(ids), 60)
        finally:
            second.terminate()
            await second.wait()
    assert sorted(set(tokens)) == ids
    # The relay is at least once: only the batches under way at the kill (claimed, not yet settled; one
    # per relay loop) are requested again, with the same idempotency token, so each recipient gets its
    # SMS once.
    repeated = sum(count - 1 for count in Counter(tokens).values())
    assert repeated <= LOOPS * BATCH_SIZE
    assert sorted(delivered) == sorted(f"+1555{i:07d}" for i in range(BURST))
    assert await statuses(data_dir) == Counter({OutboxStatus.SENT: BURST})
