"""A periodic job: one stored record per job name, holding its schedule and lease. Pure.

`leaseUntil` is both the lease and the schedule: a runner claims a due job by moving it to
`now + every` with a compare-and-set, so one process runs it; if that process dies, the job is due
again one period later. `lastRunAt` is only set when a run finishes, and the next run covers
everything since then: a job catches up after downtime instead of skipping what it missed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.base import Entity, Timestamp


class JobRecord(Entity):
    """`id` is the job's name."""

    lease_until: Timestamp
    last_run_at: Timestamp | None = None
    runs: int = 0
    last_error: str | None = None


# Called with the window it covers: (end of the last finished run, or None the first time; now).
JobHandler = Callable[[datetime | None, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    handler: JobHandler


RETRY_AFTER = timedelta(seconds=30)
