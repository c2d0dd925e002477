"""The live-location index port: where online workers are right now.

Two adapters implement it with identical behaviour (one contract test suite runs on both): Redis GEO
sets shared by every server process, and an in-process H3 cell index for the embedded default.

A worker is in the searchable index while they are online and have a position; they show up in
`nearby` only while also available and seen within `STALE_AFTER_MS`. "Seen" is the time of the newest
accepted fix (capped at the server's clock), so a worker who comes online with an hours-old position is
not dispatched from it. The sweeper takes workers unseen for that long out of the index; they come back
with their next fix.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple, Protocol

from app.domain.fixes import LiveFix
from geo.coordinates import LngLat

STALE_AFTER_MS = 5 * 60 * 1000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Redis GEO sets store Web Mercator geohashes, which end here; both adapters keep workers nearer the poles
# (their last fix still recorded) out of the searchable index, so they behave the same.
GEO_MAX_LAT = 85.05112878
# The last fix outlives a day without news only as long as a fix may be late (fixes.MAX_AGE_MS).
STATE_TTL_MS = 24 * 3600 * 1000


# Nearby pages for one area show the same workers' last-seen times until their next fix.
@lru_cache(maxsize=16_384)
def iso_ms(epoch_ms: int) -> str:
    """An epoch-ms time (what the index stores) in the contract's ISO-8601 form: the text `app.clock.iso`
    gives for that instant, by integer arithmetic alone (exact to the millisecond, where a float detour
    through `datetime.fromtimestamp` is not). On the nearby hot path (20 per page) `fromtimestamp` and
    `strftime` cost tens of microseconds each on a busy machine."""
    days, ms = divmod(epoch_ms, 86_400_000)
    day = date.fromordinal(_EPOCH_ORDINAL + days)
    seconds, millis = divmod(ms, 1000)
    hours, rest = divmod(seconds, 3600)
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{millis:03d}Z"


@dataclass(frozen=True, slots=True)
class WorkerLive:
    worker_id: str
    business_id: str | None
    online: bool
    available: bool
    last_fix: LiveFix | None
    last_seen_ms: int | None


# A flat tuple: a nearby page builds 20-30 of them, and a frozen dataclass (or a nested position tuple)
# costs several times as much to build; `position` is built only for the few who read it.
class NearbyWorker(NamedTuple):
    worker_id: str
    business_id: str | None
    lng: float
    lat: float
    distance_m: float
    last_seen_ms: int

    @property
    def position(self) -> LngLat:
        return LngLat(self.lng, self.lat)


# The order both adapters answer in: nearest first, ties by id.
NEAREST_FIRST = attrgetter("distance_m", "worker_id")


class FixRecorded(NamedTuple):
    """Outcome of `record_fix`: whether it became the live position, and the worker's availability."""

    stored: bool
    available: bool


class LiveIndex(Protocol):
    async def ping(self) -> None:
        """Raise when the index does not answer."""

    async def close(self) -> None: ...

    async def worker(self, worker_id: str) -> WorkerLive | None:
        """The worker's live state, or None if nothing is known (never seen, or expired)."""

    async def last_fix(self, worker_id: str) -> LiveFix | None:
        """The worker's newest accepted fix, for judging the next one. An adapter may answer from what
        this process recorded itself (the index's write still refuses anything older than it holds)."""

    async def record_fix(self, worker_id: str, business_id: str | None, fix: LiveFix, seen_ms: int) -> FixRecorded:
        """Make `fix` the live position unless a fix at least as new is already stored (another process
        may have won the race); index it when the worker is online."""

    async def set_presence(
        self, worker_id: str, business_id: str | None, *, online: bool | None, available: bool | None
    ) -> WorkerLive:
        """Change online/available (None leaves a flag as it is); going offline leaves the index."""

    async def nearby(
        self,
        center: LngLat,
        radius_m: float,
        *,
        limit: int,
        now_ms: int,
        business_ids: Collection[str] | None = None,
    ) -> list[NearbyWorker]:
        """Online, available workers seen within STALE_AFTER_MS and within `radius_m`, nearest first."""

    async def sweep(self, now_ms: int) -> int:
        """Take workers unseen for STALE_AFTER_MS out of the index; return how many."""

    async def online_count(self) -> int:
        """How many workers the index holds (online, with a position, not swept), for /metrics."""

    async def connections(self, worker_id: str, delta: int) -> int:
        """Add `delta` to the worker's count of open sockets (across processes) and return the count."""
