"""A walk's route drawn as a self-contained SVG: no tiles, readable on a phone.

The route is projected with a local equirectangular projection centred on its bounds (at walk scale,
a few kilometres, the distortion is far below a pixel), fitted into the picture with a margin, and
simplified with Douglas-Peucker at a fraction of a pixel so a 2-hour walk at 1 fix/s stays small.
"""

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from shapely.geometry import LineString

from geo.coordinates import LngLat, validate_lnglat, wrap_lng
from geo.distance import EARTH_RADIUS_M
from geo.errors import GeoError

MIN_SIZE_PX = 64
MAX_SIZE_PX = 4096
# Kinds a walker can log (API.md, walk events) and how each is drawn: fill colour and legend label.
EVENT_STYLES: dict[str, tuple[str, str]] = {
    "pee": ("#f2c12e", "Pee"),
    "poo": ("#8b5a2b", "Poo"),
    "water": ("#2e86de", "Water"),
    "food": ("#e67e22", "Food"),
    "photo": ("#8e44ad", "Photo"),
    "note": ("#7f8c8d", "Note"),
}
_UNKNOWN_STYLE = "#34495e"
START_COLOUR = "#27ae60"
END_COLOUR = "#c0392b"
ROUTE_COLOUR = "#1f6feb"

# Half a pixel: simplification below that cannot be seen.
_SIMPLIFY_PX = 0.5
# Around a single point (or no route at all) the picture spans this many metres.
_MIN_SPAN_M = 100.0
_MARGIN_FRACTION = 0.08
# Scale bar lengths, 5 m to 5,000 km on the 1-2-5 series; the longest fitting a quarter of the width is drawn.
_SCALE_STEPS_M = tuple(base * 10**exp for exp in range(7) for base in (1, 2, 5) if base * 10**exp >= 5)
_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180


class MapEvent(NamedTuple):
    """Something that happened on the walk at a place: ``kind`` is pee, poo, water, food, photo or note."""

    kind: str
    lng: float
    lat: float
    time: datetime | None = None


class _Projection:
    """Local equirectangular metres around a reference point, then scaled into pixels (y downwards)."""

    def __init__(self, points: Sequence[LngLat], width: int, height: int) -> None:
        self._ref = points[0] if points else LngLat(0.0, 0.0)
        self._cos_lat = math.cos(math.radians(self._ref.lat))
        metres = [self._metres(p) for p in points] or [(0.0, 0.0)]
        xs, ys = [x for x, _ in metres], [y for _, y in metres]
        min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
        span_x, span_y = max(max_x - min_x, _MIN_SPAN_M), max(max_y - min_y, _MIN_SPAN_M)
        margin = _MARGIN_FRACTION * min(width, height)
        # Room at the bottom for the scale bar and legend.
        usable_w, usable_h = width - 2 * margin, height - 3 * margin
        self.px_per_m = min(usable_w / span_x, usable_h / span_y)
        self._cx, self._cy = (min_x + max_x) / 2, (min_y + max_y) / 2
        self._ox, self._oy = width / 2, margin + usable_h / 2

    def _metres(self, p: LngLat) -> tuple[float, float]:
        # Longitudes relative to the reference, wrapped, so a walk across the antimeridian stays whole.
        return wrap_lng(p.lng - self._ref.lng) * _M_PER_DEG * self._cos_lat, (p.lat - self._ref.lat) * _M_PER_DEG

    def pixel(self, p: LngLat) -> tuple[float, float]:
        x, y = self._metres(p)
        return self._ox + (x - self._cx) * self.px_per_m, self._oy - (y - self._cy) * self.px_per_m


def _check_size(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_SIZE_PX <= value <= MAX_SIZE_PX:
        raise GeoError(f"{name} must be an integer within [{MIN_SIZE_PX}, {MAX_SIZE_PX}] pixels, got {value!r}")


def _positions(route: Sequence[tuple[float, float]]) -> list[LngLat]:
    positions = []
    for i, (lng, lat) in enumerate(route):
        try:
            positions.append(validate_lnglat(lng, lat))
        except GeoError as exc:
            raise GeoError(exc.reason, f"route[{i}]") from exc
    return positions


def _event_positions(events: Sequence[MapEvent]) -> list[LngLat]:
    positions = []
    for i, event in enumerate(events):
        try:
            positions.append(validate_lnglat(event.lng, event.lat))
        except GeoError as exc:
            raise GeoError(exc.reason, f"events[{i}]") from exc
    return positions


def _simplified(pixels: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(pixels) < 3:
        return pixels
    line = LineString(pixels).simplify(_SIMPLIFY_PX, preserve_topology=False)
    return [(float(x), float(y)) for x, y in line.coords]


def _scale_label(metres: int) -> str:
    return f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"


def _scale_bar(projection: _Projection, width: int, height: int, unit: float) -> list[str]:
    limit_px = width / 4
    fitting = [m for m in _SCALE_STEPS_M if m * projection.px_per_m <= limit_px]
    metres = fitting[-1] if fitting else _SCALE_STEPS_M[0]
    length = metres * projection.px_per_m
    x0, y0 = unit * 1.5, height - unit * 1.5
    return [
        f'<g class="scale" stroke="#222" stroke-width="{unit * 0.25:.1f}" fill="none">',
        f'<path d="M{x0:.1f},{y0 - unit * 0.6:.1f}V{y0:.1f}H{x0 + length:.1f}V{y0 - unit * 0.6:.1f}"/>',
        "</g>",
        f'<text x="{x0 + length / 2:.1f}" y="{y0 - unit * 0.9:.1f}" text-anchor="middle" '
        f'font-size="{unit * 1.4:.1f}">{_scale_label(metres)}</text>',
    ]


def _legend(kinds: list[str], width: int, height: int, unit: float, with_route: bool) -> list[str]:
    # (colour, label, square): the end marker is a square on the map, so its swatch is one too.
    entries = [(START_COLOUR, "Start", False), (END_COLOUR, "End", True)] if with_route else []
    entries += [(*EVENT_STYLES.get(kind, (_UNKNOWN_STYLE, kind)), False) for kind in kinds]
    if not entries:
        return []
    # Right-aligned column of swatches above the bottom margin.
    row = unit * 1.8
    x = width - unit * 8
    y = height - unit * 1.2 - row * (len(entries) - 1)
    parts = [
        '<g class="legend">',
        # A light panel so the labels stay readable where the route runs underneath.
        f'<rect x="{x - unit:.1f}" y="{y - row:.1f}" width="{unit * 8:.1f}" '
        f'height="{row * len(entries) + unit * 0.4:.1f}" fill="#fff" fill-opacity="0.85" rx="4"/>',
    ]
    for colour, label, square in entries:
        if square:
            side = unit * 1.2
            parts.append(
                f'<rect x="{x - side / 2:.1f}" y="{y - unit * 0.45 - side / 2:.1f}" width="{side:.1f}" '
                f'height="{side:.1f}" fill="{colour}"/>'
            )
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y - unit * 0.45:.1f}" r="{unit * 0.6:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + unit:.1f}" y="{y:.1f}" font-size="{unit * 1.3:.1f}">{escape(label)}</text>')
        y += row
    parts.append("</g>")
    return parts


def _event_marker(event: MapEvent, at: tuple[float, float], unit: float) -> str:
    colour = EVENT_STYLES.get(event.kind, (_UNKNOWN_STYLE, event.kind))[0]
    title = event.kind
    if event.time is not None:
        stamp = event.time if event.time.tzinfo is None else event.time.astimezone(UTC)
        title += f" at {stamp.isoformat(timespec='seconds')}"
    return (
        f'<circle class="event" data-kind={quoteattr(event.kind)} cx="{at[0]:.1f}" cy="{at[1]:.1f}" '
        f'r="{unit * 0.8:.1f}" fill="{colour}" stroke="#fff" stroke-width="{unit * 0.3:.1f}">'
        f"<title>{escape(title)}</title></circle>"
    )


def render_route_svg(
    route: Sequence[tuple[float, float]], events: Sequence[MapEvent], *, width: int = 640, height: int = 480
) -> str:
    """The route (``[(lng, lat)]``, in walking order) with start, end and event markers, a legend and a scale bar.

    An empty route draws the events alone (or an empty frame); a single point draws start and end there.
    Raises :class:`GeoError` for positions out of range and sizes outside [64, 4096] pixels.
    """
    _check_size(width, "width")
    _check_size(height, "height")
    positions = _positions(route)
    event_positions = _event_positions(events)
    projection = _Projection(positions + event_positions, width, height)
    # Marker and text sizes follow the picture so a phone shrinking it to its screen keeps them legible.
    unit = min(width, height) / 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="sans-serif" role="img">',
        "<title>Walk route</title>",
        f'<rect width="{width}" height="{height}" fill="#f7f7f2"/>',
    ]
    pixels = _simplified([projection.pixel(p) for p in positions])
    if len(pixels) >= 2:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in pixels)
        parts.append(
            f'<polyline class="route" points="{points}" fill="none" stroke="{ROUTE_COLOUR}" '
            f'stroke-width="{unit * 0.5:.1f}" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    if pixels:
        (sx, sy), (ex, ey) = pixels[0], pixels[-1]
        parts.append(
            f'<circle class="start" cx="{sx:.1f}" cy="{sy:.1f}" r="{unit:.1f}" fill="{START_COLOUR}" '
            f'stroke="#fff" stroke-width="{unit * 0.3:.1f}"><title>Start</title></circle>'
        )
        side = unit * 1.6
        parts.append(
            f'<rect class="end" x="{ex - side / 2:.1f}" y="{ey - side / 2:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}" fill="{END_COLOUR}" stroke="#fff" stroke-width="{unit * 0.3:.1f}">'
            "<title>End</title></rect>"
        )
    parts += [_event_marker(e, projection.pixel(p), unit) for e, p in zip(events, event_positions, strict=True)]
    parts += _scale_bar(projection, width, height, unit)
    parts += _legend(list(dict.fromkeys(e.kind for e in events)), width, height, unit, bool(pixels))
    parts.append("</svg>")
    return "\n".join(parts)
