"""The DocumentCollection contract, identical on every adapter."""

from __future__ import annotations

import asyncio

import pytest

from app.store.backend import StoreBackend
from app.store.documents import DuplicateKey, Update
from app.store.schema import REFRESH_TOKENS, USERS


def user_doc(doc_id: str, email: str, **extra: object) -> dict[str, object]:
    return {"id": doc_id, "email": email, "role": "owner", "createdAt": f"2026-01-0{doc_id[-1]}T00:00:00.000Z", **extra}


async def test_insert_get_and_unique_index(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    await users.insert(user_doc("u1", "a@x.com", profile={"city": "Paris"}))
    assert await users.get("u1") == user_doc("u1", "a@x.com", profile={"city": "Paris"})
    with pytest.raises(DuplicateKey):
        await users.insert(user_doc("u2", "a@x.com"))
    with pytest.raises(DuplicateKey):
        await users.insert(user_doc("u1", "b@x.com"))
    assert await users.get("missing") is None


async def test_filters_sort_skip_limit_count(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    for i in range(1, 6):
        await users.insert(user_doc(f"u{i}", f"{i}@x.com", n=i, active=i % 2 == 1, tag=None if i == 5 else "t"))
    found = await users.find({"active": True}, sort=[("n", -1)])
    assert [d["id"] for d in found] == ["u5", "u3", "u1"]
    assert [d["id"] for d in await users.find({}, sort=[("n", 1)], skip=1, limit=2)] == ["u2", "u3"]
    assert await users.count({"n": {"$gte": 2, "$lt": 5}}) == 3
    assert await users.count({"n": {"$in": [1, 4, 9]}}) == 2
    assert await users.count({"n": {"$in": []}}) == 0
    assert await users.count({"n": {"$ne": 3}}) == 4
    assert await users.count({"tag": None}) == 1
    assert await users.count({"missing": None}) == 5
    assert await users.count({"tag": {"$exists": True}}) == 4
    assert (await users.find_one({"email": "4@x.com"}) or {})["id"] == "u4"


async def test_contains_matches_text_ignoring_case_and_taking_no_pattern(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    for i, name in enumerate(["Happy Paws", "paw.patrol", "Cats & Co", "PAWNSHOP"], start=1):
        await users.insert(user_doc(f"u{i}", f"{i}@x.com", name=name))
    await users.insert(user_doc("u5", "5@x.com"))
    assert await users.count({"name": {"$contains": "PaW"}}) == 3
    # Pattern characters are plain text: "." is a dot, not any character.
    assert [d["id"] for d in await users.find({"name": {"$contains": "w.p"}})] == ["u2"]
    assert await users.count({"name": {"$contains": "%"}}) == 0
    assert await users.count({"name": {"$contains": "& co"}}) == 1


async def test_distinct_values_of_the_matching_documents(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    for i, city in enumerate(["Paris", "Lyon", "Paris", None, "Nice"], start=1):
        await users.insert(user_doc(f"u{i}", f"{i}@x.com", city=city, active=i != 5))
    assert sorted(await users.distinct("city", {"active": True})) == ["Lyon", "Paris"]
    assert await users.distinct("city", {"active": True, "email": "none@x.com"}) == []


async def test_update_set_inc_push_unset(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    await users.insert(user_doc("u1", "a@x.com", profile={"city": "Paris"}, count=1))
    updated = await users.update_one(
        {"id": "u1"},
        Update(set={"profile.city": "Lyon", "flags": ["a"]}, inc={"count": 2, "fresh": 1}, push={"log": {"at": 1}}),
    )
    assert updated is not None
    assert updated["profile"] == {"city": "Lyon"}
    assert (updated["count"], updated["fresh"], updated["flags"], updated["log"]) == (3, 1, ["a"], [{"at": 1}])
    again = await users.update_one({"id": "u1"}, Update(push={"log": {"at": 2}}, unset=["flags"]))
    assert again is not None and again["log"] == [{"at": 1}, {"at": 2}] and "flags" not in again
    assert await users.update_one({"id": "nope"}, Update(set={"x": 1})) is None


async def test_update_that_breaks_uniqueness_is_refused(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    await users.insert(user_doc("u1", "a@x.com"))
    await users.insert(user_doc("u2", "b@x.com"))
    with pytest.raises(DuplicateKey):
        await users.update_one({"id": "u2"}, Update(set={"email": "a@x.com"}))
    assert (await users.get("u2") or {})["email"] == "b@x.com"


async def test_compare_and_set_has_exactly_one_winner(backend: StoreBackend) -> None:
    tokens = backend.collection(REFRESH_TOKENS)
    await tokens.insert({"id": "t1", "status": "active", "familyId": "f", "userId": "u"})
    results = await asyncio.gather(
        *(tokens.update_one({"id": "t1", "status": "active"}, Update(set={"status": f"won-{i}"})) for i in range(20))
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await tokens.get("t1") or {})["status"] == winners[0]["status"]


async def test_update_many_and_delete(backend: StoreBackend) -> None:
    tokens = backend.collection(REFRESH_TOKENS)
    for i in range(4):
        await tokens.insert({"id": f"t{i}", "familyId": "f1" if i < 3 else "f2", "status": "active", "userId": "u"})
    assert await tokens.update_many({"familyId": "f1"}, Update(set={"status": "revoked"})) == 3
    assert await tokens.count({"status": "revoked"}) == 3
    assert await tokens.delete_one({"id": "t3"}) is True
    assert await tokens.delete_one({"id": "t3"}) is False
    assert await tokens.count({}) == 3
    assert await tokens.delete_many({"familyId": "f1", "status": "revoked"}) == 3
    assert await tokens.delete_many({"familyId": "f1"}) == 0
    assert await tokens.count({}) == 0


async def test_unsupported_operators_are_refused(backend: StoreBackend) -> None:
    users = backend.collection(USERS)
    with pytest.raises(ValueError, match="not supported"):
        await users.find({"$where": "1"})
    with pytest.raises(ValueError, match="not supported"):
        await users.find({"email": {"$regex": ".*"}})


async def test_ping(backend: StoreBackend) -> None:
    await backend.ping()


async def test_data_survives_reopening(tmp_path) -> None:
    from app.store.sqlite.backend import SqliteBackend

    path = tmp_path / "persist.sqlite3"
    first = SqliteBackend(path)
    await first.setup()
    await first.collection(USERS).insert(user_doc("u1", "keep@x.com"))
    await first.close()
    second = SqliteBackend(path)
    await second.setup()
    assert (await second.collection(USERS).get("u1") or {})["email"] == "keep@x.com"
    await second.close()


async def test_insert_many_new_skips_replays(backend: StoreBackend) -> None:
    tokens = backend.collection(REFRESH_TOKENS)
    first = [{"id": f"p{i}", "familyId": "f", "status": "active", "userId": "u"} for i in range(3)]
    assert await tokens.insert_many_new(first) == 3
    replay = [*first[1:], {"id": "p3", "familyId": "f", "status": "active", "userId": "u"}]
    assert await tokens.insert_many_new(replay) == 1
    assert await tokens.insert_many_new([]) == 0
    assert sorted(d["id"] for d in await tokens.find({"familyId": "f"})) == ["p0", "p1", "p2", "p3"]
