"""Live-location index in Redis, shared by every server process.

Keys (all under the configured prefix):
- `live:geo`    GEO set of indexed workers: online, available, with a position, not swept.
- `live:seen`   sorted set, the same members scored by last-seen epoch ms (what the sweeper scans).
- `live:where`  hash, the same members -> "lng lat business" of their last fix (exact, where the GEO set
                holds a 52-bit geohash), so nearby reads every candidate in one call. A fix writes its
                coordinates as hex floats (`float.hex`): parsed in a quarter of the time of decimal text,
                40 times a page. A presence change copies the fix's own decimal ones; both parse.
- `live:w:{id}` hash per worker: last accepted fix (`lng`, `lat`, `ts`, `acc`), `seen`, `biz`, `on`,
                `av`; expires a day after its last write.
- `live:conn`   hash worker id -> open sockets across processes.

Each write is one Lua script, so "only a newer fix replaces the stored one" and "index only while
online and available" hold even when two processes race. Every command goes through the pipeline coalescer.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Collection, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from app.domain.fixes import LiveFix
from app.live import resp
from app.live.coalescer import PipelineCoalescer, Stage
from app.live.live_index import (
    GEO_MAX_LAT,
    NEAREST_FIRST,
    STALE_AFTER_MS,
    STATE_TTL_MS,
    FixRecorded,
    NearbyWorker,
    WorkerLive,
)
from app.live.redis_live_scripts import Script
from geo.coordinates import LngLat
from geo.distance import distances_from, haversine_m

# Redis measures on a sphere of radius 6372797.56 m, ours is 6371008.8 m: search slightly wider and
# filter by our own distance so both adapters agree on who is inside the radius.
_RADIUS_SLACK = 1.001
_SWEEP_CHUNK = 1000
# The nearby script's first circle, as a share of the radius asked for: 1/256 of the area to scan, and
# widened by what it held (rarely more than twice; see the NEARBY script).
START_RADIUS_SHARE = 1 / 16


# NamedTuple's generated __new__ is Python code; tuple's builds the same tuple in C at half the cost.
_tuple = tuple.__new__


def _degrees(text: str) -> float:
    """A coordinate from `live:where`: hex as a fix writes it, or decimal as a presence change copies it."""
    return float.fromhex(text) if "x" in text else float(text)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _staged(packed: bytes) -> Stage:
    """The stage of an operation of one command, packed up front."""
    return lambda: (packed, 1)


def _text(raw: object) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _state(worker_id: str, fields: dict[str, str]) -> WorkerLive:
    fix = None
    if "ts" in fields:
        accuracy = fields.get("acc", "")
        fix = LiveFix(
            LngLat(float(fields["lng"]), float(fields["lat"])),
            int(fields["ts"]),
            float(accuracy) if accuracy else None,
        )
    return WorkerLive(
        worker_id=worker_id,
        business_id=fields.get("biz") or None,
        online=fields.get("on") == "1",
        available=fields.get("av") == "1",
        last_fix=fix,
        last_seen_ms=int(fields["seen"]) if "seen" in fields else None,
    )


# How long a fix this process stored stands in for a read of the index.
RECENT_FIX_TTL_S = 30.0
# Fixes in one FIXES call: bounds the script's run (Redis serves nothing else meanwhile).
MAX_FIXES_PER_CALL = 500


class _FixBatch:
    """Fixes that leave together as one FIXES call. Open until its pipeline is built (`stage`); fixes
    arriving after that start the next batch."""

    def __init__(self, coalescer: PipelineCoalescer, sha: str, head: Sequence[str | int], first: bytes) -> None:
        self._sha = sha
        self._head = head
        self._bulks: list[bytes] = [first]
        self._count = 1
        self.sealed = False
        # Never empty when staged: the first fix comes with the batch.
        self.replies: asyncio.Future[list[Any]] = coalescer.submit(self.stage)

    def open(self) -> bool:
        """Whether a fix may still join. A batch whose operation failed before its pipeline was built
        (Redis unreachable) is never staged, so it is closed by its failure, not only by `stage`."""
        return not self.sealed and not self.replies.done() and self._count < MAX_FIXES_PER_CALL

    def add(self, fields: bytes) -> int:
        """Add one fix's FIXES arguments (packed); return its position in the reply."""
        self._bulks.append(fields)
        self._count += 1
        return self._count - 1

    def stage(self) -> tuple[bytes, int]:
        self.sealed = True
        words = ["EVALSHA", self._sha, 3, *self._head]
        bulks = b"".join(resp.bulk(word) for word in words) + b"".join(self._bulks)
        return resp.command_of(len(words) + 8 * self._count, bulks), 1


class RedisLiveIndex:
    def __init__(self, redis: Redis, key_prefix: str = "walky:") -> None:
        self.redis = redis
        self.prefix = key_prefix
        self.coalescer = PipelineCoalescer(redis)
        self._geo = f"{key_prefix}live:geo"
        self._seen = f"{key_prefix}live:seen"
        self._where = f"{key_prefix}live:where"
        self._conn = f"{key_prefix}live:conn"
        self._shas: dict[Script, str] = {}
        # The last fix this process stored per worker: a worker's socket lives in one process, so its
        # next fix is judged without a round trip. Bounded in age; the FIXES script still refuses older fixes.
        self._recent: dict[str, tuple[LiveFix, float]] = {}
        # Fixes gathering for the next pipeline: one FIXES call carries all of them.
        self._open_fixes: _FixBatch | None = None
        self._fixes_head: list[str | int] = [
            self._geo,
            self._seen,
            self._where,
            f"{key_prefix}live:w:",
            STATE_TTL_MS,
            repr(GEO_MAX_LAT),
        ]

    def _meta(self, worker_id: str) -> str:
        return f"{self.prefix}live:w:{worker_id}"

    async def ping(self) -> None:
        # Through the coalescer: its own connection is the one every fix uses.
        [reply] = await self.coalescer.run(_staged(resp.command("PING")))
        if isinstance(reply, Exception):
            raise reply

    async def close(self) -> None:
        await self.coalescer.close()

    async def _run(self, script: Script, keys: Sequence[str], args: Sequence[str | int | float]) -> Any:
        # Scripts are loaded once and then sent by hash; after a Redis restart the cache is empty
        # (NOSCRIPT), so load again and retry once.
        words = [str(len(keys)), *keys, *(str(arg) for arg in args)]
        for attempt in range(2):
            sha = self._shas.get(script) or await self._load(script)
            packed = resp.command_of(len(words) + 2, resp.bulks("EVALSHA", sha, *words))
            [reply] = await self.coalescer.run(_staged(packed))
            if isinstance(reply, NoScriptError) and attempt == 0:
                self._shas.pop(script, None)
                continue
            if isinstance(reply, Exception):
                raise reply
            return reply
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def _load(self, script: Script) -> str:
        sha = self._shas[script] = _text(await self.redis.script_load(script.value))
        return sha

    async def worker(self, worker_id: str) -> WorkerLive | None:
        [reply] = await self.coalescer.run(_staged(resp.command("HGETALL", self._meta(worker_id))))
        if isinstance(reply, Exception):
            raise reply
        if not reply:
            return None
        texts = [_text(item) for item in reply]
        return _state(worker_id, dict(zip(texts[::2], texts[1::2], strict=True)))

    async def last_fix(self, worker_id: str) -> LiveFix | None:
        recent = self._recent.get(worker_id)
        if recent is not None and time.monotonic() - recent[1] < RECENT_FIX_TTL_S:
            return recent[0]
        state = await self.worker(worker_id)
        fix = state.last_fix if state else None
        if fix is not None:
            self._recent[worker_id] = (fix, time.monotonic())
        return fix

    async def record_fix(self, worker_id: str, business_id: str | None, fix: LiveFix, seen_ms: int) -> FixRecorded:
        lng, lat, biz = fix.position.lng, fix.position.lat, business_id or ""
        fields = resp.bulks(
            worker_id,
            repr(lng),
            repr(lat),
            str(fix.timestamp_ms),
            "" if fix.accuracy_m is None else repr(fix.accuracy_m),
            biz,
            str(seen_ms),
            # float(): a position may hold ints (`LngLat(2, 48)`), which have no `hex`.
            f"{float(lng).hex()} {float(lat).hex()} {biz}",
        )
        for attempt in range(2):
            batch = self._open_fixes
            if batch is None or not batch.open():
                sha = self._shas.get(Script.FIXES) or await self._load(Script.FIXES)
                batch = self._open_fixes = _FixBatch(self.coalescer, sha, self._fixes_head, fields)
                position = 0
            else:
                position = batch.add(fields)
            [reply] = await batch.replies
            if isinstance(reply, NoScriptError) and attempt == 0:
                self._shas.pop(Script.FIXES, None)
                continue
            if isinstance(reply, Exception):
                raise reply
            stored, available = reply[2 * position], reply[2 * position + 1]
            if stored:
                self._recent[worker_id] = (fix, time.monotonic())
            else:
                # Another process holds a newer fix: read it next time.
                self._recent.pop(worker_id, None)
            return FixRecorded(stored=bool(stored), available=bool(available))
        raise AssertionError("unreachable: the second attempt returns or raises")

    async def set_presence(
        self, worker_id: str, business_id: str | None, *, online: bool | None, available: bool | None
    ) -> WorkerLive:
        flat = await self._run(
            Script.PRESENCE,
            [self._meta(worker_id), self._geo, self._seen, self._where],
            [worker_id, business_id or "", _flag(online), _flag(available), STATE_TTL_MS, repr(GEO_MAX_LAT)],
        )
        texts = [_text(item) for item in flat]
        return _state(worker_id, dict(zip(texts[::2], texts[1::2], strict=True)))

    async def nearby(
        self,
        center: LngLat,
        radius_m: float,
        *,
        limit: int,
        now_ms: int,
        business_ids: Collection[str] | None = None,
    ) -> list[NearbyWorker]:
        if business_ids is not None and not business_ids:
            return []
        # GEOSEARCH refuses centres beyond the Mercator limit: search from the nearest valid centre, wider
        # by the distance moved (triangle inequality), and let the exact filter below decide.
        origin = LngLat(center.lng, max(-GEO_MAX_LAT, min(GEO_MAX_LAT, center.lat)))
        search_radius = (radius_m + haversine_m(center, origin)) * _RADIUS_SLACK + 1
        # The script filters as it goes and asks for more when too few pass: `limit` candidates suffice.
        count = script_limit = limit
        start_radius = search_radius * START_RADIUS_SHARE
        if origin != center:
            # Nearest to the moved centre is not nearest to the real one: take more of the circle, sort here.
            count = script_limit = max(2 * limit, 16)
            start_radius = search_radius
        business_args = ["1", *sorted(business_ids)] if business_ids is not None else ["0"]
        reply = await self._run(
            Script.NEARBY,
            [self._geo, self._seen, self._where],
            # Cheaper texts than `repr` (the shortest exact one costs a big-number conversion each): the
            # centre to 1e-8 degrees (~1 mm, within the metre of slack; GEO_MAX_LAT has 8 decimals, so a
            # clamped latitude stays valid) and the radii in whole metres, rounded up.
            [
                f"{origin.lng:.8f}",
                f"{origin.lat:.8f}",
                math.ceil(search_radius),
                count,
                script_limit,
                now_ms - STALE_AFTER_MS,
                math.ceil(start_radius),
                *business_args,
            ],
        )
        # At most `limit` candidates, nearest first, widened by the script as needed; Redis measures on a
        # slightly larger sphere, so the exact radius is ours. The order agrees (same formula, a constant
        # factor apart), so whoever falls outside it has no nearer worker left behind.
        distance_m = distances_from(center)
        found: list[NearbyWorker] = []
        for entry in reply:
            worker_id, seen, lng_text, lat_text, biz = entry.decode().split(" ", 4)
            lng, lat = _degrees(lng_text), _degrees(lat_text)
            distance = distance_m(lng, lat)
            if distance <= radius_m:
                found.append(_tuple(NearbyWorker, (worker_id, biz or None, lng, lat, distance, int(seen))))
        found.sort(key=NEAREST_FIRST)
        return found[:limit]

    async def sweep(self, now_ms: int) -> int:
        horizon = time.monotonic() - RECENT_FIX_TTL_S
        self._recent = {worker_id: entry for worker_id, entry in self._recent.items() if entry[1] >= horizon}
        total = 0
        while True:
            cutoff = now_ms - STALE_AFTER_MS
            removed = int(await self._run(Script.SWEEP, [self._geo, self._seen, self._where], [cutoff, _SWEEP_CHUNK]))
            total += removed
            if removed < _SWEEP_CHUNK:
                return total

    async def online_count(self) -> int:
        return int(await self.redis.zcard(self._seen))

    async def connections(self, worker_id: str, delta: int) -> int:
        return int(await self._run(Script.CONNECTIONS, [self._conn], [worker_id, delta]))
