"""Businesses over REST: ownership, validation of GeoJSON and hours, soft delete, and geo search."""

from __future__ import annotations

from typing import Any

import httpx

from app.composition import Services
from tests.app.marketplace import business_account, business_body, error_code, loose_json, owner, square
from tests.support.api import bearer, register


async def test_business_account_creates_and_owns_its_business(client: httpx.AsyncClient, services: Services) -> None:
    session = await register(client, "biz@example.com", role="business")
    hours = [{"dayOfWeek": 1, "openTime": "08:00", "closeTime": "18:30"}]
    response = await client.post("/v1/businesses", json=business_body(operatingHours=hours), headers=bearer(session))
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["ownerId"] == session["user"]["id"]
    assert data["address"]["coordinates"] == [2.35, 48.85]
    assert data["serviceArea"]["type"] == "Polygon"
    assert data["rating"] == {"average": 0.0, "count": 0}
    assert (data["premium"], data["isActive"], data["operatingHours"]) == (False, True, hours)
    user = await services.store.users.get(session["user"]["id"])
    assert user is not None and user.business_id == data["id"]
    # The token predates the business; ownership is checked against the stored ownerId.
    edited = await client.put(f"/v1/businesses/{data['id']}", json={"name": "Paws 2"}, headers=bearer(session))
    assert edited.status_code == 200 and edited.json()["data"]["name"] == "Paws 2"
    again = await client.post("/v1/businesses", json=business_body(), headers=bearer(session))
    assert again.status_code == 409 and error_code(again) == "CONFLICT"


async def test_only_business_accounts_create_and_only_owners_edit(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    other, _ = await business_account(client, "rival@example.com")
    pet_owner, _ = await owner(client, "ann@example.com")
    refused = await client.post("/v1/businesses", json=business_body(), headers=pet_owner)
    assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"
    assert (await client.get(f"/v1/businesses/{business_id}", headers=pet_owner)).status_code == 200
    for attempt in (
        client.put(f"/v1/businesses/{business_id}", json={"name": "Mine"}, headers=other),
        client.delete(f"/v1/businesses/{business_id}", headers=other),
        client.put(f"/v1/businesses/{business_id}", json={"name": "Mine"}, headers=pet_owner),
    ):
        response = await attempt
        assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    premium = await client.put(f"/v1/businesses/{business_id}", json={"premium": True}, headers=headers)
    assert premium.status_code == 403
    # Reading is public; a write without a token is not.
    assert (await client.get(f"/v1/businesses/{business_id}")).status_code == 200
    assert (await client.put(f"/v1/businesses/{business_id}", json={"name": "X"})).status_code == 401


async def test_delete_is_soft_and_hides_the_business(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    assert (await client.delete(f"/v1/businesses/{business_id}", headers=headers)).json()["data"] == {"deleted": True}
    gone = await client.get(f"/v1/businesses/{business_id}", headers=headers)
    assert gone.status_code == 404 and error_code(gone) == "NOT_FOUND"
    stored = await services.store.businesses.get(business_id)
    assert stored is not None and not stored.is_active and stored.deleted_at is not None
    assert (await client.delete(f"/v1/businesses/{business_id}", headers=headers)).status_code == 404
    search = await client.get("/v1/businesses/search", params={"lat": 48.85, "lng": 2.35}, headers=headers)
    assert search.json()["meta"]["total"] == 0


BAD_AREAS: list[tuple[Any, str]] = [
    ({"type": "Point", "coordinates": [2.35, 48.85]}, "serviceArea.type"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}, "serviceArea.coordinates[0]"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "serviceArea.coordinates"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 95], [0, 0]]]}, "serviceArea.coordinates[0][2][1]"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["1", 1], [0, 0]]]}, "serviceArea.coordinates[0][2][0]"),
    ({"type": "Polygon"}, "serviceArea.coordinates"),
    ({"type": "MultiPolygon", "coordinates": []}, "serviceArea.coordinates"),
]


async def test_bad_service_areas_are_refused_with_the_reason_and_path(client: httpx.AsyncClient) -> None:
    # One account for all cases: each case is a request, not a password hash.
    session = await register(client, "biz@example.com", role="business")
    for area, field in BAD_AREAS:
        response = await client.post("/v1/businesses", json=business_body(serviceArea=area), headers=bearer(session))
        assert response.status_code == 422, (area, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["details"][0]["field"] == field, area
        assert error["details"][0]["message"]


BAD_BUSINESS_FIELDS: list[dict[str, Any]] = [
    {"serviceArea": "not geojson"},
    {"serviceArea": {"$gt": ""}},
    {"name": {"$gt": ""}},
    {"name": ""},
    {"address": {"coordinates": [float("nan"), 48.0]}},
    {"address": {"coordinates": [200, 48.0]}},
    {"address": {"coordinates": "2.35,48.85"}},
    {"operatingHours": {"mon": {"open": "08:00", "close": "09:00"}}},
    {"operatingHours": [{"dayOfWeek": 7, "openTime": "08:00", "closeTime": "09:00"}]},
    {"operatingHours": [{"dayOfWeek": 1, "openTime": "8am", "closeTime": "09:00"}]},
    {"operatingHours": [{"dayOfWeek": 1, "openTime": "08:00", "closeTime": "09:00"}] * 29},
    {"timezone": "Mars/Olympus"},
    {"timezone": "../../etc/passwd"},
    {"businessType": "cooperative"},
    {"contactInfo": {"website": "ftp://example.com"}},
    {"address": {"coordinates": {"type": "Point", "coordinates": [2.35, 48.85], "bbox": []}}},
    {"premium": "yes"},
]


async def test_bad_business_fields_are_validation_errors(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    for change in BAD_BUSINESS_FIELDS:
        created = await client.post("/v1/businesses", **loose_json({**business_body(), **change}, headers))
        # The account already has a business (409), but validation comes first.
        assert created.status_code == 422 and error_code(created) == "VALIDATION_ERROR", (change, created.text)
        updated = await client.put(f"/v1/businesses/{business_id}", **loose_json(change, headers))
        assert updated.status_code == 422 and error_code(updated) == "VALIDATION_ERROR", (change, updated.text)


async def test_update_moves_the_business_in_search(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    moved = {"address": {"coordinates": [-0.1276, 51.5072]}, "serviceArea": square(-0.1276, 51.5072, 0.1)}
    response = await client.put(f"/v1/businesses/{business_id}", json=moved, headers=headers)
    assert response.status_code == 200 and response.json()["data"]["address"]["coordinates"] == [-0.1276, 51.5072]
    london = await client.get("/v1/businesses/search", params={"lat": 51.51, "lng": -0.13}, headers=headers)
    assert [hit["id"] for hit in london.json()["data"]] == [business_id]
    paris = await client.get("/v1/businesses/search", params={"lat": 48.85, "lng": 2.35}, headers=headers)
    assert paris.json()["data"] == []


async def _service(client: httpx.AsyncClient, headers: dict[str, str], business_id: str, kind: str) -> None:
    body = {
        "name": kind.title(),
        "serviceType": kind,
        "pricing": {"basePrice": 2000, "currency": "EUR", "priceType": "fixed"},
        "duration": 60,
        "petTypes": ["dog"],
    }
    response = await client.post(f"/v1/businesses/{business_id}/services", json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_search_orders_by_distance_and_filters(client: httpx.AsyncClient) -> None:
    # Three businesses east of the point; only the nearest two cover it with their service area.
    near_h, near = await business_account(client, "near@example.com", lng=2.36)
    mid_h, mid = await business_account(client, "mid@example.com", lng=2.38)
    far_h, far = await business_account(client, "far@example.com", lng=2.45, serviceArea=square(2.45, 48.85, 0.01))
    await _service(client, near_h, near, "grooming")
    await _service(client, mid_h, mid, "walking")
    await _service(client, far_h, far, "walking")
    viewer, _ = await owner(client, "ann@example.com")

    async def search(**params: Any) -> dict[str, Any]:
        response = await client.get(
            "/v1/businesses/search", params={"lat": 48.85, "lng": 2.35, **params}, headers=viewer
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    everything = await search(radius=10_000)
    assert [hit["id"] for hit in everything["data"]] == [near, mid, far]
    assert [hit["servesLocation"] for hit in everything["data"]] == [True, True, False]
    assert 700 < everything["data"][0]["distanceM"] < 750  # 0.01 degree of longitude at 48.85 N
    assert everything["meta"] == {"page": 1, "limit": 20, "total": 3}
    assert [hit["id"] for hit in (await search(radius=2_000))["data"]] == [near]
    assert [hit["id"] for hit in (await search(radius=10_000, serviceType="walking"))["data"]] == [mid, far]
    serving_walkers = await search(radius=10_000, serviceType="walking", servesLocation="true")
    assert [hit["id"] for hit in serving_walkers["data"]] == [mid]
    second_page = await search(radius=10_000, page=2, limit=2)
    assert [hit["id"] for hit in second_page["data"]] == [far] and second_page["meta"]["total"] == 3


BAD_SEARCHES: list[dict[str, Any]] = [
    {"lat": "nan", "lng": 2.35},
    {"lat": 48.85, "lng": "inf"},
    {"lat": 91, "lng": 2.35},
    {"lat": 48.85, "lng": -181},
    {"lat": "north", "lng": 2.35},
    {"lng": 2.35},
    {"lat": 48.85, "lng": 2.35, "radius": 0},
    {"lat": 48.85, "lng": 2.35, "radius": 50_001},
    {"lat": 48.85, "lng": 2.35, "radius": -5},
    {"lat": 48.85, "lng": 2.35, "serviceType": "swimming"},
    {"lat": 48.85, "lng": 2.35, "serviceType": '{"$gt": ""}'},
    {"lat": 48.85, "lng": 2.35, "limit": 0},
    {"lat": 48.85, "lng": 2.35, "limit": 101},
    {"lat": 48.85, "lng": 2.35, "page": 0},
]


async def test_bad_search_parameters_are_validation_errors(client: httpx.AsyncClient) -> None:
    viewer, _ = await owner(client, "ann@example.com")
    for params in BAD_SEARCHES:
        response = await client.get("/v1/businesses/search", params=params, headers=viewer)
        assert response.status_code == 422, (params, response.text)
        assert error_code(response) == "VALIDATION_ERROR"
        assert response.json()["error"]["details"], params


async def test_unknown_business_ids_are_not_found(client: httpx.AsyncClient) -> None:
    headers, _ = await business_account(client, "biz@example.com")
    for method, path in (
        ("GET", "/v1/businesses/nope"),
        ("PUT", "/v1/businesses/nope"),
        ("DELETE", "/v1/businesses/nope"),
        ("GET", "/v1/businesses/nope/services"),
        ("GET", "/v1/businesses/%7B%22%24gt%22%3A%22%22%7D"),
    ):
        response = await client.request(method, path, json={"name": "x"} if method == "PUT" else None, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
