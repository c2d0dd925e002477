import itertools
import math
import random

import pytest

from geo import (
    GeoError,
    LngLat,
    TrailPoint,
    WalkSummary,
    destination,
    filter_trail,
    haversine_m,
    implied_speed_mps,
    path_length_m,
    simplify_route,
    speed_beyond_accuracy_mps,
    summarize_walk,
)

PARK = LngLat(-0.1657, 51.5073)
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _jittered(rng: random.Random, p: LngLat, sigma_m: float) -> LngLat:
    east, north = rng.gauss(0, sigma_m), rng.gauss(0, sigma_m)
    return destination(p, math.degrees(math.atan2(east, north)) % 360, math.hypot(east, north))


def _walk(
    legs: list[tuple[float, float]],
    *,
    seed: int,
    speed_mps: float = 1.4,
    every_s: int = 3,
    sigma_m: float = 3.0,
    accuracy_m: float | None = 5.0,
    start: LngLat = PARK,
) -> tuple[list[TrailPoint], float]:
    """Fixes along a polyline of (bearing, length) legs, with Gaussian GPS noise; also the true length."""
    rng = random.Random(seed)
    corners = [start]
    for bearing, length in legs:
        corners.append(destination(corners[-1], bearing, length))
    points = []
    walked = leg_start = 0.0
    t = T0
    for (bearing, length), corner in zip(legs, corners, strict=False):
        while walked <= leg_start + length:
            true = destination(corner, bearing, walked - leg_start)
            points.append(TrailPoint(_jittered(rng, true, sigma_m), t, accuracy_m))
            walked += speed_mps * every_s
            t += every_s * 1000
        leg_start += length
    return points, path_length_m(corners)


def _with_spikes(points: list[TrailPoint], indexes: list[int], seed: int) -> list[TrailPoint]:
    rng = random.Random(seed)
    spiked = list(points)
    for i in indexes:
        p = spiked[i]
        spiked[i] = p._replace(position=destination(p.position, rng.uniform(0, 360), 500))
    return spiked


THREE_KM = [(30.0, 800.0), (120.0, 700.0), (200.0, 900.0), (290.0, 600.0)]


def test_implied_speed() -> None:
    a = TrailPoint(PARK, T0, None)
    b = TrailPoint(destination(PARK, 90, 30), T0 + 10_000, None)
    assert implied_speed_mps(a, b) == pytest.approx(3.0)
    assert implied_speed_mps(b, a) == pytest.approx(3.0)
    assert implied_speed_mps(a, b._replace(timestamp_ms=T0)) == math.inf
    assert implied_speed_mps(a, a) == 0.0


def test_speed_beyond_accuracy() -> None:
    a = TrailPoint(PARK, T0, 10.0)
    b = TrailPoint(destination(PARK, 90, 50), T0 + 2000, 20.0)
    assert speed_beyond_accuracy_mps(a, b) == pytest.approx(10.0)
    # Unknown and implausibly small accuracies count as 5 m and 3 m.
    assert speed_beyond_accuracy_mps(a._replace(accuracy_m=None), b) == pytest.approx(12.5)
    assert speed_beyond_accuracy_mps(a._replace(accuracy_m=0.5), b) == pytest.approx(13.5)
    assert speed_beyond_accuracy_mps(a, a._replace(position=destination(PARK, 0, 15), timestamp_ms=T0)) == 0.0
    assert speed_beyond_accuracy_mps(a, b._replace(timestamp_ms=T0)) == math.inf


def test_jitter_at_one_fix_per_second_is_not_thrown_away() -> None:
    # 24 m in a second is no walking speed, but the two 10 m radii nearly touch: jitter, not a spike.
    a = TrailPoint(PARK, T0, 10.0)
    b = TrailPoint(destination(PARK, 0, 24), T0 + 1000, 10.0)
    assert filter_trail([a, b]) == [a, b]
    sharp_a, sharp_b = a._replace(accuracy_m=3.0), b._replace(accuracy_m=3.0)
    assert filter_trail([sharp_a, sharp_b]) == [sharp_a]


@pytest.mark.parametrize("accuracy_m", [5.0, None])
def test_jittery_walk_with_spikes_measures_within_one_percent(accuracy_m: float | None) -> None:
    points, true_m = _walk(THREE_KM, seed=7, accuracy_m=accuracy_m)
    assert true_m == pytest.approx(3000, abs=1)
    assert path_length_m([p.position for p in points]) > 1.3 * true_m, "the raw jitter must matter"
    spiked = _with_spikes(points, [1, 100, 250, 251, 400, 600], seed=7)
    summary = summarize_walk(spiked)
    assert summary.distance_m == pytest.approx(true_m, rel=0.01)
    assert summary.started_at_ms == T0
    assert summary.ended_at_ms == points[-1].timestamp_ms
    assert summary.duration_s == (points[-1].timestamp_ms - T0) // 1000
    assert summary.duration_s == pytest.approx(true_m / 1.4, abs=3)


def test_cleaned_trail_has_no_spikes_and_is_time_ordered() -> None:
    points, _ = _walk(THREE_KM, seed=3)
    spiked = _with_spikes(points, [50, 300], seed=3)
    shuffled = list(reversed(spiked))
    trail = filter_trail(shuffled)
    assert [p.timestamp_ms for p in trail] == sorted(p.timestamp_ms for p in trail)
    assert trail[0] == points[0]
    assert trail[-1] == points[-1]
    assert all(implied_speed_mps(a, b) <= 15.0 for a, b in itertools.pairwise(trail))


def test_stationary_walker_accumulates_almost_nothing() -> None:
    rng = random.Random(11)
    # Ten minutes at one fix per second, standing still with 3 m of jitter; one fix without accuracy.
    points = [TrailPoint(_jittered(rng, PARK, 3.0), T0 + i * 1000, 5.0 if i % 2 else None) for i in range(600)]
    assert path_length_m([p.position for p in points]) > 2000, "raw jitter alone would add kilometres"
    summary = summarize_walk(points)
    assert summary.distance_m < 20
    assert summary.duration_s == 599
    # A stop is a leg of its own (at most MAX_LEG_FIXES long), placed at its fixes' mean.
    assert max(haversine_m(PARK, p) for p in summary.route) < 2


def test_duplicates_poor_accuracy_and_order() -> None:
    a = TrailPoint(PARK, T0, 5.0)
    b = TrailPoint(destination(PARK, 0, 100), T0 + 60_000, 5.0)
    vague = TrailPoint(destination(PARK, 0, 300), T0 + 30_000, 150.0)
    nan_accuracy = TrailPoint(destination(PARK, 90, 300), T0 + 40_000, math.nan)
    assert filter_trail([b, a, b, vague, a, nan_accuracy]) == [a, b]
    relaxed = filter_trail([a, vague], max_accuracy_m=200)
    assert (relaxed[0], relaxed[-1]) == (a, vague)


def test_a_move_without_elapsed_time_is_a_spike() -> None:
    a = TrailPoint(PARK, T0, 5.0)
    teleport = TrailPoint(destination(PARK, 0, 50), T0, 5.0)
    later = TrailPoint(destination(PARK, 0, 40), T0 + 30_000, 5.0)
    assert filter_trail([a, teleport, later]) == [a, later]


def test_bad_first_fix_does_not_poison_the_walk() -> None:
    points, true_m = _walk([(90.0, 500.0)], seed=5)
    bad_start = points[0]._replace(position=destination(points[0].position, 0, 2000))
    summary = summarize_walk([bad_start, *points[1:]])
    assert summary.distance_m == pytest.approx(true_m, rel=0.03)
    assert summary.started_at_ms == points[1].timestamp_ms


def test_wrong_fix_after_a_gap_is_replaced_by_the_fixes_that_follow() -> None:
    before, _ = _walk([(90.0, 300.0)], seed=2)
    end = before[-1]
    # Ten minutes without signal, then one fix 2 km off (plausible speed over the gap) and the truth.
    wrong = TrailPoint(destination(end.position, 0, 2000), end.timestamp_ms + 600_000, 5.0)
    after = [
        TrailPoint(destination(end.position, 90, 4.2 * i), wrong.timestamp_ms + 3000 * i, 5.0) for i in range(1, 50)
    ]
    trail = filter_trail([*before, wrong, *after])
    assert wrong not in trail
    assert trail[-1] == after[-1]
    assert max(haversine_m(end.position, p.position) for p in trail[len(trail) // 2 :]) < 300


def test_walk_across_the_antimeridian() -> None:
    points, true_m = _walk([(90.0, 1000.0)], seed=9, start=LngLat(179.995, -16.8))
    assert any(p.position.lng < 0 for p in points)
    assert any(p.position.lng > 0 for p in points)
    summary = summarize_walk(points)
    assert summary.distance_m == pytest.approx(true_m, rel=0.02)
    assert all(-180 <= p.lng <= 180 for p in summary.route)


def test_long_walk_route_is_simplified_to_500_vertices() -> None:
    # 5,000 sparse fixes (30 m apart, so jitter merging keeps nearly all) along a winding path.
    legs = [(90 + 70 * math.sin(i / 3), 40.0) for i in range(3800)]
    points, _ = _walk(legs, seed=1, every_s=10, speed_mps=3.0)
    assert len(points) >= 5000
    summary = summarize_walk(points[:5000])
    trail = filter_trail(points[:5000])
    assert len(trail) > 4000, "the route would fit without simplifying"
    assert 2 <= len(summary.route) <= 500
    assert len(summary.route) > 100, "simplification stops as soon as the route fits"
    # The route runs from where the walk's first leg puts its first fix to where its last puts its last.
    assert haversine_m(summary.route[0], trail[0].position) < 10
    assert haversine_m(summary.route[-1], trail[-1].position) < 10
    geojson = summary.route_geojson()
    assert geojson["type"] == "LineString"
    assert geojson["coordinates"][0] == [summary.route[0].lng, summary.route[0].lat]
    assert len(geojson["coordinates"]) == len(summary.route)


def test_route_of_a_path_crossing_itself_keeps_detail() -> None:
    # Criss-crossing a small field: past some tolerance the vertex count collapses from over 500 to a
    # handful (4 here), so plain doubling would throw the route away; bisection keeps far more.
    path = [PARK]
    for i in range(3000):
        path.append(destination(path[-1], (i * 37) % 360, 40))
    route = simplify_route(path)
    assert 20 < len(route) <= 500
    assert (route[0], route[-1]) == (path[0], path[-1])


def test_simplify_route() -> None:
    line = [destination(PARK, 90, 10.0 * i) for i in range(1000)]
    assert simplify_route(line[:500]) == line[:500]
    assert simplify_route(line, 2) == [line[0], line[-1]]
    with pytest.raises(GeoError, match="at least 2"):
        simplify_route(line, 1)


def test_empty_walk() -> None:
    summary = summarize_walk([])
    assert summary == WalkSummary(distance_m=0.0, duration_s=0, route=[], started_at_ms=None, ended_at_ms=None)
    assert summary.route_geojson() == {"type": "LineString", "coordinates": []}


def test_single_fix_walk_is_a_zero_length_line() -> None:
    summary = summarize_walk([TrailPoint(PARK, T0, None)])
    assert summary.distance_m == 0
    assert summary.duration_s == 0
    assert summary.started_at_ms == summary.ended_at_ms == T0
    assert summary.route_geojson() == {"type": "LineString", "coordinates": [[PARK.lng, PARK.lat]] * 2}
