"""Change counters for the collections of schema.VERSIONED, kept by triggers.

A trigger bumps the collection's row inside the statement that writes a document, whatever code path or
process wrote it, so a reader comparing the number it cached against with the current one can never miss
a write. Triggers are dropped and made again at every start, like the geo index's.
"""

from __future__ import annotations

from collections.abc import Iterable

VERSIONS_TABLE = "collection_versions"
_EVENTS = ("insert", "update", "delete")


def versions_ddl(collections: Iterable[str]) -> list[str]:
    statements = [f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (name TEXT PRIMARY KEY, version INTEGER NOT NULL)"]
    for name in sorted(collections):
        statements.append(f"INSERT OR IGNORE INTO {VERSIONS_TABLE} (name, version) VALUES ('{name}', 0)")
        for event in _EVENTS:
            trigger = f"{name}_version_{event}"
            statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event.upper()} ON {name} BEGIN "
                f"UPDATE {VERSIONS_TABLE} SET version = version + 1 WHERE name = '{name}'; END"
            )
    return statements
