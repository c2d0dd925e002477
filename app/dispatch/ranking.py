"""Ranking dispatch candidates: pure functions, no I/O.

Order: distance first, then rating (higher first), then idle time (longer idle first).

Distance is compared in bands of `DISTANCE_BAND_M` (250 m): two walkers 310 m and 420 m from the pickup
are "as near" as each other, so the better rated one is offered first; without bands the two later
criteria would only ever break exact ties of a continuous distance. Rating is the reviews' average (0
while unrated). Idle time is how long since the walker's last booking ended: the newest slot end in
their schedule that is already past; a walker with no past slot on record counts as idle the longest.
Remaining ties go to the nearer walker, then the smaller id, so the choice is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

DISTANCE_BAND_M = 250.0


@dataclass(frozen=True, slots=True)
class Candidate:
    worker_id: str
    business_id: str
    distance_m: float
    rating: float
    # End of the walker's latest finished booking; None when none is on record.
    idle_since: datetime | None = None


def band(distance_m: float) -> int:
    return int(distance_m // DISTANCE_BAND_M)


def rank_key(candidate: Candidate) -> tuple[int, float, bool, float, float, str]:
    """Smaller is better."""
    idle_since = candidate.idle_since
    return (
        band(candidate.distance_m),
        -candidate.rating,
        idle_since is not None,
        idle_since.timestamp() if idle_since is not None else 0.0,
        candidate.distance_m,
        candidate.worker_id,
    )


def best(candidates: Iterable[Candidate]) -> Candidate | None:
    return min(candidates, key=rank_key, default=None)


def ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=rank_key)
