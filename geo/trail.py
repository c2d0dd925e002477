"""GPS trail cleaning and walk summaries.

Phones report fixes with noise (metres of jitter), occasional wild outliers (hundreds of metres), and
sometimes duplicates or out of order after an offline flush. A walk's distance summed over raw fixes
overstates it badly: 3 m of jitter on fixes 4 m apart adds ~50%.

1. Outliers: fixes with poor reported accuracy, and spikes implying an impossible speed beyond both
   fixes' accuracy radii, are dropped (both the summary and the cleaned trail).
2. The summary's distance and route: the walk as straight legs at a steady pace between its turns and
   stops (:mod:`geo.walk_path`, :mod:`geo.legs`), weighed by the noise measured from the fixes. Smoothing
   cannot do this: at any one process noise it either cuts sharp turns or follows the jitter of a stop.
3. The cleaned trail (:func:`filter_trail`, a GPX track's points, one per kept fix with its time): a Kalman
   smoother (:mod:`geo.smoothing`), then a position kept only once it is an accuracy radius from the last
   one kept, so a walker waiting at a crossing does not draw a scribble.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from shapely import linestrings

from geo.coordinates import LngLat
from geo.distance import haversine_m, path_length_m
from geo.errors import GeoError
from geo.smoothing import Fix, smooth_fixes
from geo.walk_path import WalkPath

# Assumed when a fix has no accuracy: a typical phone GPS fix outdoors.
DEFAULT_ACCURACY_M = 5.0
# Phones sometimes claim sub-metre accuracy that consumer GPS cannot deliver; trusting it would
# disable smoothing.
MIN_ACCURACY_M = 3.0
# A smoothed position is kept once this many accuracy radii from the last kept one. Half a radius lets
# a standing walker's residual wander add ~20 m in ten minutes; one radius costs moving walks ~0.3%.
KEEP_STEP_FACTOR = 1.0
MAX_ROUTE_VERTICES = 500
# The outlier test's defaults: faster than a running dog beyond both accuracy radii, vaguer than a city block.
DEFAULT_MAX_SPEED_MPS = 15.0
DEFAULT_MAX_ACCURACY_M = 100.0

# This many consecutive spikes that agree with each other mean the last accepted fix was the outlier.
_REANCHOR_RUN = 3
# Route simplification: first tolerance tried (~0.1 m), and how close to the smallest fitting
# tolerance the bisection gets.
_START_TOLERANCE_DEG = 1e-6
_TOLERANCE_PRECISION = 0.02


class TrailPoint(NamedTuple):
    """A GPS fix: epoch-millisecond timestamp, reported horizontal accuracy in metres if known."""

    position: LngLat
    timestamp_ms: int
    accuracy_m: float | None


def implied_speed_mps(a: TrailPoint, b: TrailPoint) -> float:
    """Speed needed to move between two fixes; infinite for a move with no time elapsed."""
    distance = haversine_m(a.position, b.position)
    seconds = abs(b.timestamp_ms - a.timestamp_ms) / 1000
    if seconds == 0:
        return 0.0 if distance == 0 else math.inf
    return distance / seconds


def effective_accuracy_m(accuracy_m: float | None) -> float:
    """The accuracy a fix is weighed with: a default for unknown (some platforms report 0), a floor."""
    if accuracy_m is None or accuracy_m <= 0:
        return DEFAULT_ACCURACY_M
    return max(accuracy_m, MIN_ACCURACY_M)


def speed_beyond_accuracy_mps(a: TrailPoint, b: TrailPoint) -> float:
    """Speed needed to move between two fixes, counting only the distance beyond both accuracy radii.

    Two fixes a second apart whose radii overlap need no movement at all: that is jitter, not a spike.
    Unknown accuracy counts as ``DEFAULT_ACCURACY_M``; a move beyond the radii in no time is infinite.
    """
    beyond = (
        haversine_m(a.position, b.position) - effective_accuracy_m(a.accuracy_m) - effective_accuracy_m(b.accuracy_m)
    )
    if beyond <= 0:
        return 0.0
    seconds = abs(b.timestamp_ms - a.timestamp_ms) / 1000
    return math.inf if seconds == 0 else beyond / seconds


class OutlierFilter:
    """The outlier test, fed fixes in time order.

    The last accepted fix is provisional: a run of spikes that agree with each other replaces it.
    """

    def __init__(self, max_speed_mps: float, max_accuracy_m: float) -> None:
        self._max_speed_mps = max_speed_mps
        self._max_accuracy_m = max_accuracy_m
        self.last: TrailPoint | None = None
        self._suspects: list[TrailPoint] = []

    def push(self, point: TrailPoint) -> list[TrailPoint]:
        """Take the next fix; return the accepted fixes that became final (accepted before ``last``)."""
        # Written so that a NaN accuracy is rejected too.
        if point.accuracy_m is not None and not point.accuracy_m <= self._max_accuracy_m:
            return []
        if self.last is None or speed_beyond_accuracy_mps(self.last, point) <= self._max_speed_mps:
            final = [] if self.last is None else [self.last]
            self.last = point
            self._suspects.clear()
            return final
        suspects = self._suspects
        if suspects and speed_beyond_accuracy_mps(suspects[-1], point) > self._max_speed_mps:
            suspects.clear()
        suspects.append(point)
        if len(suspects) < _REANCHOR_RUN:
            return []
        # A bad first fix, or a bad fix after a gap (long enough to pass the speed test), would otherwise
        # make every later fix look like a spike: the last accepted one is dropped.
        *final, self.last = suspects
        suspects.clear()
        return final


def _reject_outliers(points: Sequence[TrailPoint], max_speed_mps: float, max_accuracy_m: float) -> list[TrailPoint]:
    outliers = OutlierFilter(max_speed_mps, max_accuracy_m)
    accepted: list[TrailPoint] = []
    # dict.fromkeys drops exact duplicates (an offline flush resent) and keeps the time order.
    for point in dict.fromkeys(sorted(points, key=attrgetter("timestamp_ms"))):
        accepted += outliers.push(point)
    if outliers.last is not None:
        accepted.append(outliers.last)
    return accepted


def thin(last_kept: LngLat, fixes: Sequence[TrailPoint], positions: Sequence[LngLat]) -> list[TrailPoint]:
    """The smoothed fixes kept after ``last_kept``: each an accuracy radius from the one kept before it."""
    kept: list[TrailPoint] = []
    for fix, position in zip(fixes, positions, strict=True):
        if haversine_m(last_kept, position) >= KEEP_STEP_FACTOR * effective_accuracy_m(fix.accuracy_m):
            kept.append(fix._replace(position=position))
            last_kept = position
    return kept


def _smooth(fixes: list[TrailPoint]) -> list[TrailPoint]:
    # Two fixes are both ends, which are returned as they are.
    if len(fixes) < 3:
        return fixes
    positions = smooth_fixes([Fix(f.position, f.timestamp_ms, effective_accuracy_m(f.accuracy_m)) for f in fixes])
    # The walk starts and ends at the real first and last fixes.
    return [fixes[0], *thin(fixes[0].position, fixes[1:-1], positions[1:-1]), fixes[-1]]


def filter_trail(
    points: Sequence[TrailPoint],
    max_speed_mps: float = DEFAULT_MAX_SPEED_MPS,
    max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M,
) -> list[TrailPoint]:
    """Clean a GPS trail: time-ordered, without duplicates, outliers or jitter.

    Fixes are sorted by time; exact duplicates, fixes less accurate than ``max_accuracy_m`` and fixes
    implying more than ``max_speed_mps`` beyond both accuracy radii from the last accepted fix are
    dropped. The others are smoothed (each keeps its time and reported accuracy) and thinned to steps
    of at least an accuracy radius, except that the first and last accepted fixes are returned as they
    are. Unknown accuracy counts as ``DEFAULT_ACCURACY_M``.
    """
    return _smooth(_reject_outliers(points, max_speed_mps, max_accuracy_m))


def simplify_route(positions: Sequence[LngLat], max_vertices: int = MAX_ROUTE_VERTICES) -> list[LngLat]:
    """Douglas-Peucker simplification to at most ``max_vertices``, keeping the first and last position.

    The tolerance (in degrees; only the vertex budget matters here) doubles from ~0.1 m until the
    route fits, then is bisected back towards the smallest that fits: on a path that loops over itself
    one doubling can drop the count from thousands to a handful.
    """
    if max_vertices < 2:
        raise GeoError(f"a route needs at least 2 vertices, got max_vertices={max_vertices}")
    if len(positions) <= max_vertices:
        return list(positions)
    return simplify_route_xy(
        array("d", (p.lng for p in positions)), array("d", (p.lat for p in positions)), max_vertices
    )


def simplify_route_xy(lngs: array[float], lats: array[float], max_vertices: int = MAX_ROUTE_VERTICES) -> list[LngLat]:
    """:func:`simplify_route` for positions held as two coordinate arrays (read by shapely without a
    conversion per position)."""
    if max_vertices < 2:
        raise GeoError(f"a route needs at least 2 vertices, got max_vertices={max_vertices}")
    if len(lngs) <= max_vertices:
        return [LngLat(lng, lat) for lng, lat in zip(lngs, lats, strict=True)]
    line = linestrings(lngs, lats)
    too_fine, fits = 0.0, _START_TOLERANCE_DEG
    simplified = line.simplify(fits, preserve_topology=False)
    while len(simplified.coords) > max_vertices:
        too_fine, fits = fits, fits * 2
        simplified = line.simplify(fits, preserve_topology=False)
    while fits - too_fine > _TOLERANCE_PRECISION * fits:
        middle = (too_fine + fits) / 2
        candidate = line.simplify(middle, preserve_topology=False)
        if len(candidate.coords) <= max_vertices:
            fits, simplified = middle, candidate
        else:
            too_fine = middle
    return [LngLat(float(x), float(y)) for x, y in simplified.coords]


@dataclass(frozen=True)
class WalkSummary:
    """What a completed walk reports; timestamps are epoch milliseconds, None for a walk without fixes."""

    distance_m: float
    duration_s: int
    route: list[LngLat]
    started_at_ms: int | None
    ended_at_ms: int | None

    def route_geojson(self) -> dict[str, Any]:
        """The route as a GeoJSON LineString.

        A LineString needs two positions: a one-fix walk gives a zero-length line at that spot, and a
        walk without fixes gives empty coordinates, which RFC 7946 lets readers treat as no geometry.
        """
        route = self.route * 2 if len(self.route) == 1 else self.route
        return {"type": "LineString", "coordinates": [[p.lng, p.lat] for p in route]}


def summarize_walk(points: Sequence[TrailPoint]) -> WalkSummary:
    """Distance along the walk's path (:mod:`geo.walk_path`: straight legs between its turns and stops, over
    the fixes left after the outlier test of :func:`filter_trail`), duration, and a simplified route."""
    accepted = _reject_outliers(points, DEFAULT_MAX_SPEED_MPS, DEFAULT_MAX_ACCURACY_M)
    if not accepted:
        return summarize_path([], None, None)
    path = WalkPath()
    for point in accepted:
        path.add(point.position, point.timestamp_ms, effective_accuracy_m(point.accuracy_m))
    return summarize_path(path.vertices(), accepted[0].timestamp_ms, accepted[-1].timestamp_ms)


def summarize_path(vertices: Sequence[LngLat], started_at_ms: int | None, ended_at_ms: int | None) -> WalkSummary:
    """The summary of a walk's path (its vertices) between its first and last fix (None without fixes)."""
    if started_at_ms is None or ended_at_ms is None:
        return WalkSummary(distance_m=0.0, duration_s=0, route=[], started_at_ms=None, ended_at_ms=None)
    return WalkSummary(
        distance_m=path_length_m(vertices),
        duration_s=(ended_at_ms - started_at_ms) // 1000,
        route=simplify_route(vertices),
        started_at_ms=started_at_ms,
        ended_at_ms=ended_at_ms,
    )
