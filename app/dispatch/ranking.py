"""Ranking dispatch candidates: pure functions, no I/O.

Order: distance first, then rating (higher first), then idle time (longer idle first).

Distance is compared in bands of `DISTANCE_BAND_M` (250 m): two walkers 310 m and 420 m from the pickup
are "as near" as each other, so the better rated one is offered first; without bands the two later
criteria would only ever break exact ties of a continuous distance. Rating is the reviews' average (0
while unrated). Idle time is how long since the walker's last booking ended: the newest slot end in
their schedule that is already past; a walker with no past slot on record counts as idle the longest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

DISTANCE_BAND_M = 250.0


@dataclass(frozen=True, slots=True)
class Candidate:
    worker_id: str
    business_id: str
    distance_m: float
    rating: float


def band(distance_m: float) -> int:
    return int(distance_m // DISTANCE_BAND_M)


def rank_key(candidate: Candidate) -> tuple[int, float]:
    """What orders candidates before idle time is known (idle time needs each walker's schedule)."""
    return band(candidate.distance_m), -candidate.rating


def tie_groups(candidates: Sequence[Candidate]) -> Iterator[list[Candidate]]:
    """Candidates in rank order, grouped by equal `rank_key`: only within a group does idle time decide."""
    ordered = sorted(candidates, key=lambda c: (rank_key(c), c.distance_m, c.worker_id))
    group: list[Candidate] = []
    for candidate in ordered:
        if group and rank_key(group[0]) != rank_key(candidate):
            yield group
            group = []
        group.append(candidate)
    if group:
        yield group


def idlest(group: Sequence[tuple[Candidate, datetime | None]]) -> Candidate:
    """The candidate idle the longest (None: no past booking on record, the longest of all); then the
    nearer, then by id so the choice is deterministic."""

    def key(item: tuple[Candidate, datetime | None]) -> tuple[bool, float, float, str]:
        candidate, idle_since = item
        return (
            idle_since is not None,
            idle_since.timestamp() if idle_since is not None else 0.0,
            candidate.distance_m,
            candidate.worker_id,
        )

    return min(group, key=key)[0]
