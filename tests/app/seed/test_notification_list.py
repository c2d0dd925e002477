"""GET /v1/notifications with the seed's filters: `type` (a group, or a kind and the kinds under it) and
`isRead`; every notification answers `isRead` beside `readAt`."""

from __future__ import annotations

from datetime import timedelta

import httpx

from app.composition import Services
from app.domain.notifications import Notification
from tests.app.marketplace import error_code, owner


async def test_filtered_by_type_group_and_read_state(client: httpx.AsyncClient, services: Services) -> None:
    headers, user_id = await owner(client, "ann@example.com")
    now = services.clock.now()
    for n, kind in enumerate(["booking.confirmed", "booking.cancelled", "walk.arrived", "payment.refunded"]):
        await services.store.notifications.add(
            Notification(
                id=f"n{n}", user_id=user_id, type=kind, title="t", message="m", created_at=now + timedelta(seconds=n)
            )
        )
    read = await client.put("/v1/notifications/n1/read", headers=headers)
    assert read.json()["data"]["isRead"] is True and read.json()["data"]["readAt"] is not None

    async def kinds(query: str) -> list[str]:
        response = await client.get(f"/v1/notifications?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [item["type"] for item in response.json()["data"]]

    assert await kinds("type=booking") == ["walk.arrived", "booking.cancelled", "booking.confirmed"]
    assert await kinds("type=booking.cancelled") == ["booking.cancelled"]
    assert await kinds("type=walk") == ["walk.arrived"]
    assert await kinds("type=payment&isRead=false") == ["payment.refunded"]
    assert await kinds("type=booking&isRead=true") == ["booking.cancelled"]
    assert await kinds("isRead=false&unread=true") == ["payment.refunded", "walk.arrived", "booking.confirmed"]
    assert await kinds("type=system") == []
    listed = (await client.get("/v1/notifications", headers=headers)).json()["data"]
    assert [(item["group"], item["isRead"]) for item in listed] == [
        ("payment", False),
        ("booking", False),
        ("booking", True),
        ("booking", False),
    ]
    for bad in ("type=Booking", "type=booking..x", "type=" + "a" * 101, "isRead=maybe"):
        refused = await client.get(f"/v1/notifications?{bad}", headers=headers)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", bad
