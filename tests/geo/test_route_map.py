import math
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from geo import GeoError, LngLat, destination
from geo.route_map import MapEvent, render_route_svg

SVG = "{http://www.w3.org/2000/svg}"
PARK = LngLat(-0.1657, 51.5073)


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def _route_pixels(root: ET.Element) -> list[tuple[float, float]]:
    (line,) = _by_class(root, "route")
    return [(float(x), float(y)) for x, y in (p.split(",") for p in line.get("points", "").split())]


def _square_walk() -> list[tuple[float, float]]:
    corners = [PARK]
    for bearing in (0, 90, 180, 270):
        corners.append(destination(corners[-1], bearing, 300))
    return [(p.lng, p.lat) for p in corners]


def test_route_fits_the_picture_with_start_end_and_north_up() -> None:
    root = _parse(render_route_svg(_square_walk(), [], width=640, height=480))
    assert root.get("viewBox") == "0 0 640 480"
    pixels = _route_pixels(root)
    assert len(pixels) == 5
    assert all(0 < x < 640 and 0 < y < 480 for x, y in pixels)
    # First leg goes north: up the picture; second goes east: right.
    assert pixels[1][1] < pixels[0][1]
    assert pixels[2][0] > pixels[1][0]
    # A square stays square: equal sides in pixels (the projection keeps the aspect ratio).
    assert math.dist(pixels[0], pixels[1]) == pytest.approx(math.dist(pixels[1], pixels[2]), rel=0.01)
    (start,) = _by_class(root, "start")
    assert (float(start.get("cx", "")), float(start.get("cy", ""))) == pixels[0]
    assert len(_by_class(root, "end")) == 1


def test_scale_bar_shows_a_round_distance_of_the_right_length() -> None:
    root = _parse(render_route_svg(_square_walk(), []))
    pixels = _route_pixels(root)
    px_per_m = math.dist(pixels[0], pixels[1]) / 300
    (bar,) = [e for e in _by_class(root, "scale")[0] if e.tag == f"{SVG}path"]
    # "M x,y V y H x2 V y": the horizontal run is the bar.
    d = bar.get("d", "")
    x0 = float(d[1:].split(",")[0])
    x1 = float(d.split("H")[1].split("V")[0])
    labels = [e.text for e in root.iter(f"{SVG}text")]
    assert "100 m" in labels
    assert (x1 - x0) / px_per_m == pytest.approx(100, rel=0.01)
    assert x1 - x0 <= 640 / 4


def test_kilometre_scale_for_a_long_route() -> None:
    far = destination(PARK, 90, 12_000)
    root = _parse(render_route_svg([(PARK.lng, PARK.lat), (far.lng, far.lat)], []))
    assert "2 km" in [e.text for e in root.iter(f"{SVG}text")]


def test_event_markers_by_kind_with_legend_and_escaped_text() -> None:
    at = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    events = [
        MapEvent("pee", PARK.lng, PARK.lat + 0.001, at),
        MapEvent("poo", PARK.lng + 0.001, PARK.lat),
        MapEvent("pee", PARK.lng + 0.002, PARK.lat),
        MapEvent('<script>"&', PARK.lng, PARK.lat),
    ]
    svg = render_route_svg(_square_walk(), events)
    assert "<script>" not in svg
    root = _parse(svg)
    markers = _by_class(root, "event")
    assert [m.get("data-kind") for m in markers] == ["pee", "poo", "pee", '<script>"&']
    assert markers[0].get("fill") != markers[1].get("fill")
    assert markers[0].get("fill") == markers[2].get("fill")
    assert markers[0][0].text == "pee at 2026-01-01T09:30:00+00:00"
    (legend,) = _by_class(root, "legend")
    labels = [e.text for e in legend if e.tag == f"{SVG}text"]
    assert labels == ["Start", "End", "Pee", "Poo", '<script>"&']
    # The panel behind the legend, and the end marker's square swatch.
    assert len([e for e in legend if e.tag == f"{SVG}rect"]) == 2


def test_empty_route_and_single_point() -> None:
    empty = _parse(render_route_svg([], []))
    assert not _by_class(empty, "route")
    assert not _by_class(empty, "start")
    assert _by_class(empty, "scale")
    only_events = _parse(render_route_svg([], [MapEvent("note", PARK.lng, PARK.lat)]))
    (marker,) = _by_class(only_events, "event")
    assert 0 < float(marker.get("cx", "")) < 640
    single = _parse(render_route_svg([(PARK.lng, PARK.lat)], [], width=320, height=320))
    assert not _by_class(single, "route")
    (start,) = _by_class(single, "start")
    assert len(_by_class(single, "end")) == 1
    assert 0 < float(start.get("cx", "")) < 320
    assert 0 < float(start.get("cy", "")) < 320


def test_route_across_the_antimeridian_stays_whole() -> None:
    start = LngLat(179.999, -16.8)
    end = destination(start, 90, 400)
    assert end.lng < 0
    pixels = _route_pixels(_parse(render_route_svg([(start.lng, start.lat), (end.lng, end.lat)], [])))
    assert pixels[1][0] > pixels[0][0]
    assert pixels[1][0] - pixels[0][0] < 640


def test_long_route_is_simplified_and_fast() -> None:
    # Two hours at 1 fix/s along a winding path.
    route = [PARK]
    for i in range(7199):
        route.append(destination(route[-1], 90 + 80 * math.sin(i / 60), 1.4))
    lnglat = [(p.lng, p.lat) for p in route]
    started = time.perf_counter()
    svg = render_route_svg(lnglat, [])
    elapsed = time.perf_counter() - started
    pixels = _route_pixels(_parse(svg))
    assert 10 < len(pixels) < 2000
    assert len(svg) < 60_000
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("route", "events", "size", "path"),
    [
        ([(181.0, 0.0)], [], 640, "route[0]"),
        ([(0.0, math.nan)], [], 640, "route[0]"),
        ([], [MapEvent("pee", 0.0, 91.0)], 640, "events[0]"),
        ([], [], 10, None),
        ([], [], 5000, None),
    ],
)
def test_bad_input_is_refused(
    route: list[tuple[float, float]], events: list[MapEvent], size: int, path: str | None
) -> None:
    with pytest.raises(GeoError) as caught:
        render_route_svg(route, events, width=size)
    assert caught.value.path == path
