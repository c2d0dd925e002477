"""Services over REST: the owning business edits; everyone authenticated reads; bad input is a 422."""

from __future__ import annotations

from typing import Any

import httpx

from app.composition import Services
from app.domain.services import ServiceType
from tests.app.marketplace import business_account, error_code, loose_json, owner


def service_body(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Group walk",
        "serviceType": "walking",
        "pricing": {"basePrice": 2500, "currency": "EUR", "priceType": "per_hour", "additionalPetPrice": 500},
        "duration": 60,
        "petTypes": ["dog", "dog", "cat"],
        "maxPets": 3,
        **extra,
    }


async def test_owner_creates_edits_and_withdraws_a_service(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    viewer, _ = await owner(client, "ann@example.com")
    created = await client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=headers)
    assert created.status_code == 201, created.text
    service = created.json()["data"]
    assert service["petTypes"] == ["dog", "cat"]
    assert service["pricing"] == {
        "basePrice": 2500,
        "currency": "EUR",
        "priceType": "per_hour",
        "additionalPetPrice": 500,
    }
    assert await services.store.services.business_ids_offering(ServiceType.WALKING) == {business_id}

    edited = await client.put(
        f"/v1/services/{service['id']}", json={"duration": 90, "description": None}, headers=headers
    )
    assert edited.status_code == 200 and edited.json()["data"]["duration"] == 90
    assert (await client.get(f"/v1/services/{service['id']}", headers=viewer)).json()["data"]["duration"] == 90
    listed = await client.get(f"/v1/businesses/{business_id}/services", headers=viewer)
    assert [s["id"] for s in listed.json()["data"]] == [service["id"]]

    assert (await client.delete(f"/v1/services/{service['id']}", headers=headers)).status_code == 200
    withdrawn = await client.get(f"/v1/services/{service['id']}", headers=viewer)
    assert withdrawn.status_code == 200 and withdrawn.json()["data"]["isActive"] is False
    assert (await client.get(f"/v1/businesses/{business_id}/services", headers=viewer)).json()["data"] == []
    own_list = await client.get(f"/v1/businesses/{business_id}/services", headers=headers)
    assert [s["isActive"] for s in own_list.json()["data"]] == [False]
    assert await services.store.services.business_ids_offering(ServiceType.WALKING) == set()


async def test_others_cannot_add_or_edit_services(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    rival, _ = await business_account(client, "rival@example.com")
    viewer, _ = await owner(client, "ann@example.com")
    service_id = (
        await client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=headers)
    ).json()["data"]["id"]
    for attempt in (
        client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=rival),
        client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=viewer),
        client.put(f"/v1/services/{service_id}", json={"duration": 30}, headers=rival),
        client.delete(f"/v1/services/{service_id}", headers=viewer),
    ):
        response = await attempt
        assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    for method in ("GET", "PUT", "DELETE"):
        missing = await client.request(
            method, "/v1/services/nope", json={} if method == "PUT" else None, headers=headers
        )
        assert missing.status_code == 404
    assert (await client.post("/v1/businesses/nope/services", json=service_body(), headers=headers)).status_code == 404


BAD_SERVICE_FIELDS: list[dict[str, Any]] = [
    {"serviceType": "swimming"},
    {"serviceType": {"$ne": None}},
    {"pricing": {"basePrice": -1, "currency": "EUR", "priceType": "fixed"}},
    {"pricing": {"basePrice": 10.5, "currency": "EUR", "priceType": "fixed"}},
    {"pricing": {"basePrice": "100", "currency": "EUR", "priceType": "fixed"}},
    {"pricing": {"basePrice": True, "currency": "EUR", "priceType": "fixed"}},
    {"pricing": {"basePrice": 100, "currency": "eu", "priceType": "fixed"}},
    {"pricing": {"basePrice": 100, "currency": "EUR", "priceType": "per_week"}},
    {"pricing": {"basePrice": 100, "currency": "EUR", "priceType": "weekly"}},
    {"pricing": {"basePrice": 100, "currency": "EUR", "priceType": "fixed", "additionalPetPrice": -5}},
    {"pricing": {"basePrice": float("nan"), "currency": "EUR", "priceType": "fixed"}},
    {"duration": 10},
    {"duration": 1441},
    {"duration": float("inf")},
    {"petTypes": []},
    {"petTypes": ["dragon"]},
    {"maxPets": 0},
    {"maxPets": 11},
    {"name": None},
]


async def test_bad_service_fields_are_validation_errors(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    created = await client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=headers)
    service_id = created.json()["data"]["id"]
    for change in BAD_SERVICE_FIELDS:
        body = loose_json(service_body(**change), headers)
        refused = await client.post(f"/v1/businesses/{business_id}/services", **body)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", (change, refused.text)
        updated = await client.put(f"/v1/services/{service_id}", **loose_json(change, headers))
        assert updated.status_code == 422 and error_code(updated) == "VALIDATION_ERROR", (change, updated.text)


async def test_a_price_below_the_minimum_charge_is_a_422_naming_field_unit_and_minimum(
    client: httpx.AsyncClient,
) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    service_id = (
        await client.post(f"/v1/businesses/{business_id}/services", json=service_body(), headers=headers)
    ).json()["data"]["id"]
    # 25 meaning 25 dollars would be a 0.25 USD walk.
    cheap = {"pricing": {"basePrice": 25, "currency": "USD", "priceType": "fixed"}}
    for refused in (
        await client.post(f"/v1/businesses/{business_id}/services", json=service_body(**cheap), headers=headers),
        await client.put(f"/v1/services/{service_id}", json=cheap, headers=headers),
    ):
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", refused.text
        [detail] = refused.json()["error"]["details"]
        assert detail["field"] == "body.pricing.basePrice"
        assert "minor units of USD" in detail["message"] and "50 (0.50 USD)" in detail["message"]
    extra = {"pricing": {"basePrice": 5000, "currency": "JPY", "priceType": "fixed", "additionalPetPrice": 5}}
    refused = await client.post(f"/v1/businesses/{business_id}/services", json=service_body(**extra), headers=headers)
    assert refused.status_code == 422, refused.text
    [detail] = refused.json()["error"]["details"]
    assert detail["field"] == "body.pricing.additionalPetPrice" and "50 (50 JPY)" in detail["message"]
    unchanged = await client.get(f"/v1/services/{service_id}", headers=headers)
    assert unchanged.json()["data"]["pricing"]["basePrice"] == 2500
