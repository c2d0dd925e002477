"""The walker on the way to the pickup: who may see them, and how long until they arrive."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.bookings import Booking, BookingStatus
from geo.coordinates import LngLat
from geo.distance import haversine_m

# `booking:status` carries this pseudo-status; the stored status stays `confirmed` (onMyWayAt is set).
ON_MY_WAY = "on_my_way"
# A walker standing still (or a first fix) would otherwise have an infinite ETA: assume walking pace at least.
MIN_SPEED_MPS = 1.0
# Faster than a car in town is a GPS glitch, not a speed to divide by.
MAX_SPEED_MPS = 30.0
# Weight of the newest segment in the running speed: about the last ten fixes count.
SPEED_SMOOTHING = 0.2
ETA_CAP_S = 24 * 3600


def on_the_way(booking: Booking) -> bool:
    return booking.status is BookingStatus.CONFIRMED and booking.on_my_way_at is not None


def position_visible(booking: Booking) -> bool:
    """The window in which the booking's parties see the walker: from on my way (set at assignment for an
    asap booking) until completion."""
    return on_the_way(booking) or booking.status is BookingStatus.IN_PROGRESS


def display_status(booking: Booking) -> str:
    return ON_MY_WAY if on_the_way(booking) else booking.status.value


def eta_s(distance_m: float, speed_mps: float | None) -> int:
    """Seconds to cover `distance_m` at the walker's recent speed, never slower than walking pace."""
    speed = max(MIN_SPEED_MPS, speed_mps or 0.0)
    return min(ETA_CAP_S, round(distance_m / speed))


@dataclass(frozen=True, slots=True)
class SpeedSample:
    """A walker's last position and their smoothed recent speed."""

    position: LngLat
    timestamp_ms: int
    speed_mps: float | None

    def next(self, position: LngLat, timestamp_ms: int) -> SpeedSample:
        elapsed_s = (timestamp_ms - self.timestamp_ms) / 1000
        if elapsed_s <= 0:
            return self
        segment = min(MAX_SPEED_MPS, haversine_m(self.position, position) / elapsed_s)
        smoothed = (
            segment if self.speed_mps is None else SPEED_SMOOTHING * segment + (1 - SPEED_SMOOTHING) * self.speed_mps
        )
        return SpeedSample(position, timestamp_ms, smoothed)
