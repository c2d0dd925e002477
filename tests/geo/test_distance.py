import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import EARTH_RADIUS_M, GeoError, LngLat, bbox_around, destination, haversine_m, path_length_m
from geo.distance import distances_from, round_dm

positions = st.builds(LngLat, st.floats(min_value=-180, max_value=180), st.floats(min_value=-90, max_value=90))
bearings = st.floats(min_value=0, max_value=360)

LONDON = LngLat(-0.1278, 51.5074)
PARIS = LngLat(2.3522, 48.8566)
NEW_YORK = LngLat(-74.0060, 40.7128)
LOS_ANGELES = LngLat(-118.2437, 34.0522)
SYDNEY = LngLat(151.2093, -33.8688)
MELBOURNE = LngLat(144.9631, -37.8136)
HALF_CIRCUMFERENCE_M = math.pi * EARTH_RADIUS_M


@pytest.mark.parametrize(
    ("a", "b", "expected_m"),
    [
        (LONDON, PARIS, 343_500),
        (NEW_YORK, LOS_ANGELES, 3_936_000),
        (SYDNEY, MELBOURNE, 713_400),
    ],
)
def test_known_city_pairs_within_half_a_percent(a: LngLat, b: LngLat, expected_m: float) -> None:
    assert haversine_m(a, b) == pytest.approx(expected_m, rel=0.005)


def test_quarter_meridian_and_antipodes() -> None:
    assert haversine_m(LngLat(0, 0), LngLat(0, 90)) == pytest.approx(HALF_CIRCUMFERENCE_M / 2)
    assert haversine_m(LngLat(10, 20), LngLat(-170, -20)) == pytest.approx(HALF_CIRCUMFERENCE_M)


def test_short_hop_across_the_antimeridian_is_short() -> None:
    assert haversine_m(LngLat(179.9999, 0), LngLat(-179.9999, 0)) == pytest.approx(22.24, abs=0.01)


@given(positions, positions)
def test_haversine_symmetric_and_non_negative(a: LngLat, b: LngLat) -> None:
    d = haversine_m(a, b)
    assert d >= 0
    assert d <= HALF_CIRCUMFERENCE_M + 1e-6
    assert d == pytest.approx(haversine_m(b, a), abs=1e-6)
    assert haversine_m(a, a) == 0


@given(positions, positions, positions)
def test_haversine_triangle_inequality(a: LngLat, b: LngLat, c: LngLat) -> None:
    assert haversine_m(a, c) <= haversine_m(a, b) + haversine_m(b, c) + 1e-3


def test_path_length_sums_segments() -> None:
    assert path_length_m([]) == 0
    assert path_length_m([LONDON]) == 0
    assert path_length_m([LONDON, PARIS, LONDON]) == pytest.approx(2 * haversine_m(LONDON, PARIS))


@given(positions, bearings, st.floats(min_value=0, max_value=0.99 * HALF_CIRCUMFERENCE_M))
def test_destination_lies_at_the_requested_distance(origin: LngLat, bearing: float, d: float) -> None:
    end = destination(origin, bearing, d)
    assert -180 <= end.lng <= 180
    assert -90 <= end.lat <= 90
    assert haversine_m(origin, end) == pytest.approx(d, abs=1e-3)


def test_destination_compass_directions() -> None:
    origin = LngLat(10, 45)
    assert destination(origin, 0, 1000).lat > origin.lat
    assert destination(origin, 90, 1000).lng > origin.lng
    assert destination(origin, 180, 1000).lat < origin.lat
    assert destination(origin, 270, 1000).lng < origin.lng
    assert destination(LngLat(179.99, 0), 90, 5000).lng < -179.9


def _inside(box: tuple[float, float, float, float], p: LngLat) -> bool:
    min_lng, min_lat, max_lng, max_lat = box
    return min_lng <= p.lng <= max_lng and min_lat <= p.lat <= max_lat


@settings(max_examples=150)
@given(positions, st.floats(min_value=0, max_value=3_000_000), bearings)
def test_bbox_contains_the_whole_circle(center: LngLat, radius: float, extra_bearing: float) -> None:
    box = bbox_around(center, radius)
    min_lng, min_lat, max_lng, max_lat = box
    assert -180 <= min_lng <= max_lng <= 180
    assert -90 <= min_lat <= max_lat <= 90
    for bearing in [*range(0, 360, 5), extra_bearing]:
        for fraction in (1.0, 0.5):
            assert _inside(box, destination(center, bearing, radius * fraction))


def test_bbox_is_tight_away_from_poles_and_antimeridian() -> None:
    min_lng, min_lat, max_lng, max_lat = bbox_around(PARIS, 10_000)
    # 10 km is ~0.09 degrees of latitude and ~0.137 degrees of longitude at 48.9 N.
    assert max_lat - min_lat == pytest.approx(2 * 0.08993, rel=1e-3)
    assert max_lng - min_lng == pytest.approx(2 * 0.13676, rel=1e-3)


def test_bbox_reaching_a_pole_spans_all_longitudes() -> None:
    min_lng, min_lat, max_lng, max_lat = bbox_around(LngLat(30, 89.99), 5_000)
    assert (min_lng, max_lng, max_lat) == (-180, 180, 90)
    assert min_lat == pytest.approx(89.945, abs=1e-3)
    assert bbox_around(LngLat(30, -90), 1_000)[:2] == (-180, -90)


def test_bbox_crossing_the_antimeridian_spans_all_longitudes() -> None:
    min_lng, min_lat, max_lng, max_lat = bbox_around(LngLat(179.99, -17), 5_000)
    assert (min_lng, max_lng) == (-180, 180)
    assert max_lat - min_lat < 0.1


@pytest.mark.parametrize("radius", [-1.0, math.nan, math.inf])
def test_bad_radius_or_distance_is_rejected(radius: float) -> None:
    with pytest.raises(GeoError, match="radius"):
        bbox_around(PARIS, radius)
    with pytest.raises(GeoError, match="distance"):
        destination(PARIS, 0, radius)


@settings(max_examples=500)
@given(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90))
def test_distances_from_a_point_are_haversine_m_to_the_float(
    lng1: float, lat1: float, lng2: float, lat2: float
) -> None:
    assert distances_from(LngLat(lng1, lat1))(lng2, lat2) == haversine_m(LngLat(lng1, lat1), LngLat(lng2, lat2))


@given(st.floats(min_value=0, max_value=40_075_000))
def test_round_dm_agrees_with_round_to_one_decimal_away_from_half_tenths(metres: float) -> None:
    # Both round half to even; they may part only within an ulp of a half tenth (see round_dm).
    assume(abs(math.modf(metres * 10)[0] - 0.5) > 1e-6)
    assert round_dm(metres) == round(metres, 1)


def test_round_dm_keeps_a_tenth() -> None:
    assert [round_dm(x) for x in (0.0, 0.04, 0.06, 123.44, 123.46, 999.95001)] == [0.0, 0.0, 0.1, 123.4, 123.5, 1000.0]
