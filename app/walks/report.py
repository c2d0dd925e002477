"""The report card: the walk's numbers and route, what happened on it, its photos and the walker's notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from app.domain.bookings import Booking, Walk
from app.walks.walk_events import WalkEvent, WalkEventType
from geo.distance import round_dm
from geo.gpx import TrackPoint
from geo.route_map import MapEvent
from geo.trail import TrailPoint, WalkSummary, filter_trail, summarize_walk


def live_walk(trail: Sequence[TrailPoint], booking: Booking, now: datetime) -> Walk:
    """The walk so far: distance over the cleaned trail, duration from start to `now`, a simplified route.

    The whole trail is cleaned (what completion stores); a walk in progress is reported from
    `LiveSummaries`, through `walk_so_far`.
    """
    return walk_so_far(summarize_walk(trail), booking, now)


def walk_so_far(summary: WalkSummary, booking: Booking, now: datetime) -> Walk:
    """The walk from a summary of its trail so far, with the duration from start to `now`."""
    started = booking.started_at or now
    return Walk(
        distance_m=round_dm(summary.distance_m),
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


def map_events(events: Sequence[WalkEvent]) -> list[MapEvent]:
    """The events that have a place, for the map and the GPX waypoints."""
    return [
        MapEvent(event.type.value, event.coordinates[0], event.coordinates[1], event.at)
        for event in events
        if event.coordinates is not None
    ]


def track(trail: Sequence[TrailPoint]) -> list[TrackPoint]:
    """The cleaned trail with each fix's time, in walking order (what a GPX track holds)."""
    return [
        TrackPoint(point.position.lng, point.position.lat, datetime.fromtimestamp(point.timestamp_ms / 1000, tz=UTC))
        for point in filter_trail(trail)
    ]
