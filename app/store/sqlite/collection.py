"""DocumentCollection on SQLite: a table of JSON documents queried with json_extract.

Indexes are expression indexes on the same json_extract(...) text the queries use, so the
query planner picks them up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from app.store.batching import ReadCoalescer
from app.store.documents import Document, DuplicateKey, Filter, SortKey, Update, check_filter
from app.store.schema import Index
from app.store.sqlite.database import SqliteDatabase
from app.store.sqlite.versions import VERSIONS_TABLE

_SQL_OPERATORS = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}


def field_sql(path: str) -> str:
    if path == "id":
        return "id"
    if not all(part.isidentifier() for part in path.split(".")):
        raise ValueError(f"invalid field path {path!r}")
    return f"json_extract(doc, '$.{path}')"


def _param(value: Any) -> Any:
    # json_extract yields 1/0 for JSON booleans.
    if isinstance(value, bool):
        return int(value)
    return value


def where_sql(where: Filter, array_fields: frozenset[str] = frozenset()) -> tuple[str, list[Any]]:
    """`array_fields` (schema.ARRAY_FIELDS) are matched the way MongoDB matches arrays: equality
    with a scalar means "some element equals it". Only equality is supported on them."""
    check_filter(where)
    clauses: list[str] = []
    params: list[Any] = []
    for path, condition in where.items():
        column = field_sql(path)
        if path in array_fields:
            if isinstance(condition, Mapping | list) or condition is None:
                raise ValueError(f"only equality with a scalar is supported on array field {path!r}")
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(doc, '$.{path}') WHERE value = ?)")
            params.append(_param(condition))
            continue
        if not isinstance(condition, Mapping):
            if condition is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = ?")
                params.append(_param(condition))
            continue
        for op, value in condition.items():
            if op == "$in":
                values = list(value)
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(_param(v) for v in values)
            elif op == "$ne":
                clauses.append(f"{column} IS NOT ?")
                params.append(_param(value))
            elif op == "$contains":
                # instr on lower(): no LIKE wildcards to escape; SQLite lowers ASCII letters only.
                clauses.append(f"instr(lower({column}), ?) > 0")
                params.append(str(value).lower())
            elif op == "$exists":
                clauses.append(f"{column} IS {'NOT ' if value else ''}NULL")
            else:
                clauses.append(f"{column} {_SQL_OPERATORS[op]} ?")
                params.append(_param(value))
    return (" AND ".join(clauses) or "1"), params


def update_sql(update: Update) -> tuple[str, list[Any]]:
    expr = "doc"
    params: list[Any] = []
    for path, value in update.set.items():
        field_sql(path)
        expr = f"json_set({expr}, '$.{path}', json(?))"
        params.append(orjson.dumps(value).decode())
    for path, amount in update.inc.items():
        expr = f"json_set({expr}, '$.{path}', coalesce({field_sql(path)}, 0) + ?)"
        params.append(amount)
    for path, value in update.push.items():
        expr = (
            f"json_set({expr}, '$.{path}', "
            f"json_insert(coalesce(json_extract(doc, '$.{path}'), json('[]')), '$[#]', json(?)))"
        )
        params.append(orjson.dumps(value).decode())
    for path in update.unset:
        expr = f"json_remove({expr}, '$.{path}')"
        field_sql(path)
    return expr, params


def order_sql(sort: Sequence[SortKey]) -> str:
    if not sort:
        return ""
    parts = [f"{field_sql(path)} {'ASC' if direction == 1 else 'DESC'}" for path, direction in sort]
    return " ORDER BY " + ", ".join(parts)


def index_ddl(table: str, index: Index) -> str | None:
    if any(kind == "2dsphere" for _, kind in index.keys):
        return None  # geometry is indexed by the R*Tree tables of the geo adapters
    if index.expire_after_s is not None:
        return None  # no TTL in SQLite: the retention job purges, on an ordinary index
    columns = ", ".join(f"{field_sql(path)} {'DESC' if kind == 'desc' else 'ASC'}" for path, kind in index.keys)
    unique = "UNIQUE " if index.unique else ""
    partial = ""
    if index.sparse:
        partial = " WHERE " + " AND ".join(f"{field_sql(path)} IS NOT NULL" for path, _ in index.keys)
    return f"CREATE {unique}INDEX IF NOT EXISTS {table}__{index.name} ON {table} ({columns}){partial}"


def _load(row: tuple[str, str] | None) -> Document | None:
    if row is None:
        return None
    doc: Document = orjson.loads(row[1])
    doc["id"] = row[0]
    return doc


class SqliteCollection:
    def __init__(
        self, db: SqliteDatabase, name: str, array_fields: frozenset[str] = frozenset(), *, versioned: bool = False
    ) -> None:
        self.db = db
        self.name = name
        self.array_fields = array_fields
        self.versioned = versioned
        self._reads: ReadCoalescer[str, str] = ReadCoalescer(self._raw_docs)

    def create_sql(self, indexes: Sequence[Index]) -> list[str]:
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)"]
        # An expression index on a whole JSON array cannot serve the json_each element match.
        indexed = [i for i in indexes if not any(path in self.array_fields for path, _ in i.keys)]
        statements += [ddl for index in indexed if (ddl := index_ddl(self.name, index))]
        return statements

    async def insert(self, doc: Document) -> None:
        body = {k: v for k, v in doc.items() if k != "id"}

        def run(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(f"INSERT INTO {self.name} (id, doc) VALUES (?, ?)", (doc["id"], orjson.dumps(body)))
            except sqlite3.IntegrityError as exc:
                raise DuplicateKey(self.name, str(exc)) from exc

        await self.db.run(run)

    async def insert_many_new(self, docs: Sequence[Document]) -> int:
        rows = [(doc["id"], orjson.dumps({k: v for k, v in doc.items() if k != "id"})) for doc in docs]

        def run(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                before = conn.total_changes
                conn.executemany(f"INSERT OR IGNORE INTO {self.name} (id, doc) VALUES (?, ?)", rows)
                inserted = conn.total_changes - before
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return inserted

        return await self.db.run(run)

    async def get(self, doc_id: str) -> Document | None:
        # Concurrent gets share one query; each caller parses its own copy (callers may change the dict).
        raw = await self._reads.read(doc_id)
        return None if raw is None else _load((doc_id, raw))

    async def _raw_docs(self, doc_ids: list[str]) -> dict[str, str]:
        sql = f"SELECT id, doc FROM {self.name} WHERE id IN ({', '.join('?' * len(doc_ids))})"

        def run(conn: sqlite3.Connection) -> dict[str, str]:
            return dict(conn.execute(sql, doc_ids).fetchall())

        return await self.db.run(run)

    async def find_one(self, where: Filter) -> Document | None:
        found = await self.find(where, limit=1)
        return found[0] if found else None

    async def find(
        self,
        where: Filter,
        *,
        sort: Sequence[SortKey] = (),
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Document]:
        clause, params = where_sql(where, self.array_fields)
        sql = f"SELECT id, doc FROM {self.name} WHERE {clause}{order_sql(sort)}"
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, skip]

        def run(conn: sqlite3.Connection) -> list[Document]:
            return [d for row in conn.execute(sql, params) if (d := _load(row)) is not None]

        return await self.db.run(run)

    async def find_ids(self, where: Filter, *, sort: Sequence[SortKey] = ()) -> list[str]:
        clause, params = where_sql(where, self.array_fields)
        sql = f"SELECT id FROM {self.name} WHERE {clause}{order_sql(sort)}"

        def run(conn: sqlite3.Connection) -> list[str]:
            return [doc_id for (doc_id,) in conn.execute(sql, params)]

        return await self.db.run(run)

    async def count(self, where: Filter) -> int:
        clause, params = where_sql(where, self.array_fields)

        def run(conn: sqlite3.Connection) -> int:
            row = conn.execute(f"SELECT count(*) FROM {self.name} WHERE {clause}", params).fetchone()
            return int(row[0])

        return await self.db.run(run)

    async def distinct(self, path: str, where: Filter) -> list[Any]:
        clause, params = where_sql(where, self.array_fields)
        column = field_sql(path)
        sql = f"SELECT DISTINCT {column} FROM {self.name} WHERE {clause} AND {column} IS NOT NULL"

        def run(conn: sqlite3.Connection) -> list[Any]:
            return [value for (value,) in conn.execute(sql, params)]

        return await self.db.run(run)

    async def update_one(self, where: Filter, update: Update) -> Document | None:
        clause, where_params = where_sql(where, self.array_fields)
        expr, update_params = update_sql(update)
        sql = (
            f"UPDATE {self.name} SET doc = {expr} "
            f"WHERE id = (SELECT id FROM {self.name} WHERE {clause} LIMIT 1) RETURNING id, doc"
        )

        def run(conn: sqlite3.Connection) -> Document | None:
            try:
                return _load(conn.execute(sql, update_params + where_params).fetchone())
            except sqlite3.IntegrityError as exc:
                raise DuplicateKey(self.name, str(exc)) from exc

        return await self.db.run(run)

    async def update_many(self, where: Filter, update: Update) -> int:
        clause, where_params = where_sql(where, self.array_fields)
        expr, update_params = update_sql(update)
        sql = f"UPDATE {self.name} SET doc = {expr} WHERE {clause}"

        def run(conn: sqlite3.Connection) -> int:
            return conn.execute(sql, update_params + where_params).rowcount

        return await self.db.run(run)

    async def delete_one(self, where: Filter) -> bool:
        clause, params = where_sql(where, self.array_fields)
        sql = f"DELETE FROM {self.name} WHERE id = (SELECT id FROM {self.name} WHERE {clause} LIMIT 1)"

        def run(conn: sqlite3.Connection) -> bool:
            return conn.execute(sql, params).rowcount > 0

        return await self.db.run(run)

    async def delete_many(self, where: Filter) -> int:
        clause, params = where_sql(where, self.array_fields)
        sql = f"DELETE FROM {self.name} WHERE {clause}"

        def run(conn: sqlite3.Connection) -> int:
            return conn.execute(sql, params).rowcount

        return await self.db.run(run)

    async def version(self) -> int | None:
        if not self.versioned:
            return None
        sql = f"SELECT version FROM {VERSIONS_TABLE} WHERE name = ?"

        def run(conn: sqlite3.Connection) -> int:
            return int(conn.execute(sql, (self.name,)).fetchone()[0])

        return await self.db.run(run)
