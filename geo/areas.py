"""Service areas: GeoJSON Polygon/MultiPolygon validation and fast point-in-area tests.

Edges are straight lines in longitude/latitude, the planar reading RFC 7946 prescribes. MongoDB's
2dsphere index draws them as great circles instead; for a 10 km east-west edge at 50 degrees latitude
the two differ by ~2 m, so treat a database match as a pre-filter and ``contains`` as the answer.
"""

from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from geo.coordinates import LngLat, parse_position
from geo.errors import GeoError

MAX_VERTICES = 10_000

_Ring = list[tuple[float, float]]


class ServiceArea:
    """A validated area with a prepared geometry, so repeated ``contains`` calls are cheap.

    Build it with :func:`parse_area` from client input, or :meth:`from_trusted` from stored GeoJSON
    that was validated on the way in.
    """

    __slots__ = ("_geometry",)

    def __init__(self, geometry: Polygon | MultiPolygon) -> None:
        shapely.prepare(geometry)
        self._geometry = geometry

    @classmethod
    def from_trusted(cls, geojson: Mapping[str, Any]) -> "ServiceArea":
        """Rebuild from GeoJSON produced by :meth:`to_geojson`; skips validation."""
        geometry = shape(geojson)
        if not isinstance(geometry, Polygon | MultiPolygon):
            raise GeoError(f"expected a Polygon or MultiPolygon, got {geometry.geom_type}", "type")
        return cls(geometry)

    @property
    def geometry(self) -> Polygon | MultiPolygon:
        return self._geometry

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(min_lng, min_lat, max_lng, max_lat)``."""
        min_lng, min_lat, max_lng, max_lat = self._geometry.bounds
        return (float(min_lng), float(min_lat), float(max_lng), float(max_lat))

    @property
    def vertex_count(self) -> int:
        """Positions across all rings, closing positions included (what MAX_VERTICES limits)."""
        return int(shapely.get_num_coordinates(self._geometry))

    def contains(self, p: LngLat) -> bool:
        """Whether ``p`` is in the area. The boundary counts as inside (``covers`` semantics): a client
        standing on the edge of a service area is served. Points inside a hole are outside."""
        # For a point, intersects == covered-by, and intersects_xy uses the prepared geometry.
        return bool(shapely.intersects_xy(self._geometry, p.lng, p.lat))

    def to_geojson(self) -> dict[str, Any]:
        """GeoJSON geometry with plain lists, accepted back by :func:`parse_area`."""
        if isinstance(self._geometry, Polygon):
            return {"type": "Polygon", "coordinates": _polygon_coordinates(self._geometry)}
        return {
            "type": "MultiPolygon",
            "coordinates": [_polygon_coordinates(part) for part in self._geometry.geoms],
        }


def _polygon_coordinates(polygon: Polygon) -> list[list[list[float]]]:
    return [[[x, y] for x, y in ring.coords] for ring in (polygon.exterior, *polygon.interiors)]


def _array(value: object, what: str, path: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise GeoError(f"{what} must be an array, got {type(value).__name__}", path)
    return value


class _Parser:
    """One pass over the coordinates, counting vertices so oversized input is refused early."""

    def __init__(self) -> None:
        self.vertices = 0

    def ring(self, value: object, path: str) -> _Ring:
        positions = _array(value, "ring", path)
        if len(positions) < 4:
            raise GeoError(
                f"ring has {len(positions)} positions; a ring needs at least 4, the first repeated last",
                path,
            )
        self.vertices += len(positions)
        if self.vertices > MAX_VERTICES:
            raise GeoError(f"area has more than {MAX_VERTICES} vertices; simplify it", path)
        ring = [parse_position(position, f"{path}[{i}]") for i, position in enumerate(positions)]
        if ring[0] != ring[-1]:
            raise GeoError(
                f"ring is not closed: first position {list(ring[0])} differs from last {list(ring[-1])}",
                path,
            )
        for i in range(1, len(ring)):
            # Planar geometry would take such a segment the long way round the globe.
            if abs(ring[i].lng - ring[i - 1].lng) > 180:
                raise GeoError(
                    f"ring crosses the antimeridian (longitude jumps from {ring[i - 1].lng} to "
                    f"{ring[i].lng}); split the area into a MultiPolygon at longitude 180",
                    f"{path}[{i}]",
                )
        return [(p.lng, p.lat) for p in ring]

    def polygon(self, value: object, path: str) -> Polygon:
        rings = _array(value, "polygon", path)
        if not rings:
            raise GeoError("polygon needs at least one ring (the exterior)", path)
        shell, *holes = (self.ring(ring, f"{path}[{i}]") for i, ring in enumerate(rings))
        polygon = Polygon(shell, holes)
        _check_valid(polygon, path)
        return polygon


def _check_valid(geometry: Polygon | MultiPolygon, path: str) -> None:
    if not geometry.is_valid:
        raise GeoError(f"invalid area geometry: {explain_validity(geometry)}", path)


def parse_area(geojson: object) -> ServiceArea:
    """Validate a GeoJSON Polygon or MultiPolygon (RFC 7946) into a :class:`ServiceArea`.

    Either ring winding order is accepted. Raises :class:`GeoError` naming the first problem found.
    """
    if not isinstance(geojson, Mapping):
        raise GeoError(f"area must be a GeoJSON object, got {type(geojson).__name__}")
    kind = geojson.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeoError(f"type must be 'Polygon' or 'MultiPolygon', got {kind!r:.40}", "type")
    if "coordinates" not in geojson:
        raise GeoError("missing coordinates", "coordinates")
    parser = _Parser()
    if kind == "Polygon":
        return ServiceArea(parser.polygon(geojson["coordinates"], "coordinates"))
    parts = _array(geojson["coordinates"], "coordinates", "coordinates")
    if not parts:
        raise GeoError("MultiPolygon needs at least one polygon", "coordinates")
    polygons = [parser.polygon(part, f"coordinates[{i}]") for i, part in enumerate(parts)]
    multipolygon = MultiPolygon(polygons)
    # Each part is valid on its own; what remains is parts overlapping or sharing an edge.
    _check_valid(multipolygon, "coordinates")
    return ServiceArea(multipolygon)
