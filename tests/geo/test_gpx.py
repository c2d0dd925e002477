from datetime import UTC, datetime, timedelta, timezone

import gpxpy
import pytest

from geo import GeoError
from geo.gpx import TrackPoint, route_gpx
from geo.route_map import MapEvent

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def test_track_and_events_round_trip_through_gpxpy() -> None:
    track = [TrackPoint(-0.1657 + i * 1e-5, 51.5073, T0 + timedelta(seconds=i)) for i in range(100)]
    events = [MapEvent("pee", -0.1650, 51.5074, T0 + timedelta(seconds=30)), MapEvent("photo", -0.1649, 51.5075)]
    text = route_gpx(track, events, name="Rex & Bella's <walk>")
    assert 'version="1.1"' in text
    parsed = gpxpy.parse(text)
    assert parsed.version == "1.1"
    assert parsed.creator == "Walky"
    assert parsed.name == "Rex & Bella's <walk>"
    (gpx_track,) = parsed.tracks
    (segment,) = gpx_track.segments
    assert len(segment.points) == 100
    first, last = segment.points[0], segment.points[-1]
    assert first.longitude == pytest.approx(-0.1657)
    assert first.latitude == pytest.approx(51.5073)
    assert first.time == T0
    assert last.time == T0 + timedelta(seconds=99)
    assert [(w.name, w.type) for w in parsed.waypoints] == [("pee", "pee"), ("photo", "photo")]
    assert parsed.waypoints[0].time == T0 + timedelta(seconds=30)
    assert parsed.waypoints[1].time is None
    assert (parsed.waypoints[1].longitude, parsed.waypoints[1].latitude) == (-0.1649, 51.5075)


def test_times_are_written_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    track = [
        TrackPoint(2.35, 48.85, datetime(2026, 1, 1, 10, 0, tzinfo=paris)),
        TrackPoint(2.35, 48.85, datetime(2026, 1, 1, 9, 0, 1)),
    ]
    (point_a, point_b) = gpxpy.parse(route_gpx(track, [], name="w")).tracks[0].segments[0].points
    assert point_a.time == T0
    assert point_b.time == T0 + timedelta(seconds=1)


def test_empty_walk_is_a_valid_document() -> None:
    parsed = gpxpy.parse(route_gpx([], [], name=""))
    assert [len(t.segments[0].points) for t in parsed.tracks] == [0]
    assert parsed.waypoints == []


def test_bad_input_is_refused() -> None:
    with pytest.raises(GeoError) as caught:
        route_gpx([TrackPoint(0.0, 95.0, T0)], [], name="w")
    assert caught.value.path == "track[0]"
    with pytest.raises(GeoError) as caught:
        route_gpx([], [MapEvent("pee", float("inf"), 0.0)], name="w")
    assert caught.value.path == "events[0]"
    with pytest.raises(GeoError, match="at most 200"):
        route_gpx([], [], name="x" * 201)
