"""The exact filters, updates and index specifications the MongoDB adapter sends.

No MongoDB server runs here, so the adapter is driven with a recording stand-in for PyMongo's
AsyncCollection; the contract suite covers real behaviour when WALKY_TEST_MONGODB_URL is set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.store.accounts.users import UserRepository
from app.store.documents import DuplicateKey, Update
from app.store.mongo.collection import MongoCollection
from app.store.mongo.translate import index_model, mongo_filter, mongo_update, ttl_path
from app.store.schema import COLLECTIONS, NOTIFICATIONS, REFRESH_TOKENS, USERS, Index
from app.store.sqlite.collection import index_ddl


class Recorder:
    """Records each call as (method, args, kwargs) and returns scripted answers."""

    name = "users"

    def __init__(self, answers: dict[str, Any] | None = None) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.answers = answers or {}

    def __getattr__(self, method: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((method, args, kwargs))
            answer = self.answers.get(method)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def test_filter_translation_maps_id_and_keeps_operators() -> None:
    assert mongo_filter({"id": "u1", "status": "pending", "n": {"$gte": 2}}) == {
        "_id": "u1",
        "status": "pending",
        "n": {"$gte": 2},
    }
    with pytest.raises(ValueError, match="not supported"):
        mongo_filter({"$where": "sleep(1000)"})
    with pytest.raises(ValueError, match="not supported"):
        mongo_filter({"email": {"$regex": "."}})


def test_contains_becomes_an_escaped_case_insensitive_regex() -> None:
    assert mongo_filter({"name": {"$contains": "a.b*"}, "isActive": True}) == {
        "name": {"$regex": r"a\.b\*", "$options": "i"},
        "isActive": True,
    }


async def test_distinct_asks_the_server_and_drops_nulls() -> None:
    raw = Recorder({"distinct": ["b1", None, "b2"]})
    assert await MongoCollection(raw).distinct("businessId", {"id": "s1"}) == ["b1", "b2"]
    assert raw.calls == [("distinct", ("businessId", {"_id": "s1"}), {})]


def test_update_translation() -> None:
    assert mongo_update(Update(set={"a.b": 1}, inc={"n": 1}, unset=["x"], push={"log": {"at": 1}})) == {
        "$set": {"a.b": 1},
        "$inc": {"n": 1},
        "$unset": {"x": ""},
        "$push": {"log": {"at": 1}},
    }


def test_index_specifications() -> None:
    assert index_model(Index("email_unique", (("email", "asc"),), unique=True)).document == {
        "key": {"email": 1},
        "name": "email_unique",
        "unique": True,
    }
    assert index_model(Index("area", (("serviceArea", "2dsphere"),))).document == {
        "key": {"serviceArea": "2dsphere"},
        "name": "area",
    }
    assert index_model(Index("ref", (("ref", "asc"), ("at", "desc")), sparse=True)).document == {
        "key": {"ref": 1, "at": -1},
        "name": "ref",
        "partialFilterExpression": {"ref": {"$exists": True}, "at": {"$exists": True}},
    }
    declared = {name: [index_model(i).document for i in indexes] for name, indexes in COLLECTIONS.items()}
    assert {"key": {"email": 1}, "name": "email_unique", "unique": True} in declared[USERS]
    assert {"key": {"familyId": 1}, "name": "family"} in declared[REFRESH_TOKENS]
    # Our "id" is Mongo's "_id", in indexes as in filters.
    assert index_model(Index("status", (("status", "asc"), ("id", "asc")))).document["key"] == {"status": 1, "_id": 1}


async def test_compare_and_set_is_find_one_and_update_returning_after() -> None:
    raw = Recorder({"find_one_and_update": {"_id": "t1", "status": "rotated"}})
    collection = MongoCollection(raw)
    result = await collection.update_one({"id": "t1", "status": "active"}, Update(set={"status": "rotated"}))
    assert result == {"id": "t1", "status": "rotated"}
    assert raw.calls == [
        (
            "find_one_and_update",
            ({"_id": "t1", "status": "active"}, {"$set": {"status": "rotated"}}),
            {"return_document": ReturnDocument.AFTER},
        )
    ]


async def test_insert_maps_id_and_duplicate_key() -> None:
    raw = Recorder({"insert_one": DuplicateKeyError("E11000 duplicate key")})
    collection = MongoCollection(raw)
    with pytest.raises(DuplicateKey):
        await collection.insert({"id": "u1", "email": "a@x.com"})
    assert raw.calls == [("insert_one", ({"email": "a@x.com", "_id": "u1"},), {})]


async def test_user_lookup_by_email_query() -> None:
    raw = Recorder({"find_one": None})
    repo = UserRepository(MongoCollection(raw))
    assert await repo.by_email("a@x.com") is None
    assert raw.calls == [("find_one", ({"email": "a@x.com"},), {})]


async def test_insert_many_new_is_unordered_and_tolerates_duplicates() -> None:
    from pymongo.errors import BulkWriteError

    failure = BulkWriteError({"writeErrors": [{"code": 11000, "index": 0}], "nInserted": 1})
    raw = Recorder({"insert_many": failure})
    inserted = await MongoCollection(raw).insert_many_new([{"id": "a", "x": 1}, {"id": "b", "x": 2}])
    assert inserted == 1
    assert raw.calls == [("insert_many", ([{"x": 1, "_id": "a"}, {"x": 2, "_id": "b"}],), {"ordered": False})]
    other = Recorder({"insert_many": BulkWriteError({"writeErrors": [{"code": 121}], "nInserted": 0})})
    with pytest.raises(BulkWriteError):
        await MongoCollection(other).insert_many_new([{"id": "a"}])


async def test_geometry_refused_by_mongo_is_a_validation_error() -> None:
    from pymongo.errors import WriteError

    from app.errors import ValidationFailed

    refusal = WriteError("Can't extract geo keys", code=16755, details={"errmsg": "Can't extract geo keys: dup"})
    raw = Recorder({"insert_one": refusal, "find_one_and_update": refusal})
    collection = MongoCollection(raw)
    with pytest.raises(ValidationFailed, match="spherical"):
        await collection.insert({"id": "b1", "serviceArea": {}})
    with pytest.raises(ValidationFailed):
        await collection.update_one({"id": "b1"}, Update(set={"serviceArea": {}}))
    other = Recorder({"insert_one": WriteError("doc validation", code=121)})
    with pytest.raises(WriteError):
        await MongoCollection(other).insert({"id": "b2"})


def test_notifications_expire_by_a_ttl_index_on_a_date_copy_of_created_at() -> None:
    specs = [index_model(index).document for index in COLLECTIONS[NOTIFICATIONS]]
    assert {"key": {"_ttlFrom": 1}, "name": "expiry", "expireAfterSeconds": 90 * 24 * 3600} in specs
    # The purge's index stays as it was (an existing deployment's index of that name keeps its spec).
    assert {"key": {"createdAt": 1}, "name": "created"} in specs
    # SQLite has no TTL: it keeps the purge job and creates no index for the TTL declaration.
    expiry = next(index for index in COLLECTIONS[NOTIFICATIONS] if index.name == "expiry")
    assert index_ddl(NOTIFICATIONS, expiry) is None
    assert ttl_path(COLLECTIONS[NOTIFICATIONS]) == "createdAt"
    assert ttl_path(COLLECTIONS[USERS]) is None
    with pytest.raises(ValueError, match="exactly one key"):
        index_model(Index("two", (("a", "asc"), ("b", "asc")), expire_after_s=60))


async def test_ttl_collection_writes_the_bson_date_and_reads_it_back_hidden() -> None:
    doc = {"id": "n1", "userId": "u1", "createdAt": "2026-03-01T10:00:00.250Z"}
    stored = {"_id": "n1", "userId": "u1", "createdAt": "2026-03-01T10:00:00.250Z"}
    moment = datetime(2026, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)
    raw = Recorder({"find_one": {**stored, "_ttlFrom": moment}, "insert_many": SimpleNamespace(inserted_ids=["n1"])})
    collection = MongoCollection(raw, ttl_from="createdAt")
    await collection.insert(doc)
    await collection.insert_many_new([doc])
    assert await collection.get("n1") == doc
    assert raw.calls[0] == ("insert_one", ({**stored, "_ttlFrom": moment},), {})
    assert raw.calls[1] == ("insert_many", ([{**stored, "_ttlFrom": moment}],), {"ordered": False})
