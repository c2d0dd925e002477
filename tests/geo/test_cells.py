import math

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import DEFAULT_RES, GeoError, LngLat, cell_of, cells_covering_disk, destination

positions = st.builds(LngLat, st.floats(min_value=-180, max_value=180), st.floats(min_value=-90, max_value=90))


def test_cell_of_contains_the_point() -> None:
    p = LngLat(2.3522, 48.8566)
    cell = cell_of(p, 9)
    assert h3.is_valid_cell(cell)
    assert h3.get_resolution(cell) == 9
    lat, lng = h3.cell_to_latlng(cell)
    # A res-9 cell is ~350 m across: its centre is near the point, and it is the point's cell (not its
    # mirror image from a swapped lat/lng).
    assert abs(lat - p.lat) < 0.01
    assert abs(lng - p.lng) < 0.01
    assert h3.get_resolution(cell_of(p)) == DEFAULT_RES


@pytest.mark.parametrize("res", [-1, 16, True, 7.0])
def test_bad_resolution(res: int) -> None:
    with pytest.raises(GeoError, match="resolution"):
        cell_of(LngLat(0, 0), res)
    with pytest.raises(GeoError, match="resolution"):
        cells_covering_disk(LngLat(0, 0), 100, res)


@pytest.mark.parametrize("radius", [-5.0, math.nan, math.inf])
def test_bad_radius(radius: float) -> None:
    with pytest.raises(GeoError, match="radius"):
        cells_covering_disk(LngLat(0, 0), radius)


def test_zero_radius_still_covers_the_centre_cell() -> None:
    center = LngLat(-73.98, 40.75)
    assert cell_of(center) in cells_covering_disk(center, 0)


def test_disk_size_stays_practical() -> None:
    # 5 km at res 7 (1.4 km edges): a handful of rings, not thousands of cells.
    cells = cells_covering_disk(LngLat(-0.1278, 51.5074), 5_000)
    assert 19 < len(cells) < 300
    assert len(set(cells)) == len(cells)


def test_huge_disk_is_refused() -> None:
    with pytest.raises(GeoError, match="coarser resolution"):
        cells_covering_disk(LngLat(0, 0), 1_000_000, 10)


def _assert_covers(center: LngLat, radius: float, res: int, probes: list[tuple[float, float]]) -> None:
    cells = set(cells_covering_disk(center, radius, res))
    for bearing, fraction in probes:
        p = destination(center, bearing, radius * fraction)
        assert cell_of(p, res) in cells, (center, radius, res, bearing, fraction)


probe_lists = st.lists(
    st.tuples(st.floats(min_value=0, max_value=360), st.floats(min_value=0, max_value=1)),
    min_size=30,
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(positions, st.floats(min_value=0, max_value=20), st.integers(min_value=5, max_value=10), probe_lists)
def test_disk_covers_every_point_within_the_radius(
    center: LngLat, radius_edges: float, res: int, probes: list[tuple[float, float]]
) -> None:
    radius = radius_edges * h3.average_hexagon_edge_length(res, "m")
    # The rim, where coverage is tightest, is probed every 3 degrees besides the random probes.
    _assert_covers(center, radius, res, probes + [(b, 1.0) for b in range(0, 360, 3)])


@pytest.mark.parametrize("res", [5, 7])
def test_disk_covers_around_pentagons(res: int) -> None:
    # Cells next to the 12 pentagons are the most distorted in the grid.
    edge = h3.average_hexagon_edge_length(res, "m")
    for pentagon in h3.get_pentagons(res):
        lat, lng = h3.cell_to_latlng(pentagon)
        for radius in (0.5 * edge, 3 * edge):
            center = destination(LngLat(lng, lat), 45, edge)
            _assert_covers(center, radius, res, [(b, 1.0) for b in range(0, 360, 5)])
