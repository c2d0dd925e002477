import copy
import itertools
import math
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from geo import MAX_VERTICES, GeoError, LngLat, ServiceArea, parse_area

SQUARE = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
HOLE = [[4.0, 4.0], [4.0, 6.0], [6.0, 6.0], [6.0, 4.0], [4.0, 4.0]]
SQUARE_WITH_HOLE: dict[str, Any] = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
TWO_ISLANDS: dict[str, Any] = {
    "type": "MultiPolygon",
    "coordinates": [
        [SQUARE],
        [[[20.0, 0.0], [30.0, 0.0], [30.0, 10.0], [20.0, 10.0], [20.0, 0.0]]],
    ],
}


def test_polygon_with_hole_containment() -> None:
    area = parse_area(SQUARE_WITH_HOLE)
    assert area.contains(LngLat(1, 1))
    assert not area.contains(LngLat(5, 5)), "inside the hole is outside the area"
    assert not area.contains(LngLat(11, 5))
    assert not area.contains(LngLat(-0.000001, 5))


def test_boundary_counts_as_inside() -> None:
    area = parse_area(SQUARE_WITH_HOLE)
    assert area.contains(LngLat(0, 5)), "outer edge"
    assert area.contains(LngLat(10, 10)), "outer vertex"
    assert area.contains(LngLat(4, 5)), "hole edge"


def test_properties() -> None:
    area = parse_area(SQUARE_WITH_HOLE)
    assert area.bounds == (0.0, 0.0, 10.0, 10.0)
    assert area.vertex_count == 10
    assert area.geometry.area == pytest.approx(96.0)


def test_multipolygon() -> None:
    area = parse_area(TWO_ISLANDS)
    assert area.contains(LngLat(25, 5))
    assert area.contains(LngLat(5, 5))
    assert not area.contains(LngLat(15, 5))
    assert area.bounds == (0.0, 0.0, 30.0, 10.0)


@pytest.mark.parametrize("geojson", [SQUARE_WITH_HOLE, TWO_ISLANDS])
def test_to_geojson_round_trips(geojson: dict[str, Any]) -> None:
    out = parse_area(geojson).to_geojson()
    assert out == geojson
    assert parse_area(out).to_geojson() == out
    assert ServiceArea.from_trusted(out).to_geojson() == out


def test_winding_order_is_preserved_and_either_is_accepted() -> None:
    clockwise = {"type": "Polygon", "coordinates": [SQUARE[::-1]]}
    area = parse_area(clockwise)
    assert area.contains(LngLat(5, 5))
    assert area.to_geojson() == clockwise


def test_altitude_is_dropped_and_ints_accepted() -> None:
    ring = [[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]
    area = parse_area({"type": "Polygon", "coordinates": [ring]})
    assert area.to_geojson()["coordinates"] == [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]


def test_from_trusted_rejects_other_geometry_types() -> None:
    with pytest.raises(GeoError, match="Polygon or MultiPolygon, got Point"):
        ServiceArea.from_trusted({"type": "Point", "coordinates": [1.0, 2.0]})


def _polygon(*rings: Any) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def _with_position(ring: list[list[float]], index: int, value: Any) -> list[Any]:
    changed: list[Any] = copy.deepcopy(ring)
    changed[index] = value
    return changed


BAD_AREAS: list[tuple[str, object, str, str | None]] = [
    ("not an object", [SQUARE], "must be a GeoJSON object, got list", None),
    ("string", '{"type": "Polygon"}', "must be a GeoJSON object, got str", None),
    ("wrong type", {"type": "Point", "coordinates": [0, 0]}, "got 'Point'", "type"),
    ("feature", {"type": "Feature", "geometry": SQUARE_WITH_HOLE}, "got 'Feature'", "type"),
    ("missing type", {"coordinates": [SQUARE]}, "got None", "type"),
    ("missing coordinates", {"type": "Polygon"}, "missing coordinates", "coordinates"),
    ("coordinates not array", {"type": "Polygon", "coordinates": "0 0 1 1"}, "polygon must be an array", "coordinates"),
    ("no rings", _polygon(), "at least one ring", "coordinates"),
    ("ring not array", _polygon(7), "ring must be an array, got int", "coordinates[0]"),
    ("unclosed ring", _polygon([*SQUARE[:-1], [1.0, 1.0]]), "ring is not closed", "coordinates[0]"),
    (
        "too few positions",
        _polygon([[0, 0], [1, 0], [0, 0]]),
        "has 3 positions; a ring needs at least 4",
        "coordinates[0]",
    ),
    (
        "self-intersection",
        _polygon([[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]),
        "Self-intersection[5 5]",
        "coordinates",
    ),
    (
        "hole outside shell",
        _polygon(SQUARE, [[20, 20], [20, 21], [21, 21], [20, 20]]),
        "Hole lies outside shell",
        "coordinates",
    ),
    (
        "antimeridian",
        _polygon([[179, 0], [-179, 0], [-179, 1], [179, 1], [179, 0]]),
        "antimeridian",
        "coordinates[0][1]",
    ),
    (
        "nan",
        _polygon(_with_position(SQUARE, 2, [10.0, math.nan])),
        "latitude must be a finite number",
        "coordinates[0][2][1]",
    ),
    (
        "latitude out of range",
        _polygon(_with_position(SQUARE, 1, [10.0, 95.0])),
        "latitude must be within",
        "coordinates[0][1][1]",
    ),
    (
        "string coordinates",
        _polygon(_with_position(SQUARE, 1, ["10", "0"])),
        "longitude must be a number, got str",
        "coordinates[0][1][0]",
    ),
    (
        "bools",
        _polygon(_with_position(SQUARE, 3, [True, False])),
        "longitude must be a number, got bool",
        "coordinates[0][3][0]",
    ),
    (
        "nested garbage",
        _polygon([[[0, 0]], [[1, 0]], [[1, 1]], [[0, 0]]]),
        "position must have 2 or 3 numbers",
        "coordinates[0][0]",
    ),
    (
        "deeper garbage",
        _polygon([[[0, 0], [1, 1]], [[1, 0], [0, 0]], [[1, 1], [0, 0]], [[0, 0], [1, 1]]]),
        "longitude must be a number, got list",
        "coordinates[0][0][0]",
    ),
    (
        "position is a dict",
        _polygon(_with_position(SQUARE, 0, {"lng": 0, "lat": 0})),
        "position must be an array",
        "coordinates[0][0]",
    ),
    ("empty multipolygon", {"type": "MultiPolygon", "coordinates": []}, "at least one polygon", "coordinates"),
    (
        "multipolygon of rings",
        {"type": "MultiPolygon", "coordinates": [SQUARE]},
        "ring has 2 positions",
        "coordinates[0][0]",
    ),
    (
        "bad part",
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]]},
        "Self-intersection",
        "coordinates[1]",
    ),
    (
        "overlapping parts",
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]]]]},
        "Self-intersection",
        "coordinates",
    ),
]


@pytest.mark.parametrize(
    ("geojson", "reason", "path"), [case[1:] for case in BAD_AREAS], ids=[case[0] for case in BAD_AREAS]
)
def test_bad_geojson_gives_a_specific_reason(geojson: object, reason: str, path: str | None) -> None:
    with pytest.raises(GeoError) as caught:
        parse_area(geojson)
    assert reason in caught.value.reason
    assert caught.value.path == path


def _circle_ring(n: int, radius_deg: float = 1.0) -> list[list[float]]:
    ring = [[radius_deg * math.cos(2 * math.pi * i / n), radius_deg * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return [*ring, ring[0]]


def test_vertex_limit_is_inclusive() -> None:
    assert parse_area(_polygon(_circle_ring(MAX_VERTICES - 1))).vertex_count == MAX_VERTICES


def test_too_many_vertices_in_total() -> None:
    with pytest.raises(GeoError, match="more than 10000 vertices") as caught:
        parse_area(_polygon(_circle_ring(MAX_VERTICES)))
    assert caught.value.path == "coordinates[0]"
    half = _circle_ring(MAX_VERTICES // 2)
    other = [[x + 5, y] for x, y in half]
    with pytest.raises(GeoError, match="more than 10000 vertices") as caught:
        parse_area({"type": "MultiPolygon", "coordinates": [[half], [other]]})
    assert caught.value.path == "coordinates[1][0]"


def _even_odd_inside(rings: list[list[list[float]]], x: float, y: float) -> bool:
    """Independent oracle: ray casting over all rings (holes flip the parity)."""
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in itertools.pairwise(ring):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


@st.composite
def star_with_hole(draw: st.DrawFn) -> tuple[list[list[list[float]]], float, float]:
    """A star-shaped ring around a centre (simple by construction) with a small regular hole."""
    cx = draw(st.floats(min_value=-170, max_value=170))
    cy = draw(st.floats(min_value=-80, max_value=80))
    size = draw(st.floats(min_value=0.001, max_value=5))
    n = draw(st.integers(min_value=6, max_value=40))
    # Angles stay in their own sector, so gaps are < 2 sectors and no edge comes within 0.35 * size.
    jitters = draw(st.lists(st.floats(min_value=-0.25, max_value=0.25), min_size=n, max_size=n))
    radii = draw(st.lists(st.floats(min_value=0.5, max_value=1.0), min_size=n, max_size=n))
    shell = []
    for i, (jitter, r) in enumerate(zip(jitters, radii, strict=True)):
        angle = 2 * math.pi * (i + jitter) / n
        shell.append([cx + size * r * math.cos(angle), cy + size * r * math.sin(angle)])
    hole = [[cx + 0.25 * size * x, cy + 0.25 * size * y] for x, y in _circle_ring(draw(st.integers(3, 12)))]
    return [[*shell, shell[0]], hole[::-1]], cx, cy


@settings(max_examples=60, deadline=None)
@given(star_with_hole(), st.lists(st.tuples(st.floats(-1.1, 1.1), st.floats(-1.1, 1.1)), min_size=20, max_size=20))
def test_containment_agrees_with_shapely_and_ray_casting(
    shape: tuple[list[list[list[float]]], float, float], offsets: list[tuple[float, float]]
) -> None:
    rings, cx, cy = shape
    area = parse_area({"type": "Polygon", "coordinates": rings})
    reference = Polygon(rings[0], rings[1:])
    size = max(abs(x - cx) for x, _ in rings[0])
    # Probe random points around the shape, plus every vertex (on the boundary, so inside).
    probes = [(cx + dx * size, cy + dy * size) for dx, dy in offsets]
    for x, y in probes:
        expected = bool(reference.covers(Point(x, y)))
        assert area.contains(LngLat(x, y)) == expected
        if shapely.distance(reference.boundary, Point(x, y)) > 1e-9 * size:
            assert expected == _even_odd_inside(rings, x, y)
    for ring in rings:
        for x, y in ring:
            assert area.contains(LngLat(x, y))
    assert not area.contains(LngLat(cx, cy)), "the centre is in the hole"
