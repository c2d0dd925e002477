"""Pure translation of our filters, updates and index declarations into MongoDB's own terms.

Kept free of I/O so tests can assert the exact documents the adapter sends to the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.base import parse_iso
from app.store.documents import Document, Filter, Update, check_filter
from app.store.schema import Index

# The BSON date a TTL index reads; written by the adapter, never seen by repositories.
TTL_DATE_FIELD = "_ttlFrom"

_DIRECTIONS: dict[str, Any] = {"asc": ASCENDING, "desc": DESCENDING, "2dsphere": "2dsphere"}


def mongo_path(path: str) -> str:
    return "_id" if path == "id" else path


def _condition(condition: Any) -> Any:
    if not isinstance(condition, Mapping) or "$contains" not in condition:
        return condition
    translated = {op: value for op, value in condition.items() if op != "$contains"}
    translated["$regex"] = re.escape(str(condition["$contains"]))
    translated["$options"] = "i"
    return translated


def mongo_filter(where: Filter) -> dict[str, Any]:
    check_filter(where)
    return {mongo_path(path): _condition(condition) for path, condition in where.items()}


def mongo_update(update: Update) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if update.set:
        spec["$set"] = dict(update.set)
    if update.inc:
        spec["$inc"] = dict(update.inc)
    if update.unset:
        spec["$unset"] = dict.fromkeys(update.unset, "")
    if update.push:
        spec["$push"] = dict(update.push)
    return spec


def mongo_sort(sort: Any) -> list[tuple[str, int]]:
    return [(mongo_path(path), direction) for path, direction in sort]


def to_mongo(doc: Document, ttl_from: str | None = None) -> dict[str, Any]:
    """`ttl_from`: the timestamp field a TTL index expires by, copied as a BSON date (TTL_DATE_FIELD)."""
    body = {k: v for k, v in doc.items() if k != "id"}
    body["_id"] = doc["id"]
    if ttl_from is not None and isinstance(moment := doc.get(ttl_from), str):
        body[TTL_DATE_FIELD] = parse_iso(moment)
    return body


def from_mongo(raw: Mapping[str, Any] | None) -> Document | None:
    if raw is None:
        return None
    doc = {k: v for k, v in raw.items() if k not in ("_id", TTL_DATE_FIELD)}
    doc["id"] = raw["_id"]
    return doc


def ttl_path(indexes: Sequence[Index]) -> str | None:
    """The timestamp a collection's TTL index expires documents by, if it has one."""
    return next((index.keys[0][0] for index in indexes if index.expire_after_s is not None), None)


def index_model(index: Index) -> IndexModel:
    options: dict[str, Any] = {"name": index.name}
    if index.expire_after_s is not None:
        if len(index.keys) != 1:
            raise ValueError(f"TTL index {index.name} must have exactly one key")
        # TTL needs a BSON date; our timestamps are ISO text, so the index is on the date copy.
        return IndexModel([(TTL_DATE_FIELD, ASCENDING)], expireAfterSeconds=index.expire_after_s, **options)
    if index.unique:
        options["unique"] = True
    if index.sparse:
        options["partialFilterExpression"] = {path: {"$exists": True} for path, _ in index.keys}
    return IndexModel([(mongo_path(path), _DIRECTIONS[kind]) for path, kind in index.keys], **options)
