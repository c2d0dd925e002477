"""In-process live-location index for the embedded default: H3 cells bucket the online workers.

A nearby search visits either the cells covering the search disk or the occupied cells, whichever list
is shorter, then measures exact great-circle distances. Behaviour matches the Redis adapter (the same
contract tests run on both). Unlike Redis keys, states do not expire: there is one per worker of the
marketplace, which bounds them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import replace

from app.domain.fixes import LiveFix
from app.live.live_index import GEO_MAX_LAT, NEAREST_FIRST, STALE_AFTER_MS, FixRecorded, NearbyWorker, WorkerLive
from geo.cells import cell_of, cells_covering_disk
from geo.coordinates import LngLat
from geo.distance import haversine_m
from geo.errors import GeoError

# ~200 m cells: a 1 km search looks at ~23 km² of cells instead of ~190 km² at resolution 7, which is
# what dominates dispatch latency with 100,000 walkers in a metro area.
CELL_RES = 9


class MemoryLiveIndex:
    def __init__(self) -> None:
        self._states: dict[str, WorkerLive] = {}
        # Only indexed (online, positioned, not swept) workers are in these two.
        self._cells: defaultdict[str, set[str]] = defaultdict(set)
        self._cell_of: dict[str, str] = {}
        self._connections: dict[str, int] = {}

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def _put(self, state: WorkerLive) -> None:
        self._states[state.worker_id] = state
        if state.online and state.last_fix is not None and abs(state.last_fix.position.lat) <= GEO_MAX_LAT:
            self._index(state.worker_id, state.last_fix.position)
        else:
            self._unindex(state.worker_id)

    def _index(self, worker_id: str, position: LngLat) -> None:
        cell = cell_of(position, CELL_RES)
        previous = self._cell_of.get(worker_id)
        if previous == cell:
            return
        self._unindex(worker_id)
        self._cells[cell].add(worker_id)
        self._cell_of[worker_id] = cell

    def _unindex(self, worker_id: str) -> None:
        cell = self._cell_of.pop(worker_id, None)
        if cell is None:
            return
        members = self._cells[cell]
        members.discard(worker_id)
        if not members:
            del self._cells[cell]

    async def worker(self, worker_id: str) -> WorkerLive | None:
        return self._states.get(worker_id)

    async def last_fix(self, worker_id: str) -> LiveFix | None:
        state = self._states.get(worker_id)
        return state.last_fix if state else None

    async def record_fix(self, worker_id: str, business_id: str | None, fix: LiveFix, seen_ms: int) -> FixRecorded:
        state = self._states.get(worker_id) or WorkerLive(worker_id, business_id, False, False, None, None)
        if state.last_fix is not None and state.last_fix.timestamp_ms >= fix.timestamp_ms:
            return FixRecorded(stored=False, available=state.available)
        state = replace(state, business_id=business_id, last_fix=fix, last_seen_ms=seen_ms)
        self._put(state)
        return FixRecorded(stored=True, available=state.available)

    async def set_presence(
        self, worker_id: str, business_id: str | None, *, online: bool | None, available: bool | None
    ) -> WorkerLive:
        state = self._states.get(worker_id) or WorkerLive(worker_id, business_id, False, False, None, None)
        state = replace(
            state,
            business_id=business_id if business_id is not None else state.business_id,
            online=state.online if online is None else online,
            available=state.available if available is None else available,
        )
        self._put(state)
        return state

    async def nearby(
        self,
        center: LngLat,
        radius_m: float,
        *,
        limit: int,
        now_ms: int,
        business_ids: Collection[str] | None = None,
    ) -> list[NearbyWorker]:
        try:
            covering = cells_covering_disk(center, radius_m, CELL_RES)
        except GeoError:
            # Too many fine cells for a wide disk: scanning the occupied cells is cheaper anyway.
            covering = list(self._cells)
        cells = [c for c in covering if c in self._cells] if len(covering) < len(self._cells) else list(self._cells)
        allowed = set(business_ids) if business_ids is not None else None
        found: list[NearbyWorker] = []
        for cell in cells:
            for worker_id in self._cells[cell]:
                state = self._states[worker_id]
                if state.last_fix is None or state.last_seen_ms is None:
                    continue
                if not state.available or state.last_seen_ms < now_ms - STALE_AFTER_MS:
                    continue
                if allowed is not None and state.business_id not in allowed:
                    continue
                distance = haversine_m(center, state.last_fix.position)
                if distance <= radius_m:
                    (lng, lat), seen = state.last_fix.position, state.last_seen_ms
                    found.append(NearbyWorker(worker_id, state.business_id, lng, lat, distance, seen))
        found.sort(key=NEAREST_FIRST)
        return found[:limit]

    async def sweep(self, now_ms: int) -> int:
        stale = [
            worker_id
            for worker_id in self._cell_of
            if (self._states[worker_id].last_seen_ms or 0) < now_ms - STALE_AFTER_MS
        ]
        for worker_id in stale:
            self._unindex(worker_id)
        return len(stale)

    async def online_count(self) -> int:
        return len(self._cell_of)

    async def connections(self, worker_id: str, delta: int) -> int:
        count = max(0, self._connections.get(worker_id, 0) + delta)
        if count:
            self._connections[worker_id] = count
        else:
            self._connections.pop(worker_id, None)
        return count
