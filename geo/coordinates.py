"""Positions in GeoJSON order (``[lng, lat]``) and their validation."""

import math
from numbers import Real
from typing import NamedTuple

from geo.errors import GeoError


class LngLat(NamedTuple):
    """A validated position in degrees, longitude first as in GeoJSON."""

    lng: float
    lat: float


def _number(value: object, name: str, limit: float, path: str | None) -> float:
    # bool is an int subclass; `true` in a JSON position is a client bug, not the number 1. The exact
    # type test first: every parsed fix comes here, and the ABC check is the slow one.
    if type(value) is not float and type(value) is not int and (isinstance(value, bool) or not isinstance(value, Real)):
        raise GeoError(f"{name} must be a number, got {type(value).__name__}", path)
    number = float(value)
    if not math.isfinite(number):
        raise GeoError(f"{name} must be a finite number, got {number}", path)
    if not -limit <= number <= limit:
        raise GeoError(f"{name} must be within [-{limit:g}, {limit:g}], got {number}", path)
    return number


def validate_lnglat(lng: float, lat: float) -> LngLat:
    """Check range and finiteness of a longitude/latitude pair (e.g. from query parameters)."""
    return LngLat(_number(lng, "longitude", 180, None), _number(lat, "latitude", 90, None))


def wrap_lng(lng: float) -> float:
    """Bring a longitude up to one turn outside [-180, 180] back into range; 180 stays 180."""
    if lng > 180:
        return lng - 360
    if lng < -180:
        return lng + 360
    return lng


def parse_position(value: object, path: str = "coordinates") -> LngLat:
    """Parse a GeoJSON position ``[lng, lat]`` or ``[lng, lat, altitude]``.

    The altitude must be a finite number but is dropped: every Walky computation is 2-D.
    """
    if not isinstance(value, list | tuple):
        raise GeoError(f"position must be an array [longitude, latitude], got {type(value).__name__}", path)
    if len(value) not in (2, 3):
        raise GeoError(f"position must have 2 or 3 numbers [longitude, latitude], got {len(value)}", path)
    if len(value) == 3:
        _number(value[2], "altitude", math.inf, f"{path}[2]")
    return LngLat(
        _number(value[0], "longitude", 180, f"{path}[0]"),
        _number(value[1], "latitude", 90, f"{path}[1]"),
    )
