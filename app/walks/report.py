"""The report card: the walk's numbers and route, what happened on it, its photos and the walker's notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.domain.bookings import Booking, Walk
from app.walks.walk_events import WalkEvent, WalkEventType
from geo.trail import TrailPoint, summarize_walk


def live_walk(trail: Sequence[TrailPoint], booking: Booking, now: datetime) -> Walk:
    """The walk so far: distance over the cleaned trail, duration from start to `now`, a simplified route."""
    summary = summarize_walk(trail)
    started = booking.started_at or now
    return Walk(
        distance_m=round(summary.distance_m, 1),
        duration_s=max(0, int((now - started).total_seconds())),
        route=summary.route_geojson(),
        started_at=started,
        ended_at=now,
    )


def worker_notes(completion_notes: str | None, events: Sequence[WalkEvent]) -> str | None:
    """The notes the walker left at completion, then their `note` events, oldest first, one per line."""
    notes = [completion_notes] if completion_notes else []
    notes += [event.note for event in events if event.type is WalkEventType.NOTE and event.note]
    return "\n".join(notes) or None


def report_card(
    walk: Walk, events: Sequence[WalkEvent], photos: Sequence[dict[str, Any]], completion_notes: str | None
) -> dict[str, Any]:
    summary = walk.model_dump(mode="json", by_alias=True)
    return {
        "distanceM": summary["distanceM"],
        "durationS": summary["durationS"],
        "startedAt": summary["startedAt"],
        "endedAt": summary["endedAt"],
        "route": summary["route"],
        "events": [event.view() for event in events],
        "photos": list(photos),
        "workerNotes": worker_notes(completion_notes, events),
    }
