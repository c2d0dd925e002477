"""Street-like movement, pure: walkers follow a square street grid (blocks of BLOCK_M metres), turning at
crossings, the way people move through a city. No I/O; the randomness is the caller's `random.Random`."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

BLOCK_M = 90.0
METRES_PER_DEGREE_LAT = 111_320.0

# East, north, west, south: unit steps in metres.
HEADINGS = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))


def _metres_per_degree_lng(lat: float) -> float:
    return METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))


@dataclass(frozen=True, slots=True)
class Grid:
    """A local metric frame around `origin` ([lng, lat]); positions on it are (x, y) metres east and north."""

    origin: tuple[float, float]

    def to_lnglat(self, x: float, y: float) -> list[float]:
        lng0, lat0 = self.origin
        return [round(lng0 + x / _metres_per_degree_lng(lat0), 7), round(lat0 + y / METRES_PER_DEGREE_LAT, 7)]

    def to_xy(self, coordinates: list[float]) -> tuple[float, float]:
        lng0, lat0 = self.origin
        return ((coordinates[0] - lng0) * _metres_per_degree_lng(lat0), (coordinates[1] - lat0) * METRES_PER_DEGREE_LAT)


def snap(value: float) -> float:
    """The nearest street (a multiple of BLOCK_M)."""
    return round(value / BLOCK_M) * BLOCK_M


@dataclass(slots=True)
class Stroll:
    """A walker wandering the grid within `radius_m` of the origin: each `step` advances `speed_m` along a
    street and may turn at a crossing (never straight back)."""

    x: float
    y: float
    radius_m: float
    heading: int = 0

    @classmethod
    def start(cls, rng: random.Random, radius_m: float) -> Stroll:
        # Start on a street inside the area: x on a column of crossings, y anywhere along it.
        half = radius_m / math.sqrt(2)
        return cls(snap(rng.uniform(-half, half)), rng.uniform(-half, half), radius_m, rng.choice((1, 3)))

    def step(self, rng: random.Random, speed_m: float) -> tuple[float, float]:
        dx, dy = HEADINGS[self.heading]
        along_x = dx != 0
        a = self.x if along_x else self.y
        b = a + (dx if along_x else dy) * speed_m
        line = _crossed_line(a, b)
        if line is not None:
            # Stop at the crossing and pick the next street: left, right or on, back only when leaving the area.
            b = line
        nx, ny = (b, self.y) if along_x else (self.x, b)
        if line is not None:
            turns = [(self.heading + 1) % 4, (self.heading + 3) % 4, self.heading]
            inward = [h for h in turns if math.hypot(nx + HEADINGS[h][0], ny + HEADINGS[h][1]) < math.hypot(nx, ny)]
            self.heading = rng.choice(inward if math.hypot(nx, ny) > self.radius_m and inward else turns)
        elif math.hypot(nx, ny) > max(self.radius_m, math.hypot(self.x, self.y)):
            # Heading out of the area along a street: turn back.
            self.heading = (self.heading + 2) % 4
        self.x, self.y = nx, ny
        return self.x, self.y


def _crossed_line(a: float, b: float) -> float | None:
    """The street line crossed moving from `a` to `b` along one axis, if any (a line under `a` is not)."""
    if b > a and math.floor(b / BLOCK_M) > math.floor(a / BLOCK_M):
        return math.floor(b / BLOCK_M) * BLOCK_M
    if b < a and math.ceil(b / BLOCK_M) < math.ceil(a / BLOCK_M):
        return math.ceil(b / BLOCK_M) * BLOCK_M
    return None


def route_to(start: tuple[float, float], goal: tuple[float, float], speed_m: float) -> list[tuple[float, float]]:
    """Points every `speed_m` metres from `start` to `goal` along streets: along the row, then the column."""
    sx, sy = start
    gx, gy = goal
    corners = [(sx, sy), (snap(sx), sy), (snap(sx), gy), (gx, gy)]
    points: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in itertools.pairwise(corners):
        length = math.hypot(bx - ax, by - ay)
        steps = max(1, math.ceil(length / speed_m))
        points.extend((ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps) for i in range(1, steps + 1))
    return points
