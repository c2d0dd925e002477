"""Integers from a query string or a body are range-checked at the edge: out of range is 422, never a 500."""

from __future__ import annotations

import httpx
import pytest

from app.settings import Settings
from tests.app.payments_world import payments_env
from tests.support.api import bearer, register

HUGE = str(2**64)
LISTS = [
    "/v1/bookings",
    "/v1/notifications",
    "/v1/payments",
    "/v1/pets",
    "/v1/businesses/search?lat=48.85&lng=2.35&",
    "/v1/locations/businesses?lat=48.85&lng=2.35&",
]


def with_query(path: str, query: str) -> str:
    return f"{path}{query}" if path.endswith("&") else f"{path}?{query}"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", [f"page={HUGE}", "page=10001", "page=0", f"limit={HUGE}", "limit=101", "limit=0"])
async def test_a_page_or_limit_out_of_range_is_refused(client: httpx.AsyncClient, path: str, query: str) -> None:
    headers = bearer(await register(client, "pager@example.com"))
    response = await client.get(with_query(path, query), headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    field = query.split("=", maxsplit=1)[0]
    assert [d["field"] for d in response.json()["error"]["details"]] == [f"query.{field}"]


@pytest.mark.parametrize("path", LISTS)
async def test_the_last_page_in_range_is_answered(client: httpx.AsyncClient, path: str) -> None:
    headers = bearer(await register(client, "pager@example.com"))
    response = await client.get(with_query(path, "page=10000&limit=100"), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []


@pytest.mark.parametrize("amount", [2**64, 2**63, 10**9 + 1, 0])
async def test_a_refund_amount_out_of_range_is_refused(settings: Settings, amount: int) -> None:
    # A real payment the business may refund: a stranger's or an unknown payment is 403/404 before the body is read.
    async with payments_env(settings) as env:
        booking = await env.book()
        assert (await env.pay(booking["id"])).status_code == 200
        payment = await env.payment_of(booking["id"])
        response = await env.client.post(
            f"/v1/payments/{payment['id']}/refund",
            headers=env.world.business_headers,
            json={"amount": amount, "reason": "too much"},
        )
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == ["body.amount"]
