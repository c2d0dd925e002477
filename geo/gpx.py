"""A walk as a GPX 1.1 document: one track with one segment, and its events as waypoints."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import gpxpy.gpx

from geo.coordinates import validate_lnglat
from geo.errors import GeoError
from geo.route_map import MapEvent

CREATOR = "Walky"
MAX_NAME_LENGTH = 200


class TrackPoint(NamedTuple):
    """A fix of the walk's track, in walking order."""

    lng: float
    lat: float
    time: datetime


def _utc(time: datetime) -> datetime:
    # GPX times are UTC ("Z"); a naive datetime is taken to be UTC already, as Walky stores them.
    return time.replace(tzinfo=UTC) if time.tzinfo is None else time.astimezone(UTC)


def _checked(lng: float, lat: float, path: str) -> tuple[float, float]:
    try:
        position = validate_lnglat(lng, lat)
    except GeoError as exc:
        raise GeoError(exc.reason, path) from exc
    return position.lng, position.lat


def route_gpx(track: Sequence[TrackPoint], events: Sequence[MapEvent], *, name: str) -> str:
    """GPX 1.1 text: the track as one segment, each event a waypoint named and typed by its kind.

    Raises :class:`GeoError` for positions out of range or a name longer than 200 characters.
    """
    if len(name) > MAX_NAME_LENGTH:
        raise GeoError(f"name must be at most {MAX_NAME_LENGTH} characters, got {len(name)}", "name")
    gpx = gpxpy.gpx.GPX()
    gpx.creator = CREATOR
    gpx.name = name
    gpx_track = gpxpy.gpx.GPXTrack(name=name)
    segment = gpxpy.gpx.GPXTrackSegment()
    for i, point in enumerate(track):
        lng, lat = _checked(point.lng, point.lat, f"track[{i}]")
        segment.points.append(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lng, time=_utc(point.time)))
    gpx_track.segments.append(segment)
    gpx.tracks.append(gpx_track)
    for i, event in enumerate(events):
        lng, lat = _checked(event.lng, event.lat, f"events[{i}]")
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=lat,
                longitude=lng,
                time=None if event.time is None else _utc(event.time),
                name=event.kind,
                type=event.kind,
            )
        )
    return gpx.to_xml(version="1.1")
