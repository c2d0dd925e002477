"""The embedded store: one SQLite file under WALKY_DATA_DIR."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store.schema import COLLECTIONS
from app.store.sqlite.collection import SqliteCollection
from app.store.sqlite.database import SqliteDatabase


class SqliteBackend:
    def __init__(self, path: Path) -> None:
        self.db = SqliteDatabase(path)
        self._collections = {name: SqliteCollection(self.db, name) for name in COLLECTIONS}

    async def setup(self) -> None:
        await self.db.open()
        statements = [
            sql
            for name, indexes in COLLECTIONS.items()
            for sql in self._collections[name].create_sql(indexes)
        ]

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
