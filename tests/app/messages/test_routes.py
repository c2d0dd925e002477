from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.composition import Services
from app.messages.outbox import Channel, OutboxStatus
from app.usecases.notifications import notify
from tests.support.api import bearer, register

TOKEN = "ExponentPushToken[abc123]"


async def test_devices_register_list_and_delete(client: httpx.AsyncClient) -> None:
    session = await register(client, "dev@example.com")
    created = await client.post(
        "/v1/users/me/devices", json={"token": TOKEN, "platform": "ios"}, headers=bearer(session)
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"] == {"token": TOKEN, "platform": "ios"}
    again = await client.post(
        "/v1/users/me/devices", json={"token": TOKEN, "platform": "android"}, headers=bearer(session)
    )
    assert again.status_code == 201
    listed = await client.get("/v1/users/me/devices", headers=bearer(session))
    assert listed.json()["data"] == [{"token": TOKEN, "platform": "android"}]
    removed = await client.delete(f"/v1/users/me/devices/{TOKEN}", headers=bearer(session))
    assert removed.json()["data"] == {"removed": True}
    gone = await client.delete(f"/v1/users/me/devices/{TOKEN}", headers=bearer(session))
    assert gone.json()["data"] == {"removed": False}


async def test_a_token_registered_by_another_user_moves_to_them(client: httpx.AsyncClient) -> None:
    first = await register(client, "first@example.com")
    second = await register(client, "second@example.com")
    for session in (first, second):
        await client.post("/v1/users/me/devices", json={"token": TOKEN, "platform": "ios"}, headers=bearer(session))
    assert (await client.get("/v1/users/me/devices", headers=bearer(first))).json()["data"] == []
    assert len((await client.get("/v1/users/me/devices", headers=bearer(second))).json()["data"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"token": TOKEN, "platform": "symbian"}, id="platform"),
        pytest.param({"token": "short", "platform": "ios"}, id="short"),
        pytest.param({"token": "x" * 257, "platform": "ios"}, id="long"),
        pytest.param({"token": "has space inside", "platform": "ios"}, id="space"),
        pytest.param({"token": TOKEN, "platform": "ios", "extra": 1}, id="unknown-field"),
    ],
)
async def test_bad_devices_are_refused(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    session = await register(client, "baddev@example.com")
    response = await client.post("/v1/users/me/devices", json=body, headers=bearer(session))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_devices_need_an_account(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/users/me/devices")).status_code == 401


async def test_preferences_default_then_change_one_kind(client: httpx.AsyncClient) -> None:
    session = await register(client, "prefs@example.com")
    defaults = (await client.get("/v1/users/me/notification-preferences", headers=bearer(session))).json()["data"]
    assert defaults["channels"]["dispatchOffer"] == ["push"]
    assert defaults["channels"]["account"] == ["email"]
    assert defaults["channels"]["payments"] == ["push", "email"]
    changed = await client.put(
        "/v1/users/me/notification-preferences",
        json={"channels": {"bookingStatus": ["sms", "push"]}},
        headers=bearer(session),
    )
    assert changed.status_code == 200, changed.text
    channels = changed.json()["data"]["channels"]
    assert channels["bookingStatus"] == ["sms", "push"]
    assert channels["payments"] == ["push", "email"]
    read = await client.get("/v1/users/me/notification-preferences", headers=bearer(session))
    assert read.json()["data"]["channels"] == channels


@pytest.mark.parametrize(
    "channels",
    [
        pytest.param({"account": ["push"]}, id="account-not-by-email"),
        pytest.param({"payments": ["fax"]}, id="unknown-channel"),
        pytest.param({"gossip": ["push"]}, id="unknown-kind"),
        pytest.param({"reviews": ["push", "push"]}, id="twice"),
    ],
)
async def test_bad_preferences_are_refused(client: httpx.AsyncClient, channels: dict[str, object]) -> None:
    session = await register(client, "badprefs@example.com")
    response = await client.put(
        "/v1/users/me/notification-preferences", json={"channels": channels}, headers=bearer(session)
    )
    assert response.status_code == 422


async def test_notify_enqueues_one_delivery_per_wanted_channel(client: httpx.AsyncClient, services: Services) -> None:
    session = await register(client, "notify@example.com")
    user_id = session["user"]["id"]
    await client.post("/v1/users/me/devices", json={"token": TOKEN, "platform": "ios"}, headers=bearer(session))
    await notify(
        services,
        [user_id],
        kind="booking.confirmed",
        title="Confirmed",
        message="Rex at 10:00",
        data={"bookingId": "b1"},
    )
    queued = [m for m in await services.store.outbox.of_user(user_id) if m.kind == "booking.confirmed"]
    assert sorted(m.channel for m in queued) == [Channel.EMAIL, Channel.PUSH]
    [email] = [m for m in queued if m.channel is Channel.EMAIL]
    assert email.to == "notify@example.com"
    assert email.data == {"bookingId": "b1"}


async def test_notify_follows_preferences_and_skips_push_without_devices(
    client: httpx.AsyncClient, services: Services
) -> None:
    session = await register(client, "quiet@example.com")
    user_id = session["user"]["id"]
    await client.put(
        "/v1/users/me/notification-preferences", json={"channels": {"payments": ["push"]}}, headers=bearer(session)
    )
    await notify(services, [user_id], kind="payment.captured", title="Paid", message="$20", data={})
    assert [m for m in await services.store.outbox.of_user(user_id) if m.kind == "payment.captured"] == []


async def test_notify_with_a_key_enqueues_once_and_keeps_the_expiry(
    client: httpx.AsyncClient, services: Services
) -> None:
    session = await register(client, "walker@example.com")
    user_id = session["user"]["id"]
    await client.post("/v1/users/me/devices", json={"token": TOKEN, "platform": "android"}, headers=bearer(session))
    expires = services.clock.now() + timedelta(seconds=20)
    for _ in range(2):
        await notify(
            services,
            [user_id],
            kind="dispatch.offer",
            title="New walk",
            message="Rex nearby",
            data={"bookingId": "b1"},
            key="offer.b1.w1",
            expires_at=expires,
        )
    [offer] = [m for m in await services.store.outbox.of_user(user_id) if m.kind == "dispatch.offer"]
    assert offer.channel is Channel.PUSH
    assert offer.expires_at is not None
    assert abs((offer.expires_at - expires).total_seconds()) < 0.001
    assert offer.status in (OutboxStatus.PENDING, OutboxStatus.SENT)
