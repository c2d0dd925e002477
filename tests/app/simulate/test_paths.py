"""Street-like paths: walkers stay on the grid's streets, inside their area, and keep moving."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from app.simulate.paths import BLOCK_M, Grid, Stroll, route_to


def on_a_street(x: float, y: float) -> bool:
    return any(abs(v / BLOCK_M - round(v / BLOCK_M)) < 1e-6 for v in (x, y))


@pytest.mark.parametrize("seed", range(10))
def test_a_stroll_follows_streets_inside_its_area(seed: int) -> None:
    rng = random.Random(seed)
    stroll = Stroll.start(rng, 1000)
    points = [stroll.step(rng, 10) for _ in range(2000)]
    assert all(on_a_street(x, y) for x, y in points)
    assert max(math.hypot(x, y) for x, y in points) <= 1000 + 10
    steps = [math.dist(a, b) for a, b in itertools.pairwise(points)]
    assert max(steps) <= 10 + 1e-9
    # It goes places: it does not pace back and forth on one block.
    assert len({(round(x), round(y)) for x, y in points}) > 500


def test_route_to_reaches_the_goal_in_steps_no_longer_than_the_speed() -> None:
    route = route_to((12.0, 30.0), (400.0, -250.0), 7.0)
    assert route[-1] == (400.0, -250.0)
    hops = [math.dist(a, b) for a, b in zip([(12.0, 30.0), *route], route, strict=False)]
    assert max(hops) <= 7.0 + 1e-9


def test_grid_round_trips_coordinates() -> None:
    grid = Grid((2.3376, 48.8606))
    x, y = grid.to_xy(grid.to_lnglat(300.0, -120.0))
    assert abs(x - 300.0) < 0.05 and abs(y + 120.0) < 0.05
