"""JobRunner: a Background loop that runs each due job once across every process sharing the store.

There is no job library here on purpose: the well-kept ones (APScheduler, arq, Celery beat) either need
Redis or a SQL job store that MongoDB does not fit, while the store's compare-and-set gives the one
guarantee needed (one runner per due job) on both SQLite and MongoDB.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from app.clock import Clock
from app.jobs.job import RETRY_AFTER, Job
from app.periodic import Periodic
from app.store.jobs import JobRepository

log = structlog.get_logger("walky.jobs")

TICK_S = 15.0


class JobRunner(Periodic):
    def __init__(self, records: JobRepository, clock: Clock, jobs: Sequence[Job], *, tick_s: float = TICK_S) -> None:
        # A first round at start: jobs missed while no process ran catch up at once.
        super().__init__("job-runner", tick_s, round_at_start=True)
        self._records = records
        self._clock = clock
        self._jobs = list(jobs)

    async def run_due_once(self) -> list[str]:
        """Run every job that is due and that this process wins; return their names (tests step with this)."""
        ran: list[str] = []
        for job in self._jobs:
            now = self._clock.now()
            await self._records.ensure(job.name, now)
            record = await self._records.claim(job.name, now, now + job.every)
            if record is None:
                continue
            try:
                await job.handler(record.last_run_at, now)
            except Exception as exc:
                log.exception("job failed", job=job.name)
                await self._records.failed(job.name, now + RETRY_AFTER, type(exc).__name__)
                continue
            await self._records.finished(job.name, now)
            ran.append(job.name)
        return ran

    async def _round(self) -> None:
        await self.run_due_once()
