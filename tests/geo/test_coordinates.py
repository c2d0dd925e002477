import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import GeoError, LngLat, parse_position, validate_lnglat

lngs = st.floats(min_value=-180, max_value=180)
lats = st.floats(min_value=-90, max_value=90)


def test_parses_lng_lat_in_geojson_order() -> None:
    assert parse_position([2.35, 48.85]) == LngLat(lng=2.35, lat=48.85)


def test_accepts_tuples_ints_and_bounds() -> None:
    p = parse_position((180, -90))
    assert p == LngLat(180.0, -90.0)
    assert isinstance(p.lng, float)
    assert isinstance(p.lat, float)


def test_altitude_is_accepted_and_dropped() -> None:
    assert parse_position([1.5, 2.5, 120.0]) == LngLat(1.5, 2.5)


@pytest.mark.parametrize(
    ("value", "reason", "path"),
    [
        ("1,2", "position must be an array", "coordinates"),
        ({"lng": 1, "lat": 2}, "position must be an array", "coordinates"),
        (None, "got NoneType", "coordinates"),
        ([1.0], "2 or 3 numbers", "coordinates"),
        ([1.0, 2.0, 3.0, 4.0], "2 or 3 numbers", "coordinates"),
        ([], "got 0", "coordinates"),
        (["1", 2], "longitude must be a number, got str", "coordinates[0]"),
        ([1, "2"], "latitude must be a number, got str", "coordinates[1]"),
        ([True, 2], "longitude must be a number, got bool", "coordinates[0]"),
        ([1, False], "latitude must be a number, got bool", "coordinates[1]"),
        ([float("nan"), 2], "longitude must be a finite number, got nan", "coordinates[0]"),
        ([1, float("inf")], "latitude must be a finite number, got inf", "coordinates[1]"),
        ([180.0001, 0], "longitude must be within [-180, 180]", "coordinates[0]"),
        ([0, -90.5], "latitude must be within [-90, 90], got -90.5", "coordinates[1]"),
        ([0, 91], "latitude must be within [-90, 90]", "coordinates[1]"),
        ([0, 0, "high"], "altitude must be a number", "coordinates[2]"),
        ([0, 0, float("nan")], "altitude must be a finite number", "coordinates[2]"),
        ([[1, 2], [3, 4]], "longitude must be a number, got list", "coordinates[0]"),
    ],
)
def test_rejects_bad_positions_with_reason_and_path(value: object, reason: str, path: str) -> None:
    with pytest.raises(GeoError) as caught:
        parse_position(value)
    assert reason in caught.value.reason
    assert caught.value.path == path


def test_error_path_is_the_callers_path() -> None:
    with pytest.raises(GeoError) as caught:
        parse_position([0, 100], "coordinates[0][3]")
    assert caught.value.path == "coordinates[0][3][1]"
    assert str(caught.value).startswith("coordinates[0][3][1]: latitude")


def test_geo_error_is_a_value_error_without_path() -> None:
    error = GeoError("bad thing")
    assert isinstance(error, ValueError)
    assert error.path is None
    assert str(error) == "bad thing"


@given(lngs, lats)
def test_every_valid_pair_parses_unchanged(lng: float, lat: float) -> None:
    assert parse_position([lng, lat]) == LngLat(lng, lat)
    assert validate_lnglat(lng, lat) == LngLat(lng, lat)


@given(lngs, st.floats(allow_nan=False).filter(lambda lat: abs(lat) > 90))
def test_every_out_of_range_latitude_is_rejected(lng: float, lat: float) -> None:
    with pytest.raises(GeoError, match="latitude"):
        validate_lnglat(lng, lat)


@pytest.mark.parametrize(
    ("lng", "lat", "reason"),
    [
        (math.nan, 0.0, "longitude must be a finite number"),
        (0.0, -math.inf, "latitude must be a finite number"),
        (-181.0, 0.0, "longitude must be within"),
        (True, 0.0, "longitude must be a number, got bool"),
    ],
)
def test_validate_lnglat_rejects(lng: float, lat: float, reason: str) -> None:
    with pytest.raises(GeoError) as caught:
        validate_lnglat(lng, lat)
    assert reason in caught.value.reason
    assert caught.value.path is None
