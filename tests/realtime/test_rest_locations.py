"""REST side of the live plane: nearby search, presence, the location fallback, and one end-to-end run
through the marketplace routes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from app.auth.principal import Principal
from app.composition import Services
from app.domain.users import Role
from app.rest.routers.locations import NearbyPage
from app.usecases.live import nearby
from geo.coordinates import LngLat
from geo.distance import destination
from tests.app.marketplace import business_account, loose_json
from tests.realtime.conftest import LAT, LNG, add_worker
from tests.support.api import PASSWORD, register

CENTER = LngLat(LNG, LAT)


def now_ms() -> int:
    return int(time.time() * 1000)


def auth(
    services: Services, role: Role, business_id: str | None = None, worker_id: str | None = None
) -> dict[str, str]:
    token = services.access_tokens.issue(Principal(f"u-{role}", role, business_id, worker_id), services.clock.now())
    return {"Authorization": f"Bearer {token}"}


def bearer_of(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def online_worker_at(
    client: httpx.AsyncClient, services: Services, business_id: str, bearing: float, distance_m: float
) -> str:
    worker_id, token = await add_worker(services, business_id)
    response = await client.post(f"/v1/workers/{worker_id}/online", headers=bearer_of(token))
    assert response.status_code == 200, response.text
    position = destination(CENTER, bearing, distance_m)
    response = await client.put(
        f"/v1/workers/{worker_id}/location",
        json={"coordinates": [position.lng, position.lat], "accuracy": 5},
        headers=bearer_of(token),
    )
    assert response.json()["data"] == {"accepted": 1}, response.text
    return worker_id


def nearby_params(**extra: Any) -> dict[str, Any]:
    return {"lat": LAT, "lng": LNG, "radius": 2000, **extra}


async def test_nearby_nearest_first_with_coordinates_only_for_admins_and_own_business(
    client: httpx.AsyncClient, services: Services
) -> None:
    far = await online_worker_at(client, services, "b1", 90, 1500)
    near = await online_worker_at(client, services, "b2", 0, 300)
    await online_worker_at(client, services, "b1", 0, 2500)  # outside the radius

    admin = (
        await client.get("/v1/locations/workers", params=nearby_params(), headers=auth(services, Role.ADMIN))
    ).json()
    assert [w["workerId"] for w in admin["data"]] == [near, far]
    first = admin["data"][0]
    assert first["businessId"] == "b2"
    assert first["distanceM"] == pytest.approx(300, abs=1)
    assert first["rating"] == {"average": 0.0, "count": 0}
    assert first["lastSeenAt"].endswith("Z")
    assert first["coordinates"] == pytest.approx(list(destination(CENTER, 0, 300)))

    owner = await client.get("/v1/locations/workers", params=nearby_params(), headers=auth(services, Role.OWNER))
    assert all("coordinates" not in w for w in owner.json()["data"])
    assert [w["workerId"] for w in owner.json()["data"]] == [near, far]

    b1 = await client.get(
        "/v1/locations/workers", params=nearby_params(), headers=auth(services, Role.BUSINESS, business_id="b1")
    )
    visible = {w["workerId"]: "coordinates" in w for w in b1.json()["data"]}
    assert visible == {near: False, far: True}


async def test_nearby_skips_offline_unavailable_and_inactive_workers(
    client: httpx.AsyncClient, services: Services
) -> None:
    offline = await online_worker_at(client, services, "b1", 0, 100)
    busy = await online_worker_at(client, services, "b1", 0, 200)
    free = await online_worker_at(client, services, "b1", 0, 300)
    inactive, token = await add_worker(services, "b1", active=False)
    await client.post(f"/v1/workers/{inactive}/online", headers=bearer_of(token))
    await client.put(f"/v1/workers/{inactive}/location", json={"coordinates": [LNG, LAT]}, headers=bearer_of(token))
    admin = auth(services, Role.ADMIN)
    assert (await client.post(f"/v1/workers/{offline}/offline", headers=admin)).json()["data"]["online"] is False
    response = await client.post(f"/v1/workers/{busy}/online", json={"available": False}, headers=admin)
    assert response.json()["data"]["available"] is False
    found = (await client.get("/v1/locations/workers", params=nearby_params(), headers=admin)).json()["data"]
    assert [w["workerId"] for w in found] == [free]


async def test_nearby_service_type_filter(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "walks@example.com", lng=LNG, lat=LAT)
    service = {
        "name": "Walk",
        "serviceType": "walking",
        "pricing": {"basePrice": 2000, "currency": "GBP", "priceType": "fixed"},
        "duration": 30,
        "petTypes": ["dog"],
    }
    response = await client.post(f"/v1/businesses/{business_id}/services", json=service, headers=headers)
    assert response.status_code == 201, response.text
    walker = await online_worker_at(client, services, business_id, 0, 100)
    await online_worker_at(client, services, "other-business", 0, 50)
    owner = auth(services, Role.OWNER)
    found = await client.get("/v1/locations/workers", params=nearby_params(serviceType="walking"), headers=owner)
    assert [w["workerId"] for w in found.json()["data"]] == [walker]
    none = await client.get("/v1/locations/workers", params=nearby_params(serviceType="grooming"), headers=owner)
    assert none.json()["data"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 91, "lng": 0},
        {"lat": 0, "lng": -181},
        {"lat": "nan", "lng": 0},
        {"lat": 0, "lng": "inf"},
        {"lat": "x", "lng": 0},
        {"lng": 0},
        {"lat": 0, "lng": 0, "radius": 0},
        {"lat": 0, "lng": 0, "radius": -5},
        {"lat": 0, "lng": 0, "radius": "nan"},
        {"lat": 0, "lng": 0, "limit": 0},
        {"lat": 0, "lng": 0, "limit": 101},
        {"lat": 0, "lng": 0, "serviceType": "flying"},
        {"lat": 0, "lng": 0, "serviceType": "[$ne]"},
    ],
)
async def test_nearby_validation(client: httpx.AsyncClient, services: Services, params: dict[str, Any]) -> None:
    response = await client.get("/v1/locations/workers", params=params, headers=auth(services, Role.OWNER))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_nearby_radius_is_capped_and_auth_is_required(client: httpx.AsyncClient, services: Services) -> None:
    await online_worker_at(client, services, "b1", 0, 49_000)
    far = await online_worker_at(client, services, "b1", 0, 51_000)
    found = await client.get(
        "/v1/locations/workers", params=nearby_params(radius=10**7), headers=auth(services, Role.OWNER)
    )
    assert found.status_code == 200
    assert far not in [w["workerId"] for w in found.json()["data"]]
    assert len(found.json()["data"]) == 1
    assert (await client.get("/v1/locations/workers", params=nearby_params())).status_code == 401


async def test_presence_permissions(client: httpx.AsyncClient, services: Services) -> None:
    worker_id, token = await add_worker(services, "b1")
    other_worker, other_token = await add_worker(services, "b1")
    cases = [
        (bearer_of(other_token), 403),
        (auth(services, Role.OWNER), 403),
        (auth(services, Role.BUSINESS, business_id="b2"), 403),
        (auth(services, Role.BUSINESS, business_id="b1"), 200),
        (auth(services, Role.ADMIN), 200),
        (bearer_of(token), 200),
    ]
    for headers, status in cases:
        for action in ("online", "offline"):
            response = await client.post(f"/v1/workers/{worker_id}/{action}", headers=headers)
            assert response.status_code == status, (headers, action, response.text)
    missing = await client.post("/v1/workers/nope/online", headers=auth(services, Role.ADMIN))
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    bad = await client.post(f"/v1/workers/{worker_id}/online", json={"available": "yes"}, headers=bearer_of(token))
    assert bad.status_code == 422
    online = await client.post(f"/v1/workers/{worker_id}/online", headers=bearer_of(token))
    assert online.json()["data"] == {"workerId": worker_id, "online": True, "available": True, "lastSeenAt": None}
    stored = await services.store.workers.get(worker_id)
    assert stored is not None and stored.online
    assert other_worker != worker_id


async def test_location_fallback(client: httpx.AsyncClient, services: Services) -> None:
    worker_id, token = await add_worker(services, "b1")
    headers = bearer_of(token)
    url = f"/v1/workers/{worker_id}/location"
    ts = now_ms() - 5000
    assert (await client.put(url, json={"coordinates": [LNG, LAT], "timestamp": ts}, headers=headers)).json()[
        "data"
    ] == {"accepted": 1}
    # Duplicate, then an accuracy too poor to use.
    assert (await client.put(url, json={"coordinates": [LNG, LAT], "timestamp": ts}, headers=headers)).json()[
        "data"
    ] == {"accepted": 0}
    poor = await client.put(url, json={"coordinates": [LNG, LAT], "accuracy": 101}, headers=headers)
    assert poor.status_code == 422 and poor.json()["error"]["code"] == "VALIDATION_ERROR"
    for body in (
        {"coordinates": [LNG, float("nan")]},
        {"coordinates": [LNG, 100]},
        {"coordinates": {"$gt": 0}},
        {"coordinates": [LNG, LAT], "timestamp": now_ms() + 3_600_000},
        {},
    ):
        response = await client.put(url, **loose_json(body, headers))
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    other = await client.put("/v1/workers/someone-else/location", json={"coordinates": [LNG, LAT]}, headers=headers)
    assert other.status_code == 403
    owner = await client.put(url, json={"coordinates": [LNG, LAT]}, headers=auth(services, Role.OWNER))
    assert owner.status_code == 403
    huge = await client.put(
        url, content=b"[" * (2 * 1024 * 1024), headers={**headers, "Content-Type": "application/json"}
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_location_fallback_rate_limit(client: httpx.AsyncClient, services: Services) -> None:
    services.settings.location_rate_limit = "2/minute"
    worker_id, token = await add_worker(services, "b1")
    url = f"/v1/workers/{worker_id}/location"
    start = now_ms() - 10_000
    for i in range(2):
        body = {"coordinates": [LNG, LAT], "timestamp": start + i * 1000}
        assert (await client.put(url, json=body, headers=bearer_of(token))).status_code == 200
    limited = await client.put(url, json={"coordinates": [LNG, LAT]}, headers=bearer_of(token))
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) >= 1


async def test_nearby_businesses_delegates_to_the_marketplace_search(
    client: httpx.AsyncClient, services: Services
) -> None:
    _, business_id = await business_account(client, "paws@example.com", lng=LNG, lat=LAT)
    response = await client.get(
        "/v1/locations/businesses", params={"lat": LAT, "lng": LNG, "radius": 1000}, headers=auth(services, Role.OWNER)
    )
    assert response.status_code == 200, response.text
    [hit] = response.json()["data"]
    assert hit["id"] == business_id and hit["distanceM"] == 0 and hit["servesLocation"] is True
    bad = await client.get("/v1/locations/businesses", params={"lat": 95, "lng": 0}, headers=auth(services, Role.OWNER))
    assert bad.status_code == 422


async def test_end_to_end_through_the_marketplace_routes(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "boss@example.com", lng=LNG, lat=LAT)
    created = await client.post(
        f"/v1/businesses/{business_id}/workers",
        json={
            "email": "wally@example.com",
            "firstName": "Wally",
            "lastName": "Walker",
            "password": PASSWORD,
            "specializations": ["dog"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    worker_id = created.json()["data"]["id"]
    login = await client.post("/v1/auth/login", json={"email": "wally@example.com", "password": PASSWORD})
    worker_headers = bearer_of(login.json()["data"]["accessToken"])
    assert (await client.post(f"/v1/workers/{worker_id}/online", headers=worker_headers)).status_code == 200
    put = await client.put(
        f"/v1/workers/{worker_id}/location", json={"coordinates": [LNG, LAT + 0.001]}, headers=worker_headers
    )
    assert put.json()["data"] == {"accepted": 1}
    # The business account (token from before its business existed) takes the worker offline.
    assert (await client.post(f"/v1/workers/{worker_id}/offline", headers=headers)).status_code == 200
    assert (await client.post(f"/v1/workers/{worker_id}/online", headers=headers)).status_code == 200
    found = await client.get("/v1/locations/workers", params=nearby_params(), headers=auth(services, Role.OWNER))
    assert [(w["workerId"], w["businessId"]) for w in found.json()["data"]] == [(worker_id, business_id)]
    profile = await client.get(f"/v1/workers/{worker_id}", headers=headers)
    assert profile.json()["data"]["online"] is True


async def test_nearby_answer_is_the_documented_model_in_wire_form(
    client: httpx.AsyncClient, services: Services
) -> None:
    await online_worker_at(client, services, "b1", 0, 300)
    await online_worker_at(client, services, "b2", 90, 600)
    for headers in (auth(services, Role.ADMIN), auth(services, Role.OWNER), auth(services, Role.BUSINESS, "b1")):
        response = await client.get("/v1/locations/workers", params=nearby_params(), headers=headers)
        page = NearbyPage.model_validate_json(response.content)
        assert page.model_dump(by_alias=True, exclude_none=True) == response.json()
        assert len(page.data) == 2


def index_asks(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The `limit` of every search the live index is asked for, in order, from now on."""
    asked: list[int] = []
    search = services.live_index.nearby

    async def spy(*args: Any, limit: int, **kwargs: Any) -> Any:
        asked.append(limit)
        return await search(*args, limit=limit, **kwargs)

    monkeypatch.setattr(services.live_index, "nearby", spy)
    return asked


async def test_nearby_still_fills_a_page_past_a_few_inactive_workers(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = index_asks(services, monkeypatch)
    for distance in (100, 200, 300, 400, 500):
        inactive, token = await add_worker(services, "b1", active=False)
        await client.post(f"/v1/workers/{inactive}/online", headers=bearer_of(token))
        position = destination(CENTER, 0, distance)
        await client.put(
            f"/v1/workers/{inactive}/location", json={"coordinates": list(position)}, headers=bearer_of(token)
        )
    active = [await online_worker_at(client, services, "b1", 0, distance) for distance in (600, 700, 800, 900)]
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=3), headers=auth(services, Role.ADMIN))
    assert [w["workerId"] for w in found.json()["data"]] == active[:3]
    # Exactly `limit` first; three of them dropped, so three more and the overfetch.
    assert asked == [3, 3 + 3 + nearby.OVERFETCH]
    asked.clear()
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=2), headers=auth(services, Role.ADMIN))
    assert [w["workerId"] for w in found.json()["data"]] == active[:2]
    # 2, then 2 + 2 + 5 = 9 (five inactive, four active: a full page).
    assert asked == [2, 2 + 2 + nearby.OVERFETCH]


async def test_a_page_of_active_workers_asks_the_index_once_for_exactly_limit(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = index_asks(services, monkeypatch)
    active = [await online_worker_at(client, services, "b1", 0, distance) for distance in (100, 200, 300)]
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=2), headers=auth(services, Role.OWNER))
    assert [w["workerId"] for w in found.json()["data"]] == active[:2]
    assert asked == [2]
    asked.clear()
    # Fewer than asked for: every candidate the index has, in one search.
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=5), headers=auth(services, Role.OWNER))
    assert [w["workerId"] for w in found.json()["data"]] == active
    assert asked == [5]


async def test_nearby_searches_a_bounded_number_of_times_past_many_inactive_workers(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = index_asks(services, monkeypatch)
    for i in range(30):
        inactive, token = await add_worker(services, "b1", active=False)
        await client.post(f"/v1/workers/{inactive}/online", headers=bearer_of(token))
        position = destination(CENTER, 0, 100 + 10 * i)
        await client.put(
            f"/v1/workers/{inactive}/location", json={"coordinates": list(position)}, headers=bearer_of(token)
        )
    active = await online_worker_at(client, services, "b1", 0, 900)
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=1), headers=auth(services, Role.OWNER))
    assert found.status_code == 200
    # 1, 1 + 1 + 5 = 7, 7 + 7 + 5 = 19: all inactive, and the search stops there with what it has.
    assert asked == [1, 7, 19]
    assert len(asked) == nearby.SEARCHES
    assert found.json()["data"] == []
    asked.clear()
    # A larger page grows faster: 5, 15, then 35 candidates reach past all thirty.
    found = await client.get("/v1/locations/workers", params=nearby_params(limit=5), headers=auth(services, Role.OWNER))
    assert [w["workerId"] for w in found.json()["data"]] == [active]
    assert asked == [5, 15, 35]


async def test_nearby_refusals_name_the_query_field(client: httpx.AsyncClient, services: Services) -> None:
    response = await client.get(
        "/v1/locations/workers", params={"lat": 91, "lng": "x"}, headers=auth(services, Role.OWNER)
    )
    assert response.status_code == 422
    fields = sorted(detail["field"] for detail in response.json()["error"]["details"])
    assert fields == ["query.lat", "query.lng"]
    # snake_case is not the wire name: ignored like any unknown parameter, as FastAPI reads query models.
    ignored = await client.get(
        "/v1/locations/workers", params=nearby_params(service_type="grooming"), headers=auth(services, Role.OWNER)
    )
    assert ignored.status_code == 200
    bad_scheme = await client.get("/v1/locations/workers", params=nearby_params(), headers={"Authorization": "Basic x"})
    assert bad_scheme.status_code == 401 and bad_scheme.json()["error"]["code"] == "UNAUTHORIZED"


async def test_nearby_refuses_a_revoked_token_at_once(client: httpx.AsyncClient) -> None:
    session = await register(client, "nearby-leaver@example.com")
    headers = {"Authorization": f"Bearer {session['accessToken']}"}
    assert (await client.get("/v1/locations/workers", params=nearby_params(), headers=headers)).status_code == 200
    out = await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
    assert out.status_code == 200
    refused = await client.get("/v1/locations/workers", params=nearby_params(), headers=headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "UNAUTHORIZED"
