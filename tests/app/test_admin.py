"""Admin moderation over REST: reviews, businesses, users; admins only; suspension takes effect at once."""

from __future__ import annotations

import httpx
import pytest

from app.composition import Services
from app.domain.reviews import Review, ReviewFlag, ReviewStatus
from app.ids import new_id
from tests.app.marketplace import NOW, admin_headers, business_account, error_code, owner
from tests.support.api import PASSWORD

ADMIN_POSTS = [
    "/v1/admin/reviews/{id}/publish",
    "/v1/admin/reviews/{id}/hide",
    "/v1/admin/businesses/{id}/verify",
    "/v1/admin/businesses/{id}/suspend",
    "/v1/admin/businesses/{id}/reinstate",
    "/v1/admin/users/{id}/suspend",
    "/v1/admin/users/{id}/reinstate",
]


async def _flagged_review(services: Services, business_id: str) -> str:
    review = Review(
        id=new_id(),
        booking_id=new_id(),
        business_id=business_id,
        worker_id=None,
        author_id="someone",
        rating=2,
        comment="rude walker",
        status=ReviewStatus.FLAGGED,
        flags=[ReviewFlag(by="someone-else", role="business", reason="insults our walker", at=NOW)],
        created_at=NOW,
        updated_at=NOW,
    )
    await services.store.reviews.add(review)
    return review.id


async def _login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})


async def test_only_admins_moderate(client: httpx.AsyncClient, services: Services) -> None:
    business_headers, business_id = await business_account(client, "biz@example.com")
    pet_owner, _ = await owner(client, "ann@example.com")
    for caller in (business_headers, pet_owner):
        for path in ("/v1/admin/reviews", "/v1/admin/users"):
            response = await client.get(path, headers=caller)
            assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
        for path in ADMIN_POSTS:
            response = await client.post(path.format(id=business_id), headers=caller)
            assert response.status_code == 403, path
    assert (await client.get("/v1/admin/users")).status_code == 401
    admin = await admin_headers(client, services)
    for path in ADMIN_POSTS:
        assert (await client.post(path.format(id="missing"), headers=admin)).status_code == 404, path


async def test_flagged_reviews_are_published_again_or_hidden(client: httpx.AsyncClient, services: Services) -> None:
    _, business_id = await business_account(client, "biz@example.com")
    review_id = await _flagged_review(services, business_id)
    admin = await admin_headers(client, services)
    public = f"/v1/businesses/{business_id}/reviews"
    assert (await client.get(public)).json()["data"] == []

    queue = await client.get("/v1/admin/reviews", params={"status": "flagged"}, headers=admin)
    assert [r["id"] for r in queue.json()["data"]] == [review_id] and queue.json()["meta"]["total"] == 1
    assert queue.json()["data"][0]["flags"][0]["reason"] == "insults our walker"

    published = await client.post(f"/v1/admin/reviews/{review_id}/publish", headers=admin)
    assert published.status_code == 200 and published.json()["data"]["status"] == "published"
    assert [r["id"] for r in (await client.get(public)).json()["data"]] == [review_id]
    assert (await client.get("/v1/admin/reviews", headers=admin)).json()["data"] == []

    hidden = await client.post(f"/v1/admin/reviews/{review_id}/hide", headers=admin)
    assert hidden.json()["data"]["status"] == "hidden"
    assert (await client.get(public)).json()["data"] == []
    hidden_list = await client.get("/v1/admin/reviews", params={"status": "hidden"}, headers=admin)
    assert [r["id"] for r in hidden_list.json()["data"]] == [review_id]
    # Doing it twice changes nothing.
    assert (await client.post(f"/v1/admin/reviews/{review_id}/hide", headers=admin)).status_code == 200
    refused = await client.get("/v1/admin/reviews", params={"status": "deleted"}, headers=admin)
    assert refused.status_code == 422


async def test_business_verification_suspension_and_reinstatement(
    client: httpx.AsyncClient, services: Services
) -> None:
    _, business_id = await business_account(client, "biz@example.com")
    admin = await admin_headers(client, services)
    verified = await client.post(f"/v1/admin/businesses/{business_id}/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["data"]["isVerified"] is True
    assert (await client.get(f"/v1/businesses/{business_id}")).json()["data"]["isVerified"] is True

    suspended = await client.post(f"/v1/admin/businesses/{business_id}/suspend", headers=admin)
    assert suspended.json()["data"]["status"] == "suspended"
    assert (await client.get("/v1/businesses")).json()["data"] == []
    assert (await client.get(f"/v1/businesses/{business_id}")).status_code == 404
    reinstated = await client.post(f"/v1/admin/businesses/{business_id}/reinstate", headers=admin)
    assert reinstated.json()["data"]["status"] == "active"
    assert [b["id"] for b in (await client.get("/v1/businesses")).json()["data"]] == [business_id]


async def test_a_suspended_user_cannot_log_in_or_refresh_until_reinstated(
    client: httpx.AsyncClient, services: Services
) -> None:
    _, user_id = await owner(client, "ann@example.com")
    await owner(client, "bob@example.com")
    session = (await _login(client, "ann@example.com")).json()["data"]
    admin = await admin_headers(client, services)

    found = await client.get("/v1/admin/users", params={"q": "ANN@"}, headers=admin)
    assert [u["id"] for u in found.json()["data"]] == [user_id]
    assert found.json()["data"][0]["status"] == "active"
    everyone = await client.get("/v1/admin/users", params={"limit": 2}, headers=admin)
    assert everyone.json()["meta"] == {"page": 1, "limit": 2, "total": 3}

    live = {"Authorization": f"Bearer {session['accessToken']}"}
    assert (await client.get("/v1/users/me", headers=live)).status_code == 200
    suspended = await client.post(f"/v1/admin/users/{user_id}/suspend", headers=admin)
    assert suspended.status_code == 200 and suspended.json()["data"]["status"] == "suspended"
    # The access token issued before the suspension stops working at once, not when it expires.
    assert (await client.get("/v1/users/me", headers=live)).status_code == 401
    login = await _login(client, "ann@example.com")
    assert login.status_code == 403 and error_code(login) == "FORBIDDEN"
    # A wrong password does not learn about the suspension.
    wrong = await client.post("/v1/auth/login", json={"email": "ann@example.com", "password": "wrong-pass-1"})
    assert wrong.status_code == 401
    refreshed = await client.post("/v1/auth/refresh", json={"refreshToken": session["refreshToken"]})
    assert refreshed.status_code == 401

    assert (await client.post(f"/v1/admin/users/{user_id}/reinstate", headers=admin)).status_code == 200
    assert (await _login(client, "ann@example.com")).status_code == 200


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "x" * 255}, {"page": 0}, {"limit": 101}])
async def test_user_search_bounds(client: httpx.AsyncClient, services: Services, params: dict[str, str | int]) -> None:
    admin = await admin_headers(client, services)
    response = await client.get("/v1/admin/users", params=params, headers=admin)
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"


async def test_an_admin_does_not_suspend_their_own_account(client: httpx.AsyncClient, services: Services) -> None:
    admin = await admin_headers(client, services)
    me = (await client.get("/v1/users/me", headers=admin)).json()["data"]
    response = await client.post(f"/v1/admin/users/{me['id']}/suspend", headers=admin)
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
