"""Workers: `bio`, `experience` (years, bounded) and `certifications`, in the export and gone at erasure."""

from __future__ import annotations

from typing import Any

import httpx

from app.composition import Services
from tests.app.marketplace import business_account, error_code
from tests.support.api import PASSWORD

PROFILE = {"bio": "Ten years of walks", "experience": 10, "certifications": ["Pet first aid"]}


async def test_bounded_exported_and_erased(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    body = {"email": "wes@example.com", "firstName": "Wes", "lastName": "W", "password": PASSWORD, **PROFILE}
    created = await client.post(f"/v1/businesses/{business_id}/workers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    worker_id = created.json()["data"]["id"]
    bad_changes: list[dict[str, Any]] = [
        {"experience": 81},
        {"experience": -1},
        {"experience": 2.5},
        {"experience": "3"},
        {"bio": "x" * 2001},
        {"certifications": ["x"] * 21},
        {"certifications": ["x" * 201]},
    ]
    for bad in bad_changes:
        refused = await client.put(f"/v1/workers/{worker_id}", json=bad, headers=headers)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", bad
    login = await client.post("/v1/auth/login", json={"email": "wes@example.com", "password": PASSWORD})
    worker_headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}

    exported = (await client.get("/v1/users/me/export", headers=worker_headers)).json()["data"]
    assert {key: exported["workerProfile"][key] for key in PROFILE} == PROFILE
    assert (await client.delete("/v1/users/me", headers=worker_headers)).status_code == 200

    erased = await services.store.workers.get(worker_id)
    assert erased is not None and (erased.bio, erased.experience, erased.certifications) == (None, None, [])
