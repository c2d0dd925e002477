"""Public marketplace reads: browse, service search, one business and its services, review lists.

No token needed; anonymous answers never carry an account id, an email, a phone or a worker's position;
suspended and deleted businesses never appear.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.composition import Services
from tests.app.marketplace import admin_headers, business_account, error_code, owner, square
from tests.app.test_services import service_body


def _no_private_data(response: httpx.Response) -> None:
    text = response.text
    for private in ("ownerId", "email", "phone", "userId", "@example.com"):
        assert private not in text, private


async def _business(
    client: httpx.AsyncClient, email: str, name: str, lng: float, lat: float, **service: Any
) -> tuple[dict[str, str], str]:
    headers, business_id = await business_account(client, email, lng=lng, lat=lat, name=name)
    created = await client.post(f"/v1/businesses/{business_id}/services", json=service_body(**service), headers=headers)
    assert created.status_code == 201, created.text
    # A worker with contact details, to make sure nothing of theirs shows up in public answers.
    hired = await client.post(
        f"/v1/businesses/{business_id}/workers",
        json={
            "email": f"walker-{business_id}@example.com",
            "firstName": "Wally",
            "lastName": "Walker",
            "password": "walker-pass-1",
            "specializations": ["dog"],
            "phone": "+33 6 12 34 56 78",
        },
        headers=headers,
    )
    assert hired.status_code == 201, hired.text
    return headers, business_id


async def test_browse_is_public_paged_filtered_and_never_shows_suspended_or_deleted(
    client: httpx.AsyncClient, services: Services
) -> None:
    _, paws = await _business(client, "a@example.com", "Happy Paws", 2.35, 48.85)
    _, cats = await _business(client, "b@example.com", "Cat Palace", 2.36, 48.86, serviceType="sitting")
    gone_headers, gone = await _business(client, "c@example.com", "Paws Gone", 2.37, 48.87)
    _, suspended = await _business(client, "d@example.com", "Paws Suspended", 2.38, 48.88)
    assert (await client.delete(f"/v1/businesses/{gone}", headers=gone_headers)).status_code == 200
    admin = await admin_headers(client, services)
    assert (await client.post(f"/v1/admin/businesses/{suspended}/suspend", headers=admin)).status_code == 200

    everything = await client.get("/v1/businesses")
    assert everything.status_code == 200, everything.text
    assert {b["id"] for b in everything.json()["data"]} == {paws, cats}
    assert everything.json()["meta"] == {"page": 1, "limit": 20, "total": 2}
    _no_private_data(everything)

    named = await client.get("/v1/businesses", params={"q": "PAWS"})
    assert [b["name"] for b in named.json()["data"]] == ["Happy Paws"]
    sitting = await client.get("/v1/businesses", params={"serviceType": "sitting"})
    assert [b["id"] for b in sitting.json()["data"]] == [cats]
    # The deleted and the suspended business offer walking too; neither is shown or counted.
    walking = await client.get("/v1/businesses", params={"serviceType": "walking"})
    assert [b["id"] for b in walking.json()["data"]] == [paws] and walking.json()["meta"]["total"] == 1
    second = await client.get("/v1/businesses", params={"page": 2, "limit": 1})
    assert len(second.json()["data"]) == 1 and second.json()["meta"]["total"] == 2


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": 10_001}, {"limit": 0}, {"limit": 101}, {"q": "x" * 101}, {"serviceType": "flying"}],
)
async def test_browse_refuses_out_of_range_queries(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/v1/businesses", params=params)
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"


async def test_service_search_finds_services_of_businesses_serving_the_point(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers, near = await _business(client, "a@example.com", "Near", 2.35, 48.85, petTypes=["dog"])
    cat_sitting = await client.post(
        f"/v1/businesses/{near}/services",
        json=service_body(name="Cat sitting", serviceType="sitting", petTypes=["cat"]),
        headers=headers,
    )
    assert cat_sitting.status_code == 201
    # Close by, but its area stops short of the point.
    _, elsewhere = await _business(client, "b@example.com", "Elsewhere", 2.45, 48.85)
    await client.put(f"/v1/businesses/{elsewhere}", json={"serviceArea": square(2.45, 48.85, 0.02)}, headers=headers)

    found = await client.get("/v1/services/search", params={"lat": 48.85, "lng": 2.351})
    assert found.status_code == 200, found.text
    hits = found.json()["data"]
    assert {hit["business"]["id"] for hit in hits} == {near}
    assert {hit["name"] for hit in hits} == {"Group walk", "Cat sitting"}
    assert all(0 < hit["business"]["distanceM"] < 200 for hit in hits)
    _no_private_data(found)

    walking = await client.get(
        "/v1/services/search", params={"lat": 48.85, "lng": 2.351, "serviceType": "walking", "petType": "dog"}
    )
    assert [hit["name"] for hit in walking.json()["data"]] == ["Group walk"]
    cats = await client.get("/v1/services/search", params={"lat": 48.85, "lng": 2.351, "petType": "cat"})
    assert [hit["name"] for hit in cats.json()["data"]] == ["Cat sitting"]
    nowhere = await client.get("/v1/services/search", params={"lat": 10, "lng": 10})
    assert nowhere.json()["data"] == [] and nowhere.json()["meta"]["total"] == 0

    admin = await admin_headers(client, services)
    await client.post(f"/v1/admin/businesses/{near}/suspend", headers=admin)
    assert (await client.get("/v1/services/search", params={"lat": 48.85, "lng": 2.351})).json()["data"] == []


@pytest.mark.parametrize(
    "params", [{"lat": 48.85}, {"lat": 91, "lng": 2}, {"lat": 48, "lng": 2, "radius": 50_001}, {"lat": 48, "lng": "x"}]
)
async def test_service_search_refuses_bad_points(client: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await client.get("/v1/services/search", params=params)
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"


async def test_public_reads_show_public_views_to_anonymous_callers(client: httpx.AsyncClient) -> None:
    _, business_id = await _business(client, "a@example.com", "Happy Paws", 2.35, 48.85)
    viewer, _ = await owner(client, "ann@example.com")
    for path in (
        f"/v1/businesses/{business_id}",
        f"/v1/businesses/{business_id}/services",
        f"/v1/businesses/{business_id}/reviews",
        "/v1/businesses/search?lat=48.85&lng=2.35",
    ):
        anonymous = await client.get(path)
        assert anonymous.status_code == 200, (path, anonymous.text)
        _no_private_data(anonymous)
        # A signed-in caller keeps the full view.
        assert (await client.get(path, headers=viewer)).status_code == 200
    full = await client.get(f"/v1/businesses/{business_id}", headers=viewer)
    assert "ownerId" in full.json()["data"]
    hit = (await client.get("/v1/businesses/search?lat=48.85&lng=2.35")).json()["data"][0]
    assert hit["id"] == business_id and hit["servesLocation"] is True and "distanceM" in hit
    # A token that is sent must be valid, even on a public route.
    bad = await client.get(f"/v1/businesses/{business_id}", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    # Workers and their positions stay private.
    assert (await client.get(f"/v1/businesses/{business_id}/workers")).status_code == 401
    assert (await client.get("/v1/locations/workers?lat=48.85&lng=2.35")).status_code == 401


async def test_a_suspended_business_is_hidden_from_the_public_but_not_from_its_owner(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers, business_id = await _business(client, "a@example.com", "Happy Paws", 2.35, 48.85)
    admin = await admin_headers(client, services)
    assert (await client.post(f"/v1/admin/businesses/{business_id}/suspend", headers=admin)).status_code == 200
    viewer, _ = await owner(client, "ann@example.com")
    for caller in ({}, viewer):
        assert (await client.get(f"/v1/businesses/{business_id}", headers=caller)).status_code == 404
        assert (await client.get(f"/v1/businesses/{business_id}/services", headers=caller)).status_code == 404
        search = await client.get("/v1/businesses/search?lat=48.85&lng=2.35", headers=caller)
        assert search.json()["data"] == []
        assert (await client.get(f"/v1/businesses/{business_id}/reviews", headers=caller)).status_code == 404
    own = await client.get(f"/v1/businesses/{business_id}", headers=headers)
    assert own.status_code == 200
    assert (await client.get(f"/v1/businesses/{business_id}/reviews", headers=headers)).status_code == 200
    assert (await client.post(f"/v1/admin/businesses/{business_id}/reinstate", headers=admin)).status_code == 200
    assert [b["id"] for b in (await client.get("/v1/businesses/search?lat=48.85&lng=2.35")).json()["data"]] == [
        business_id
    ]


async def test_browse_shows_every_write_at_once(client: httpx.AsyncClient, services: Services) -> None:
    """Browse answers are kept against the store's change counters (app/store/listing.py): each read below
    follows a write that must show in it."""

    async def browse(**params: Any) -> list[str]:
        answer = await client.get("/v1/businesses", params=params)
        assert answer.status_code == 200, answer.text
        names = [b["name"] for b in answer.json()["data"]]
        assert answer.json()["meta"]["total"] == len(names)
        return names

    headers, paws = await _business(client, "a@example.com", "Happy Paws", 2.35, 48.85)
    assert await browse() == ["Happy Paws"] and await browse(serviceType="sitting") == []
    await _business(client, "b@example.com", "Cat Palace", 2.36, 48.86, serviceType="sitting")
    assert sorted(await browse()) == ["Cat Palace", "Happy Paws"]
    assert await browse(serviceType="sitting") == ["Cat Palace"]
    renamed = await client.put(f"/v1/businesses/{paws}", json={"name": "Happy Tails"}, headers=headers)
    assert renamed.status_code == 200, renamed.text
    assert await browse(q="paws") == [] and await browse(q="tails") == ["Happy Tails"]
    sitting = await client.post(
        f"/v1/businesses/{paws}/services", json=service_body(serviceType="sitting"), headers=headers
    )
    assert sitting.status_code == 201, sitting.text
    assert sorted(await browse(serviceType="sitting")) == ["Cat Palace", "Happy Tails"]
    withdrawn = await client.delete(f"/v1/services/{sitting.json()['data']['id']}", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert await browse(serviceType="sitting") == ["Cat Palace"]
    admin = await admin_headers(client, services)
    assert (await client.post(f"/v1/admin/businesses/{paws}/suspend", headers=admin)).status_code == 200
    assert await browse() == ["Cat Palace"] and await browse(q="tails") == []
    assert (await client.post(f"/v1/admin/businesses/{paws}/reinstate", headers=admin)).status_code == 200
    assert await browse(q="tails") == ["Happy Tails"]
    assert (await client.delete(f"/v1/businesses/{paws}", headers=headers)).status_code == 200
    assert await browse() == ["Cat Palace"] and await browse(serviceType="walking") == []
