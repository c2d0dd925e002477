"""The embedded store: one SQLite file under WALKY_DATA_DIR."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store.schema import ARRAY_FIELDS, COLLECTIONS, VERSIONED
from app.store.sqlite.collection import SqliteCollection
from app.store.sqlite.database import SqliteDatabase
from app.store.sqlite.geo_search import GEO_DDL, SqliteGeoSearch
from app.store.sqlite.versions import versions_ddl


class SqliteBackend:
    def __init__(self, path: Path) -> None:
        self.db = SqliteDatabase(path)
        self._collections = {
            name: SqliteCollection(self.db, name, ARRAY_FIELDS.get(name, frozenset()), versioned=name in VERSIONED)
            for name in COLLECTIONS
        }
        self.geo_search = SqliteGeoSearch(self.db)

    async def setup(self) -> None:
        await self.db.open()
        statements = [
            sql for name, indexes in COLLECTIONS.items() for sql in self._collections[name].create_sql(indexes)
        ]
        statements += GEO_DDL
        statements += versions_ddl(VERSIONED)

        def run(conn: sqlite3.Connection) -> None:
            for sql in statements:
                conn.execute(sql)

        await self.db.transaction(run)

    def collection(self, name: str) -> SqliteCollection:
        return self._collections[name]

    async def ping(self) -> None:
        await self.db.run(lambda conn: conn.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await self.db.close()
