"""Workers over REST: a business hires them with a login account; who may edit which profile fields."""

from __future__ import annotations

from typing import Any

import httpx

from app.composition import Services
from tests.app.marketplace import business_account, error_code, loose_json, owner
from tests.support.api import PASSWORD, bearer


def worker_body(email: str = "walker@example.com", **extra: Any) -> dict[str, Any]:
    return {
        "email": email,
        "firstName": "Wes",
        "lastName": "Walker",
        "password": PASSWORD,
        "specializations": ["dog", "cat", "dog"],
        "availability": [
            {"dayOfWeek": 1, "startTime": "13:00", "endTime": "17:00"},
            {"dayOfWeek": 1, "startTime": "08:00", "endTime": "12:00"},
        ],
        **extra,
    }


async def _hire(client: httpx.AsyncClient, headers: dict[str, str], business_id: str, email: str) -> dict[str, Any]:
    response = await client.post(f"/v1/businesses/{business_id}/workers", json=worker_body(email), headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _login(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["data"])


async def test_business_hires_a_worker_who_can_log_in(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    worker = await _hire(client, headers, business_id, "walker@example.com")
    assert worker["businessId"] == business_id and worker["specializations"] == ["dog", "cat"]
    assert worker["availability"][0] == {"dayOfWeek": 1, "startTime": "08:00", "endTime": "12:00"}  # sorted
    assert (worker["online"], worker["isActive"], worker["rating"]) == (False, True, {"average": 0.0, "count": 0})
    login = await client.post("/v1/auth/login", json={"email": "walker@example.com", "password": PASSWORD})
    user = login.json()["data"]["user"]
    assert (user["role"], user["workerId"], user["businessId"]) == ("worker", worker["id"], business_id)
    assert (await services.store.workers.get_many([worker["id"], "nope"])).keys() == {worker["id"]}
    assert [w.id for w in await services.store.workers.list_for_business(business_id)] == [worker["id"]]
    duplicate = await client.post(f"/v1/businesses/{business_id}/workers", json=worker_body(), headers=headers)
    assert duplicate.status_code == 409


async def test_listing_is_for_the_business_and_paginated(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    rival, _ = await business_account(client, "rival@example.com")
    ids = [(await _hire(client, headers, business_id, f"w{i}@example.com"))["id"] for i in range(3)]
    listed = await client.get(f"/v1/businesses/{business_id}/workers", params={"page": 2, "limit": 2}, headers=headers)
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["data"]] == ids[2:]
    assert listed.json()["meta"] == {"page": 2, "limit": 2, "total": 3}
    assert (await client.get(f"/v1/businesses/{business_id}/workers", headers=rival)).status_code == 403
    assert (
        await client.post(f"/v1/businesses/{business_id}/workers", json=worker_body("x@example.com"), headers=rival)
    ).status_code == 403


async def test_who_edits_what(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    rival, _ = await business_account(client, "rival@example.com")
    viewer, _ = await owner(client, "ann@example.com")
    worker = await _hire(client, headers, business_id, "walker@example.com")
    path = f"/v1/workers/{worker['id']}"
    me = await _login(client, "walker@example.com")

    by_business = await client.put(path, json={"specializations": ["bird"], "firstName": "Wendy"}, headers=headers)
    assert by_business.status_code == 200 and by_business.json()["data"]["specializations"] == ["bird"]
    by_self = await client.put(
        path,
        json={
            "availability": [{"dayOfWeek": 6, "startTime": "09:00", "endTime": "10:00"}],
            "phone": "+33 6 12 34 56 78",
        },
        headers=me,
    )
    assert by_self.status_code == 200 and by_self.json()["data"]["phone"] == "+33 6 12 34 56 78"
    account = await client.get("/v1/users/me", headers=me)
    assert (account.json()["data"]["firstName"], account.json()["data"]["phone"]) == ("Wendy", "+33 6 12 34 56 78")

    for editor, change in (
        (me, {"specializations": ["dog"]}),
        (headers, {"phone": "+33 1 00 00 00 00"}),
        (rival, {"availability": []}),
        (viewer, {"availability": []}),
    ):
        refused = await client.put(path, json=change, headers=editor)
        assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"

    public = (await client.get(path, headers=viewer)).json()["data"]
    assert public["firstName"] == "Wendy" and public["email"] is None and public["phone"] is None
    assert (await client.get(path, headers=headers)).json()["data"]["email"] == "walker@example.com"
    assert (await client.get("/v1/workers/nope", headers=viewer)).status_code == 404
    assert (await client.put("/v1/workers/nope", json={}, headers=headers)).status_code == 404


BAD_WORKER_FIELDS: list[dict[str, Any]] = [
    {"specializations": ["dragon"]},
    {"specializations": "dog"},
    {"availability": {"mon": [{"start": "08:00", "end": "09:00"}]}},
    {"availability": [{"dayOfWeek": "mon", "startTime": "08:00", "endTime": "09:00"}]},
    {"availability": [{"dayOfWeek": 7, "startTime": "08:00", "endTime": "09:00"}]},
    {"availability": [{"dayOfWeek": 1, "startTime": "25:00", "endTime": "26:00"}]},
    {"availability": [{"dayOfWeek": 1, "startTime": "08:00"}]},
    {"availability": [{"dayOfWeek": 1, "startTime": "08:00", "endTime": "09:00"}] * 85},
    {"bio": "x" * 2001},
    {"experience": -1},
    {"experience": 81},
    {"certifications": [""]},
    {"firstName": {"$gt": ""}},
    {"firstName": None},
]


async def test_bad_worker_fields_are_validation_errors(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    worker = await _hire(client, headers, business_id, "walker@example.com")
    account_only: list[dict[str, Any]] = [{"password": "short1"}, {"email": "not-an-email"}, {"email": {"$gt": ""}}]
    for change in [*BAD_WORKER_FIELDS, *account_only]:
        body = {**worker_body("new@example.com"), **change}
        created = await client.post(f"/v1/businesses/{business_id}/workers", **loose_json(body, headers))
        assert created.status_code == 422 and error_code(created) == "VALIDATION_ERROR", (change, created.text)
    for change in BAD_WORKER_FIELDS:
        updated = await client.put(f"/v1/workers/{worker['id']}", **loose_json(change, headers))
        assert updated.status_code == 422 and error_code(updated) == "VALIDATION_ERROR", (change, updated.text)
