"""GeoSearch on SQLite: R*Tree bounding boxes as the pre-filter, exact geometry with shapely.

Two R*Tree tables index the active businesses: `business_points` holds each address point and
`business_areas` each service area's bounding box. Triggers on the `businesses` table keep them in
step with the documents inside the same statement that writes the document, so the index can never
disagree with the data, whatever code path (or crash) touched the row. R*Tree rows need integer ids
while businesses have text ids, so `business_geo_keys` hands out an integer key per business and a
`version` that changes whenever the indexed geometry does.

A query takes the R*Tree candidates, then checks them exactly: haversine distance for points, and
prepared shapely geometries for areas, tested in one vectorized call. Prepared areas are cached in
memory per business id and version, so an edited area is rebuilt on its next use. Everything runs
on the database thread, which is also the only thread that touches the cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

import numpy as np
import orjson
import shapely
from shapely.geometry import MultiPolygon, Polygon

from app.store.geo_search import NearbyBusiness
from app.store.schema import BUSINESSES
from app.store.sqlite.database import SqliteDatabase
from geo.areas import ServiceArea
from geo.coordinates import LngLat
from geo.distance import bbox_around, haversine_m

# Enough for every business of a large deployment; beyond it the least recently used areas are
# rebuilt from their GeoJSON when needed again.
AREA_CACHE_SIZE = 100_000
# Below SQLite's bound-parameter limit (32766 since 3.32).
_CHUNK = 10_000

# Write the index rows of NEW when it is active. A position in the service area's GeoJSON is an
# array whose first element is a number; min/max over all of them is the bounding box (holes lie
# inside their shell, so including them changes nothing).
_INDEX_NEW = """
INSERT INTO business_points (id, min_lng, max_lng, min_lat, max_lat, business_id, lng, lat)
SELECT k.key, p.lng, p.lng, p.lat, p.lat, k.business_id, p.lng, p.lat
FROM business_geo_keys k,
     (SELECT json_extract(NEW.doc, '$.location.coordinates[0]') AS lng,
             json_extract(NEW.doc, '$.location.coordinates[1]') AS lat) p
WHERE k.business_id = NEW.id AND json_extract(NEW.doc, '$.isActive');
INSERT INTO business_areas (id, min_lng, max_lng, min_lat, max_lat, business_id, version)
SELECT k.key, min(json_extract(t.value, '$[0]')), max(json_extract(t.value, '$[0]')),
       min(json_extract(t.value, '$[1]')), max(json_extract(t.value, '$[1]')), k.business_id, k.version
FROM business_geo_keys k, json_tree(NEW.doc, '$.serviceArea.coordinates') t
WHERE k.business_id = NEW.id AND json_extract(NEW.doc, '$.isActive')
  AND t.type = 'array' AND json_type(t.value, '$[0]') IN ('integer', 'real')
GROUP BY k.key;
"""

_UNINDEX_OLD = """
DELETE FROM business_points WHERE id = (SELECT key FROM business_geo_keys WHERE business_id = OLD.id);
DELETE FROM business_areas WHERE id = (SELECT key FROM business_geo_keys WHERE business_id = OLD.id);
"""

_GEOMETRY_CHANGED = " OR ".join(
    f"json_extract(OLD.doc, '$.{path}') IS NOT json_extract(NEW.doc, '$.{path}')"
    for path in ("location", "serviceArea", "isActive")
)

GEO_DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS business_geo_keys (
        key INTEGER PRIMARY KEY,
        business_id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL DEFAULT 0
    )""",
    # Auxiliary (+) columns carry the exact values: R*Tree coordinates are 32-bit floats rounded outward.
    """CREATE VIRTUAL TABLE IF NOT EXISTS business_points
        USING rtree(id, min_lng, max_lng, min_lat, max_lat, +business_id, +lng, +lat)""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS business_areas
        USING rtree(id, min_lng, max_lng, min_lat, max_lat, +business_id, +version)""",
    f"""CREATE TRIGGER IF NOT EXISTS {BUSINESSES}_geo_insert AFTER INSERT ON {BUSINESSES}
    BEGIN
        INSERT INTO business_geo_keys (business_id) VALUES (NEW.id);
        {_INDEX_NEW}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {BUSINESSES}_geo_update AFTER UPDATE OF doc ON {BUSINESSES}
    WHEN {_GEOMETRY_CHANGED}
    BEGIN
        {_UNINDEX_OLD}
        UPDATE business_geo_keys SET version = version + 1 WHERE business_id = NEW.id;
        {_INDEX_NEW}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {BUSINESSES}_geo_delete AFTER DELETE ON {BUSINESSES}
    BEGIN
        {_UNINDEX_OLD}
        DELETE FROM business_geo_keys WHERE business_id = OLD.id;
    END""",
)

_POINTS_IN_BOX = (
    "SELECT business_id, lng, lat FROM business_points "
    "WHERE max_lng >= ? AND min_lng <= ? AND max_lat >= ? AND min_lat <= ?"
)
_AREAS_AROUND_POINT = (
    "SELECT business_id, version FROM business_areas "
    "WHERE min_lng <= ? AND max_lng >= ? AND min_lat <= ? AND max_lat >= ?"
)


class SqliteGeoSearch:
    def __init__(self, db: SqliteDatabase, cache_size: int = AREA_CACHE_SIZE) -> None:
        self._db = db
        self._cache_size = cache_size
        # business id -> (version, prepared geometry); first in, first out past cache_size.
        self._areas: dict[str, tuple[int, Polygon | MultiPolygon]] = {}

    async def businesses_near(
        self,
        point: LngLat,
        radius_m: float,
        *,
        among: Collection[str] | None = None,
        serving_only: bool = False,
    ) -> list[NearbyBusiness]:
        wanted = None if among is None else set(among)
        min_lng, min_lat, max_lng, max_lat = bbox_around(point, radius_m)

        def run(conn: sqlite3.Connection) -> list[NearbyBusiness]:
            rows = conn.execute(_POINTS_IN_BOX, (min_lng, max_lng, min_lat, max_lat)).fetchall()
            serving = set(self._serving(conn, point))
            hits = []
            for business_id, lng, lat in rows:
                if wanted is not None and business_id not in wanted:
                    continue
                serves = business_id in serving
                if serving_only and not serves:
                    continue
                distance = haversine_m(point, LngLat(lng, lat))
                if distance <= radius_m:
                    hits.append(NearbyBusiness(business_id, distance, serves))
            hits.sort(key=lambda hit: (hit.distance_m, hit.business_id))
            return hits

        return await self._db.run(run)

    async def businesses_serving(self, point: LngLat) -> list[str]:
        return await self._db.run(lambda conn: self._serving(conn, point))

    def _serving(self, conn: sqlite3.Connection, point: LngLat) -> list[str]:
        candidates: list[tuple[str, int]] = conn.execute(
            _AREAS_AROUND_POINT, (point.lng, point.lng, point.lat, point.lat)
        ).fetchall()
        if not candidates:
            return []
        geometries = np.empty(len(candidates), dtype=object)
        geometries[:] = self._prepared(conn, candidates)
        # ServiceArea.contains, vectorized over the candidates: boundary inside, holes outside.
        inside = shapely.intersects_xy(geometries, point.lng, point.lat)
        return [candidates[i][0] for i in np.flatnonzero(inside)]

    def _prepared(
        self, conn: sqlite3.Connection, candidates: Sequence[tuple[str, int]]
    ) -> list[Polygon | MultiPolygon]:
        """The candidates' prepared geometries, in order, rebuilding the missing or outdated ones."""
        areas = self._areas
        stale = {
            business_id: version
            for business_id, version in candidates
            if (cached := areas.get(business_id)) is None or cached[0] != version
        }
        ids = list(stale)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = conn.execute(
                f"SELECT id, json_extract(doc, '$.serviceArea') FROM {BUSINESSES} "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for business_id, geojson in rows:
                areas.pop(business_id, None)
                areas[business_id] = (stale[business_id], ServiceArea.from_trusted(orjson.loads(geojson)).geometry)
        while len(areas) > self._cache_size:
            del areas[next(iter(areas))]
        return [areas[business_id][1] for business_id, _ in candidates]
