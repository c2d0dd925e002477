"""GeoSearch on SQLite: R*Tree bounding boxes as the pre-filter, exact geometry with shapely.

Two R*Tree tables index the listed businesses (active and not suspended): `business_points` holds each address point and
`business_areas` each service area's bounding box. Triggers on the `businesses` table keep them in
step with the documents inside the same statement that writes the document, so the index can never
disagree with the data, whatever code path (or crash) touched the row.

R*Tree rows need integer ids while businesses have text ids, so `business_geo_keys` hands out an
integer key per business, and a fresh one whenever its indexed geometry changes (AUTOINCREMENT never
reuses a key). A key therefore names one version of one area: the prepared geometries cached in
memory by key never go stale, and the hot query reads nothing but R*Tree ids.

A query takes the R*Tree candidates, then checks them exactly: haversine distance for points, and
prepared shapely geometries for areas, tested in one vectorized call. The area cache also holds each
business's address point (same key, same version), so "who serves this point, how far" reads no
document. Everything runs on the database thread, which is also the only thread that touches the cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from typing import NamedTuple

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

# Enough for every business of a large deployment; past it the oldest entries (often areas since
# edited) are dropped and rebuilt from their GeoJSON when needed again.
AREA_CACHE_SIZE = 100_000
# Below SQLite's bound-parameter limit (32766 since 3.32).
_CHUNK = 10_000

# Only listed businesses are indexed: not deleted and not suspended by an admin.
_LISTED = "json_extract(NEW.doc, '$.isActive') AND json_extract(NEW.doc, '$.status') IS NOT 'suspended'"

# Give NEW a fresh key and write its index rows when it is listed. A position in the service area's
# GeoJSON is an array whose first element is a number; min/max over all of them is the bounding box
# (holes lie inside their shell, so including them changes nothing).
_INDEX_NEW = f"""
INSERT INTO business_geo_keys (business_id) VALUES (NEW.id);
INSERT INTO business_points (id, min_lng, max_lng, min_lat, max_lat, business_id, lng, lat)
SELECT k.key, p.lng, p.lng, p.lat, p.lat, k.business_id, p.lng, p.lat
FROM business_geo_keys k,
     (SELECT json_extract(NEW.doc, '$.location.coordinates[0]') AS lng,
             json_extract(NEW.doc, '$.location.coordinates[1]') AS lat) p
WHERE k.business_id = NEW.id AND {_LISTED};
INSERT INTO business_areas (id, min_lng, max_lng, min_lat, max_lat)
SELECT k.key, min(json_extract(t.value, '$[0]')), max(json_extract(t.value, '$[0]')),
       min(json_extract(t.value, '$[1]')), max(json_extract(t.value, '$[1]'))
FROM business_geo_keys k, json_tree(NEW.doc, '$.serviceArea.coordinates') t
WHERE k.business_id = NEW.id AND {_LISTED}
  AND t.type = 'array' AND json_type(t.value, '$[0]') IN ('integer', 'real')
GROUP BY k.key;
"""

_UNINDEX_OLD = """
DELETE FROM business_points WHERE id = (SELECT key FROM business_geo_keys WHERE business_id = OLD.id);
DELETE FROM business_areas WHERE id = (SELECT key FROM business_geo_keys WHERE business_id = OLD.id);
DELETE FROM business_geo_keys WHERE business_id = OLD.id;
"""

_GEOMETRY_CHANGED = " OR ".join(
    f"json_extract(OLD.doc, '$.{path}') IS NOT json_extract(NEW.doc, '$.{path}')"
    for path in ("location", "serviceArea", "isActive", "status")
)

# Triggers are dropped and made again at every start, so a store made by an older version gets
# today's rules (the suspension rule came later). Rows already indexed stay valid: nothing was
# suspended before.
GEO_DDL: tuple[str, ...] = (
    *(f"DROP TRIGGER IF EXISTS {BUSINESSES}_geo_{event}" for event in ("insert", "update", "delete")),
    """CREATE TABLE IF NOT EXISTS business_geo_keys (
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        business_id TEXT NOT NULL UNIQUE
    )""",
    # Auxiliary (+) columns carry the exact point: R*Tree coordinates are 32-bit floats rounded outward.
    """CREATE VIRTUAL TABLE IF NOT EXISTS business_points
        USING rtree(id, min_lng, max_lng, min_lat, max_lat, +business_id, +lng, +lat)""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS business_areas USING rtree(id, min_lng, max_lng, min_lat, max_lat)",
    f"""CREATE TRIGGER {BUSINESSES}_geo_insert AFTER INSERT ON {BUSINESSES}
    BEGIN
        {_INDEX_NEW}
    END""",
    f"""CREATE TRIGGER {BUSINESSES}_geo_update AFTER UPDATE OF doc ON {BUSINESSES}
    WHEN {_GEOMETRY_CHANGED}
    BEGIN
        {_UNINDEX_OLD}
        {_INDEX_NEW}
    END""",
    f"""CREATE TRIGGER {BUSINESSES}_geo_delete AFTER DELETE ON {BUSINESSES}
    BEGIN
        {_UNINDEX_OLD}
    END""",
)

_POINTS_IN_BOX = (
    "SELECT business_id, lng, lat FROM business_points "
    "WHERE max_lng >= ? AND min_lng <= ? AND max_lat >= ? AND min_lat <= ?"
)
# Only the ids: auxiliary columns would cost a lookup per row.
_AREAS_AROUND_POINT = (
    "SELECT id FROM business_areas WHERE min_lng <= ? AND max_lng >= ? AND min_lat <= ? AND max_lat >= ?"
)


class _Area(NamedTuple):
    """A listed business's service area and address, as indexed under one key (a key never changes meaning)."""

    business_id: str
    geometry: Polygon | MultiPolygon
    lng: float
    lat: float


class SqliteGeoSearch:
    def __init__(self, db: SqliteDatabase, cache_size: int = AREA_CACHE_SIZE) -> None:
        self._db = db
        self._cache_size = cache_size
        # key -> area and address; first in, first out past cache_size.
        self._areas: dict[int, _Area] = {}

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
            if serving_only:
                # The few areas around the point carry their address: no scan of every address in the radius.
                rows = [(area.business_id, area.lng, area.lat) for area in self._serving_areas(conn, point)]
                serving = {business_id for business_id, _, _ in rows}
            else:
                rows = conn.execute(_POINTS_IN_BOX, (min_lng, max_lng, min_lat, max_lat)).fetchall()
                serving = {area.business_id for area in self._serving_areas(conn, point)} if rows else set()
            hits = []
            for business_id, lng, lat in rows:
                if wanted is not None and business_id not in wanted:
                    continue
                distance = haversine_m(point, LngLat(lng, lat))
                if distance <= radius_m:
                    hits.append(NearbyBusiness(business_id, distance, business_id in serving))
            hits.sort(key=lambda hit: (hit.distance_m, hit.business_id))
            return hits

        return await self._db.run(run)

    async def businesses_serving(self, point: LngLat) -> list[str]:
        return await self._db.run(lambda conn: [area.business_id for area in self._serving_areas(conn, point)])

    def _serving_areas(self, conn: sqlite3.Connection, point: LngLat) -> list[_Area]:
        keys = [key for (key,) in conn.execute(_AREAS_AROUND_POINT, (point.lng, point.lng, point.lat, point.lat))]
        if not keys:
            return []
        areas = self._prepared(conn, keys)
        geometries = np.empty(len(areas), dtype=object)
        geometries[:] = [area.geometry for area in areas]
        # ServiceArea.contains, vectorized over the candidates: boundary inside, holes outside.
        inside = shapely.intersects_xy(geometries, point.lng, point.lat)
        return [areas[i] for i in np.flatnonzero(inside)]

    def _prepared(self, conn: sqlite3.Connection, keys: list[int]) -> list[_Area]:
        """The area of each key, in order, loading the ones not cached yet."""
        cache = self._areas
        missing = [key for key in keys if key not in cache]
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            rows = conn.execute(
                f"SELECT k.key, k.business_id, json_extract(b.doc, '$.serviceArea'), "
                f"json_extract(b.doc, '$.location.coordinates[0]'), json_extract(b.doc, '$.location.coordinates[1]') "
                f"FROM business_geo_keys k JOIN {BUSINESSES} b ON b.id = k.business_id "
                f"WHERE k.key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for key, business_id, geojson, lng, lat in rows:
                cache[key] = _Area(business_id, ServiceArea.from_trusted(orjson.loads(geojson)).geometry, lng, lat)
        found = [cache[key] for key in keys]
        while len(cache) > self._cache_size:
            del cache[next(iter(cache))]
        return found
