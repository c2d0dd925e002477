"""Payment settlements that failed are tried again by a job, with backoff, until they go through."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.payment_events import Intent
from app.domain.payments import SETTLE_MAX_ATTEMPTS, next_settlement_try
from app.errors import Unavailable
from app.payments.offline_gateway import OfflineGateway
from app.settings import Settings
from app.store.schema import OFFLINE_PAYMENTS
from app.usecases.scheduled import retry_settlements, scheduled_jobs
from tests.app.payments_world import Env, payments_env


@dataclass
class FlakyGateway(OfflineGateway):
    """The offline gateway, unreachable for its first `capture_failures` captures."""

    capture_failures: int = 0

    async def capture(
        self, intent_id: str, booking_id: str, *, amount_to_capture: int | None, application_fee: int | None
    ) -> Intent:
        if self.capture_failures > 0:
            self.capture_failures -= 1
            raise Unavailable("the payment provider did not answer")
        return await super().capture(
            intent_id, booking_id, amount_to_capture=amount_to_capture, application_fee=application_fee
        )


def waits(retry_at: datetime | None, env: Env) -> int:
    """Seconds until the next try (stored times have millisecond precision)."""
    assert retry_at is not None
    return round((retry_at - env.clock.now()).total_seconds())


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[Env]:
    async with payments_env(settings) as env:
        gateway = FlakyGateway(journal=env.services.store.backend.collection(OFFLINE_PAYMENTS), capture_failures=2)
        await gateway.start()
        env.services.payment_gateway = gateway
        yield env


async def test_a_failed_capture_is_retried_with_backoff_until_it_goes_through(env: Env) -> None:
    booking = await env.book(hours_ahead=0.5)
    assert (await env.pay(booking["id"])).status_code == 200
    await env.walk(booking["id"])
    payments = env.services.store.payments
    failed = await payments.for_booking(booking["id"])
    assert failed is not None
    assert (failed.captured_amount, failed.settle_attempts) == (0, 1)
    assert failed.last_error == "on completed: the payment provider did not answer"
    assert waits(failed.settle_retry_at, env) == 60

    assert await retry_settlements(env.services, env.clock.now()) == 0
    env.clock.advance(timedelta(minutes=1))
    assert await retry_settlements(env.services, env.clock.now()) == 0
    again = await payments.for_booking(booking["id"])
    assert again is not None
    assert (again.captured_amount, again.settle_attempts) == (0, 2)
    assert waits(again.settle_retry_at, env) == 120

    env.clock.advance(timedelta(minutes=2))
    assert await retry_settlements(env.services, env.clock.now()) == 1
    settled = await payments.for_booking(booking["id"])
    assert settled is not None
    assert (settled.captured_amount, settled.last_error, settled.settle_attempts, settled.settle_retry_at) == (
        2000,
        None,
        0,
        None,
    )
    assert "payment.captured" in await env.notification_types(env.world.owner_headers)
    env.clock.advance(timedelta(hours=1))
    assert await retry_settlements(env.services, env.clock.now()) == 0


def test_the_job_runs_every_minute_on_the_job_runner(env: Env) -> None:
    jobs = {job.name: job for job in scheduled_jobs(env.services)}
    assert jobs["payments.settlements"].every == timedelta(minutes=1)


def test_settlement_backoff_doubles_is_capped_and_stops() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert next_settlement_try(1, now) == now + timedelta(minutes=1)
    assert next_settlement_try(3, now) == now + timedelta(minutes=4)
    assert next_settlement_try(SETTLE_MAX_ATTEMPTS - 1, now) == now + timedelta(minutes=256)
    assert next_settlement_try(SETTLE_MAX_ATTEMPTS, now) is None
