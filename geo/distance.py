"""Great-circle distances on a spherical Earth, and the boxes and points derived from them.

A sphere of the IUGG mean radius is off the ellipsoid by at most ~0.5%, well inside GPS error at
the distances a walk or a dispatch search spans, and keeps every formula closed-form.
"""

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

from geo.coordinates import LngLat, wrap_lng
from geo.errors import GeoError

EARTH_RADIUS_M = 6_371_008.8

# Absorbs float rounding in bbox_around so a point computed to lie exactly on the circle stays inside.
_BBOX_PAD_DEG = 1e-9


def haversine_m(a: LngLat, b: LngLat) -> float:
    """Great-circle distance in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    half_dlat = (lat2 - lat1) / 2
    half_dlng = math.radians(b.lng - a.lng) / 2
    sin_dlat, sin_dlng = math.sin(half_dlat), math.sin(half_dlng)
    h = sin_dlat * sin_dlat + math.cos(lat1) * math.cos(lat2) * sin_dlng * sin_dlng
    # Rounding can push h a hair above 1 for antipodal points.
    root = math.sqrt(h)
    return 2 * EARTH_RADIUS_M * math.asin(root if root < 1.0 else 1.0)


def distances_from(origin: LngLat) -> Callable[[float, float], float]:
    """`haversine_m(origin, LngLat(lng, lat))` as a function of `(lng, lat)`, with the origin's part done
    once: a nearby page measures every candidate from one centre. The same operations in the same order
    give the same floats (tests hold them equal)."""
    lat1 = math.radians(origin.lat)
    cos_lat1 = math.cos(lat1)
    lng1 = origin.lng
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt

    def distance_m(lng: float, lat: float) -> float:
        lat2 = radians(lat)
        half_dlat = (lat2 - lat1) / 2
        half_dlng = radians(lng - lng1) / 2
        sin_dlat, sin_dlng = sin(half_dlat), sin(half_dlng)
        # Products, not `** 2`: a float power goes through libm's pow, several times the cost.
        h = sin_dlat * sin_dlat + cos_lat1 * cos(lat2) * sin_dlng * sin_dlng
        root = sqrt(h)
        # A comparison, not min(): a builtin call costs twice as much, once per candidate.
        return 2 * EARTH_RADIUS_M * asin(root if root < 1.0 else 1.0)

    return distance_m


def round_dm(metres: float) -> float:
    """`metres` to the tenth of a metre the contract shows distances in. `round(x, 1)` gets there through a
    decimal string (about twice the cost, twenty times on a nearby page); this can differ from it only on a
    float within an ulp of a half tenth, a coin toss at that precision either way."""
    return round(metres * 10) / 10


def path_length_m(points: Sequence[LngLat]) -> float:
    """Sum of great-circle distances between consecutive points (0 for fewer than two)."""
    return math.fsum(haversine_m(a, b) for a, b in pairwise(points))


def _check_distance(distance_m: float, name: str) -> None:
    if not math.isfinite(distance_m) or distance_m < 0:
        raise GeoError(f"{name} must be a finite number of metres >= 0, got {distance_m}")


def bbox_around(center: LngLat, radius_m: float) -> tuple[float, float, float, float]:
    """``(min_lng, min_lat, max_lng, max_lat)`` of a box containing every point within ``radius_m``.

    The box never wraps: ``min_lng <= max_lng`` always, so it can go straight into an R-tree or a
    ``$geoWithin: $box``. When the circle reaches a pole, or crosses the antimeridian, the box takes the
    full longitude range [-180, 180] instead of being split in two; that over-selects a latitude band
    in those rare places but never misses a point, and callers filter by exact distance anyway.
    """
    _check_distance(radius_m, "radius")
    angular = radius_m / EARTH_RADIUS_M
    lat = math.radians(center.lat)
    min_lat, max_lat = math.degrees(lat - angular), math.degrees(lat + angular)
    if min_lat <= -90 or max_lat >= 90:
        min_lng, max_lng = -180.0, 180.0
    else:
        # Longitude half-width at the circle's tangent meridians, which lie poleward of the centre's
        # latitude (J. P. Matuschek, "Finding points within a distance of a latitude/longitude").
        half_width = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(lat))))
        min_lng, max_lng = center.lng - half_width, center.lng + half_width
        if min_lng < -180 or max_lng > 180:
            min_lng, max_lng = -180.0, 180.0
    return (
        max(-180.0, min_lng - _BBOX_PAD_DEG),
        max(-90.0, min_lat - _BBOX_PAD_DEG),
        min(180.0, max_lng + _BBOX_PAD_DEG),
        min(90.0, max_lat + _BBOX_PAD_DEG),
    )


def destination(origin: LngLat, bearing_deg: float, distance_m: float) -> LngLat:
    """The point reached from ``origin`` along the great circle at ``bearing_deg`` (0 = north, 90 = east)."""
    _check_distance(distance_m, "distance")
    angular = distance_m / EARTH_RADIUS_M
    bearing = math.radians(bearing_deg)
    lat1 = math.radians(origin.lat)
    # The destination as a unit vector in a frame turned to the origin's meridian; taking the angles
    # with atan2 stays accurate near the poles, where the textbook asin form loses ~1e-6 degrees.
    x = math.cos(lat1) * math.cos(angular) - math.sin(lat1) * math.sin(angular) * math.cos(bearing)
    y = math.sin(angular) * math.sin(bearing)
    z = math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing)
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return LngLat(wrap_lng(origin.lng + math.degrees(math.atan2(y, x))), lat)
