"""The document-collection port every repository is written against.

Repositories (users, bookings, ...) are written once on top of this small port; the SQLite and
MongoDB adapters each implement it. Filters are a deliberately tiny subset of MongoDB's query
language, built only by our own repositories, never passed through from a client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Document = dict[str, Any]
# {"path": value} is equality; {"path": {"$in": [...]}} and the comparison operators below
# are the only operators adapters must translate. `$contains` is ours, not MongoDB's: the text at
# the path contains the given text, ignoring ASCII letter case (Mongo: an escaped $regex).
Filter = Mapping[str, Any]
SortKey = tuple[str, Literal[1, -1]]
COMPARISON_OPERATORS = ("$in", "$ne", "$lt", "$lte", "$gt", "$gte", "$exists", "$contains")


class DuplicateKey(Exception):
    """An insert or update violated a unique index."""

    def __init__(self, collection: str, detail: str = "") -> None:
        super().__init__(f"duplicate key in {collection}: {detail}")
        self.collection = collection


@dataclass(frozen=True)
class Update:
    """Field changes applied atomically to one document; paths may be dotted."""

    set: Mapping[str, Any] = field(default_factory=dict)
    inc: Mapping[str, int | float] = field(default_factory=dict)
    unset: Sequence[str] = ()
    push: Mapping[str, Any] = field(default_factory=dict)


class DocumentCollection(Protocol):
    name: str

    async def insert(self, doc: Document) -> None:
        """Insert a document with a unique string `id`; raises DuplicateKey."""

    async def insert_many_new(self, docs: Sequence[Document]) -> int:
        """Insert documents in one round trip, skipping any whose id already exists (replays);
        return how many were new."""

    async def get(self, doc_id: str) -> Document | None: ...

    async def find_one(self, where: Filter) -> Document | None: ...

    async def find(
        self,
        where: Filter,
        *,
        sort: Sequence[SortKey] = (),
        skip: int = 0,
        limit: int | None = None,
    ) -> list[Document]: ...

    async def find_ids(self, where: Filter, *, sort: Sequence[SortKey] = ()) -> list[str]:
        """The ids of every matching document, in `sort` order (read from an index that holds the filter
        and sort keys when there is one: no document is loaded)."""

    async def count(self, where: Filter) -> int: ...

    async def distinct(self, path: str, where: Filter) -> list[Any]:
        """The distinct non-null values at `path` among the documents matching `where`, in no order
        (read from an index that holds `path` when there is one)."""

    async def update_one(self, where: Filter, update: Update) -> Document | None:
        """Apply `update` to the first document matching `where` and return it as it is after.

        This is the compare-and-set primitive: put the expected status in `where` and exactly one
        of several racing callers gets a document back; the others get None.
        """

    async def update_many(self, where: Filter, update: Update) -> int: ...

    async def delete_one(self, where: Filter) -> bool: ...

    async def delete_many(self, where: Filter) -> int:
        """Delete every matching document (retention purges); return how many went."""

    async def version(self) -> int | None:
        """A number that changes whenever any process writes a document of this collection, or None when
        the adapter does not track it (schema.VERSIONED lists the tracked collections). Readers cache
        derived answers against it: an equal number means nothing was written since."""


def check_filter(where: Filter) -> None:
    """Reject filters outside the supported subset, so both adapters mean the same thing."""
    for path, condition in where.items():
        if path.startswith("$"):
            raise ValueError(f"top-level operator {path!r} is not supported")
        if isinstance(condition, Mapping):
            for op in condition:
                if op not in COMPARISON_OPERATORS:
                    raise ValueError(f"operator {op!r} is not supported")
