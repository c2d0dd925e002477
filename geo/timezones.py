"""The IANA time zone at a point, from timezonefinder's offline boundary data."""

from __future__ import annotations

from functools import cache

from timezonefinder import TimezoneFinder

from geo.coordinates import LngLat


@cache
def _finder() -> TimezoneFinder:
    # Built once per process: it maps the boundary data files into memory.
    return TimezoneFinder()


def timezone_at(point: LngLat) -> str | None:
    """The zone name (e.g. "Europe/Paris"), or None where no zone is known."""
    zone: str | None = _finder().timezone_at(lng=point.lng, lat=point.lat)
    return zone
