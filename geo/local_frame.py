"""Local flat metres around a walk's first fix, and seconds since it: where a walk's models do their algebra.

Equirectangular east and north metres from an origin are off by well under a millimetre per 100 m at the
distances a walk spans; longitudes are wrapped so a walk across the antimeridian works.
"""

from __future__ import annotations

import math

from geo.coordinates import LngLat, wrap_lng
from geo.distance import EARTH_RADIUS_M

_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180


class LocalFrame:
    """East and north metres around ``origin``, seconds since ``t0_ms``."""

    def __init__(self, origin: LngLat, t0_ms: int) -> None:
        self.origin = origin
        # Clamped so a fix at a pole does not divide by zero.
        self._east_m_per_deg = _M_PER_DEG * max(math.cos(math.radians(origin.lat)), 1e-9)
        self.t0_ms = t0_ms

    def xy(self, position: LngLat) -> tuple[float, float]:
        return (
            wrap_lng(position.lng - self.origin.lng) * self._east_m_per_deg,
            (position.lat - self.origin.lat) * _M_PER_DEG,
        )

    def seconds(self, timestamp_ms: int) -> float:
        return (timestamp_ms - self.t0_ms) / 1000

    def position(self, x: float, y: float) -> LngLat:
        lng = self.origin.lng + x / self._east_m_per_deg
        lat = self.origin.lat + y / _M_PER_DEG
        # A model can carry an estimate a hair past a pole, or (near one) more than a turn round in longitude.
        if not -180 <= lng <= 180:
            lng = (lng + 180) % 360 - 180
        return LngLat(lng, min(90.0, max(-90.0, lat)))
