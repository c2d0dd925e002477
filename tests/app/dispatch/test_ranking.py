"""Ranking is pure: distance band, then rating, then idle time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.dispatch.ranking import DISTANCE_BAND_M, Candidate, band, best, ranked

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def c(worker_id: str, distance_m: float, rating: float = 0.0, idle_since: datetime | None = None) -> Candidate:
    return Candidate(worker_id, "biz", distance_m, rating, idle_since)


def test_bands() -> None:
    assert band(0) == band(DISTANCE_BAND_M - 0.1) == 0
    assert band(DISTANCE_BAND_M) == 1


def test_distance_band_then_rating_then_idle_time() -> None:
    order = ranked(
        [
            c("far-star", 900, 5.0),
            c("near-ok", 50, 3.0, NOW - timedelta(minutes=5)),
            c("near-best", 200, 4.5),
            c("near-ok-idler", 120, 3.0, NOW - timedelta(hours=2)),
            c("near-ok-fresh", 10, 3.0, None),
        ]
    )
    assert [x.worker_id for x in order] == ["near-best", "near-ok-fresh", "near-ok-idler", "near-ok", "far-star"]


def test_remaining_ties_go_to_the_nearer_then_by_id() -> None:
    assert best([c("b", 100), c("a", 100), c("z", 90)]) == c("z", 90)
    assert best([c("b", 100), c("a", 100)]) == c("a", 100)
    assert best([]) is None
