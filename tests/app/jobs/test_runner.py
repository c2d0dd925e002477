from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.jobs.job import RETRY_AFTER, Job
from app.jobs.runner import JobRunner
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store
from tests.support.clocks import T0, MovableClock

EVERY = timedelta(minutes=1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    backend = SqliteBackend(tmp_path / "jobs.sqlite3")
    await backend.setup()
    try:
        yield Store(backend)
    finally:
        await backend.close()


class Recorder:
    def __init__(self, fail_first: int = 0) -> None:
        self.windows: list[tuple[datetime | None, datetime]] = []
        self.fail_first = fail_first

    async def __call__(self, since: datetime | None, now: datetime) -> None:
        self.windows.append((since, now))
        if len(self.windows) <= self.fail_first:
            raise RuntimeError("store away")


async def test_two_runners_on_one_store_run_a_due_job_once(store: Store) -> None:
    clock, work = MovableClock(), Recorder()
    runners = [JobRunner(store.jobs, clock, [Job("j", EVERY, work)]) for _ in range(4)]
    results = await asyncio.gather(*(runner.run_due_once() for runner in runners))
    assert sorted(results) == [[], [], [], ["j"]]
    assert work.windows == [(None, T0)]


async def test_a_job_runs_again_one_period_later_covering_the_gap(store: Store) -> None:
    clock, work = MovableClock(), Recorder()
    runner = JobRunner(store.jobs, clock, [Job("j", EVERY, work)])
    await runner.run_due_once()
    clock.advance(30)
    assert await runner.run_due_once() == []
    clock.advance(30)
    assert await runner.run_due_once() == ["j"]
    assert work.windows == [(None, T0), (T0, T0 + EVERY)]


async def test_after_downtime_the_next_run_covers_everything_missed(store: Store) -> None:
    clock, work = MovableClock(), Recorder()
    await JobRunner(store.jobs, clock, [Job("j", EVERY, work)]).run_due_once()
    clock.advance(3 * 3600)
    restarted = JobRunner(store.jobs, clock, [Job("j", EVERY, work)])
    await restarted.run_due_once()
    assert work.windows[-1] == (T0, T0 + timedelta(hours=3))


async def test_a_failed_run_is_retried_and_keeps_its_window(store: Store) -> None:
    clock, work = MovableClock(), Recorder(fail_first=1)
    runner = JobRunner(store.jobs, clock, [Job("j", EVERY, work)])
    assert await runner.run_due_once() == []
    record = await store.jobs.get("j")
    assert record is not None and record.last_error == "RuntimeError"
    clock.advance(RETRY_AFTER.total_seconds())
    assert await runner.run_due_once() == ["j"]
    assert work.windows[-1] == (None, T0 + RETRY_AFTER)
