"""The ingestion use case: every location fix, from `location:update`, `location:batch` or
`PUT /v1/workers/{id}/location`, goes through `ingest`.

Hot path: judge each fix against the worker's last accepted one (from this process's memory when it
stored it, else one index read), write the newest accepted fix to the live index (one coalesced write),
then run the `fix_hooks` (fleet fan-out, the walk trail and `tracking:location`). No database query.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from app.auth.principal import Principal
from app.clock import Clock
from app.clock import now_ms as clock_ms
from app.domain.fixes import REFUSED, AcceptedFixes, FixHook, LiveFix, Verdict, judge
from app.domain.users import Role
from app.errors import Forbidden, Unavailable, ValidationFailed
from app.live.active_walks import ActiveWalks
from app.live.live_index import LiveIndex
from app.metrics import Metrics
from app.usecases.inputs import Output
from app.usecases.live.fix_inputs import FixFields, FixInput, RestFixInput
from app.usecases.live.keyed_lock import KeyedLock


class IngestionPorts(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def live_index(self) -> LiveIndex: ...

    @property
    def active_walks(self) -> ActiveWalks: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def fix_hooks(self) -> Sequence[FixHook]:
        """Run after each call that accepted fixes (fleet fan-out; walk trails with bookings)."""


class IngestResult(Output):
    accepted: int


# One worker's fixes are judged one call at a time in this process, so "newer than the last accepted fix"
# and the speed check see each other's results. Across processes the index's write is the guard.
_worker_locks = KeyedLock()


def sending_worker(principal: Principal, claimed_worker_id: str | None = None) -> str:
    """The worker a fix is for: always the token's; a different claimed id is refused."""
    if principal.role is not Role.WORKER or not principal.worker_id:
        raise Forbidden("only workers send location fixes")
    if claimed_worker_id is not None and claimed_worker_id != principal.worker_id:
        raise Forbidden("a worker sends only their own location")
    return principal.worker_id


async def ingest(
    ports: IngestionPorts, principal: Principal, fixes: Sequence[FixFields], *, refuse_unusable: bool = False
) -> int:
    """Accept what is usable of `fixes` (oldest first) and return how many were accepted. With
    `refuse_unusable` (a single update), a fix outside the time window or too inaccurate is a
    VALIDATION_ERROR instead of silently not accepted."""
    arrived = time.perf_counter()
    worker_id = sending_worker(principal)
    for item in fixes:
        if item.worker_id is not None:
            sending_worker(principal, item.worker_id)
    if not ports.active_walks.loaded:
        # Redis was away when this process started: a fix accepted now would miss its walk's trail.
        raise Unavailable("the active-walk table is not loaded yet")
    now_ms = clock_ms(ports.clock)
    outcomes = ports.metrics.location_fixes
    verdicts: dict[Verdict, int] = {}
    accepted: list[LiveFix] = []
    booking_ids: list[str | None] = []
    available = False
    await _worker_locks.acquire(worker_id)
    try:
        last: LiveFix | None = await ports.live_index.last_fix(worker_id)
        for item in fixes:
            fix = item.to_fix()
            verdict = judge(fix, last, now_ms)
            if verdict is Verdict.ACCEPTED:
                accepted.append(fix)
                booking_ids.append(item.booking_id)
                last = fix
            elif refuse_unusable and verdict in REFUSED:
                outcomes.add(verdict)
                field, reason = REFUSED[verdict]
                raise ValidationFailed(reason, [{"field": field, "message": reason}])
            else:
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
        if accepted:
            newest = accepted[-1]
            recorded = await ports.live_index.record_fix(
                worker_id, principal.business_id, newest, min(newest.timestamp_ms, now_ms)
            )
            available = recorded.available
            if not recorded.stored:
                # Another process stored a newer fix meanwhile: ours would have moved the worker back.
                verdicts[Verdict.OUT_OF_ORDER] = verdicts.get(Verdict.OUT_OF_ORDER, 0) + len(accepted)
                accepted = []
    finally:
        _worker_locks.release(worker_id)
    for verdict, count in verdicts.items():
        outcomes.add(verdict, count)
    if accepted:
        outcomes.add(Verdict.ACCEPTED, len(accepted))
        batch = AcceptedFixes(
            worker_id=worker_id,
            business_id=principal.business_id,
            fixes=accepted,
            booking_ids=booking_ids,
            available=available,
        )
        for hook in ports.fix_hooks:
            await hook(batch)
        ports.metrics.fix_fanout.observe(time.perf_counter() - arrived)
    return len(accepted)


async def report_location(
    ports: IngestionPorts, principal: Principal, worker_id: str, body: RestFixInput
) -> IngestResult:
    """`PUT /v1/workers/{id}/location`: one fix over REST; without a timestamp it is taken now."""
    sending_worker(principal, worker_id)
    timestamp = body.timestamp if body.timestamp is not None else clock_ms(ports.clock)
    fix = FixInput(coordinates=body.coordinates, timestamp=timestamp, accuracy=body.accuracy, worker_id=worker_id)
    return IngestResult(accepted=await ingest(ports, principal, [fix], refuse_unusable=True))
