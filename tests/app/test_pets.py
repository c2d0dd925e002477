"""Pets over REST: owners, co-owners who can look, strangers who get 404, and input validation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.app.marketplace import business_account, error_code, loose_json, owner


def pet_body(**extra: Any) -> dict[str, Any]:
    return {"name": "Rex", "species": "dog", "breed": "Beagle", "age": 3.5, "weight": 12, **extra}


async def _pet(client: httpx.AsyncClient, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = await client.post("/v1/pets", json=pet_body(**extra), headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_owner_manages_pets(client: httpx.AsyncClient) -> None:
    ann, ann_id = await owner(client, "ann@example.com")
    rex = await _pet(client, ann)
    assert (rex["ownerId"], rex["coOwnerIds"], rex["weight"], rex["specialNeeds"]) == (ann_id, [], 12.0, None)
    await _pet(client, ann, name="Tom", species="cat")
    listed = await client.get("/v1/pets", params={"limit": 1, "page": 2}, headers=ann)
    assert [p["name"] for p in listed.json()["data"]] == ["Tom"]
    assert listed.json()["meta"] == {"page": 2, "limit": 1, "total": 2}
    edited = await client.put(f"/v1/pets/{rex['id']}", json={"weight": 13.2, "notes": "pulls"}, headers=ann)
    assert edited.status_code == 200 and (edited.json()["data"]["weight"], edited.json()["data"]["notes"]) == (
        13.2,
        "pulls",
    )
    assert (await client.delete(f"/v1/pets/{rex['id']}", headers=ann)).status_code == 200
    assert (await client.get(f"/v1/pets/{rex['id']}", headers=ann)).status_code == 404
    assert [p["name"] for p in (await client.get("/v1/pets", headers=ann)).json()["data"]] == ["Tom"]


async def test_co_owners_see_the_pet_and_strangers_get_not_found(client: httpx.AsyncClient) -> None:
    ann, _ = await owner(client, "ann@example.com")
    bob, bob_id = await owner(client, "bob@example.com")
    eve, _ = await owner(client, "eve@example.com")
    biz, _ = await business_account(client, "biz@example.com")
    rex = await _pet(client, ann)
    path = f"/v1/pets/{rex['id']}"
    assert (await client.get(path, headers=bob)).status_code == 404

    shared = await client.post(f"{path}/co-owners", json={"email": "BOB@example.com"}, headers=ann)
    assert shared.status_code == 200 and shared.json()["data"]["coOwnerIds"] == [bob_id]
    again = await client.post(f"{path}/co-owners", json={"email": "bob@example.com"}, headers=ann)
    assert again.json()["data"]["coOwnerIds"] == [bob_id]
    assert (await client.get(path, headers=bob)).json()["data"]["name"] == "Rex"
    assert [p["id"] for p in (await client.get("/v1/pets", headers=bob)).json()["data"]] == [rex["id"]]
    # Co-owners look but do not edit.
    edit = await client.put(path, json={"name": "Max"}, headers=bob)
    assert edit.status_code == 403 and error_code(edit) == "FORBIDDEN"
    assert (await client.post(f"{path}/co-owners", json={"email": "eve@example.com"}, headers=bob)).status_code == 403

    for attempt in (
        client.get(path, headers=eve),
        client.put(path, json={"name": "Max"}, headers=eve),
        client.delete(path, headers=eve),
        client.post(f"{path}/co-owners", json={"email": "eve@example.com"}, headers=eve),
        client.delete(f"{path}/co-owners/{bob_id}", headers=eve),
        client.get(path, headers=biz),
    ):
        response = await attempt
        assert response.status_code == 404 and error_code(response) == "NOT_FOUND"
    assert (await client.get("/v1/pets", headers=eve)).json()["data"] == []

    unknown = await client.post(f"{path}/co-owners", json={"email": "nobody@example.com"}, headers=ann)
    assert unknown.status_code == 404
    not_an_owner = await client.post(f"{path}/co-owners", json={"email": "biz@example.com"}, headers=ann)
    assert not_an_owner.status_code == 404
    itself = await client.post(f"{path}/co-owners", json={"email": "ann@example.com"}, headers=ann)
    assert itself.status_code == 422

    removed = await client.delete(f"{path}/co-owners/{bob_id}", headers=ann)
    assert removed.status_code == 200 and removed.json()["data"]["coOwnerIds"] == []
    assert (await client.get(path, headers=bob)).status_code == 404
    assert (await client.delete(f"{path}/co-owners/{bob_id}", headers=ann)).status_code == 404


async def test_a_co_owner_may_leave(client: httpx.AsyncClient) -> None:
    ann, _ = await owner(client, "ann@example.com")
    bob, bob_id = await owner(client, "bob@example.com")
    rex = await _pet(client, ann)
    await client.post(f"/v1/pets/{rex['id']}/co-owners", json={"email": "bob@example.com"}, headers=ann)
    left = await client.delete(f"/v1/pets/{rex['id']}/co-owners/{bob_id}", headers=bob)
    assert left.status_code == 200 and left.json()["data"]["coOwnerIds"] == []


async def test_only_owner_accounts_create_pets(client: httpx.AsyncClient) -> None:
    biz, _ = await business_account(client, "biz@example.com")
    response = await client.post("/v1/pets", json=pet_body(), headers=biz)
    assert response.status_code == 403


BAD_PET_FIELDS: list[dict[str, Any]] = [
    {"species": "dragon"},
    {"species": {"$in": ["dog"]}},
    {"name": {"$gt": ""}},
    {"name": ""},
    {"name": "x" * 101},
    {"age": -1},
    {"age": 41},
    {"age": "3"},
    {"age": float("nan")},
    {"weight": 0},
    {"weight": 150.5},
    {"weight": float("inf")},
    {"weight": True},
    {"notes": "bad\u0000byte"},
]


async def test_bad_pet_fields_are_validation_errors(client: httpx.AsyncClient) -> None:
    ann, _ = await owner(client, "ann@example.com")
    rex = await _pet(client, ann)
    for change in BAD_PET_FIELDS:
        created = await client.post("/v1/pets", **loose_json(pet_body(**change), ann))
        assert created.status_code == 422 and error_code(created) == "VALIDATION_ERROR", (change, created.text)
        updated = await client.put(f"/v1/pets/{rex['id']}", **loose_json(change, ann))
        assert updated.status_code == 422 and error_code(updated) == "VALIDATION_ERROR", (change, updated.text)


async def test_co_owner_email_is_validated(client: httpx.AsyncClient) -> None:
    ann, _ = await owner(client, "ann@example.com")
    rex = await _pet(client, ann)
    for body in ({"email": {"$gt": ""}}, {"email": "nope"}, {}):
        response = await client.post(f"/v1/pets/{rex['id']}/co-owners", json=body, headers=ann)
        assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"


async def test_racing_co_owner_changes_lose_nothing(client: httpx.AsyncClient) -> None:
    import asyncio

    headers, _ = await owner(client, "primary@example.com")
    pet = await client.post("/v1/pets", headers=headers, json={"name": "Rex", "species": "dog", "age": 3, "weight": 20})
    pet_id = pet.json()["data"]["id"]
    friends = [await owner(client, f"friend{i}@example.com") for i in range(6)]
    added = await asyncio.gather(
        *(
            client.post(f"/v1/pets/{pet_id}/co-owners", headers=headers, json={"email": f"friend{i}@example.com"})
            for i in range(6)
        )
    )
    assert [r.status_code for r in added] == [200] * 6
    current = (await client.get(f"/v1/pets/{pet_id}", headers=headers)).json()["data"]
    assert sorted(current["coOwnerIds"]) == sorted(user_id for _, user_id in friends)
    left = await asyncio.gather(
        *(client.delete(f"/v1/pets/{pet_id}/co-owners/{user_id}", headers=h) for h, user_id in friends[:3])
    )
    assert [r.status_code for r in left] == [200] * 3
    current = (await client.get(f"/v1/pets/{pet_id}", headers=headers)).json()["data"]
    assert sorted(current["coOwnerIds"]) == sorted(user_id for _, user_id in friends[3:])
