"""Users: isPhoneVerified with its two routes, lastLoginAt set at login, updatedAt."""

from __future__ import annotations

import re

import httpx

from app.composition import Services
from app.messages.outbox import Channel
from tests.app.marketplace import error_code, owner
from tests.support.api import PASSWORD


async def _texted_code(services: Services, user_id: str) -> str:
    texts = [m for m in await services.store.outbox.of_user(user_id) if m.channel is Channel.SMS]
    found = re.search(r"\b(\d{6})\b", texts[-1].body)
    assert found is not None
    return found.group(1)


async def test_a_phone_is_verified_by_the_texted_code(client: httpx.AsyncClient, services: Services) -> None:
    headers, user_id = await owner(client, "ann@example.com")
    me = (await client.get("/v1/users/me", headers=headers)).json()["data"]
    assert (me["phone"], me["isPhoneVerified"], me["lastLoginAt"]) == (None, False, None)
    assert me["updatedAt"] == me["createdAt"]

    without = await client.post("/v1/users/me/phone/verification", headers=headers)
    assert without.status_code == 409 and error_code(without) == "CONFLICT"
    assert "no phone number" in without.json()["error"]["message"]

    await client.put("/v1/users/me", json={"phone": "+33 6 12 34 56 78"}, headers=headers)
    sent = await client.post("/v1/users/me/phone/verification", headers=headers)
    assert sent.status_code == 202, sent.text
    assert sent.json()["data"]["phone"] == "+33 6 12 34 56 78" and sent.json()["data"]["expiresAt"].endswith("Z")
    code = await _texted_code(services, user_id)

    for bad in ({"code": "12345"}, {"code": "abcdef"}, {"code": 123456}, {"code": code, "extra": 1}, {}):
        refused = await client.post("/v1/users/me/phone/verify", json=bad, headers=headers)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", bad
    wrong = await client.post(
        "/v1/users/me/phone/verify", json={"code": f"{(int(code) + 1) % 10**6:06d}"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "body.code"
    verified = await client.post("/v1/users/me/phone/verify", json={"code": code}, headers=headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["data"]["isPhoneVerified"] is True
    again = await client.post("/v1/users/me/phone/verify", json={"code": code}, headers=headers)
    assert again.status_code == 422

    changed = await client.put("/v1/users/me", json={"phone": "+33 7 00 00 00 00"}, headers=headers)
    assert changed.json()["data"]["isPhoneVerified"] is False
    assert changed.json()["data"]["updatedAt"] >= me["updatedAt"]
    assert (await client.put("/v1/users/me", json={"isPhoneVerified": True}, headers=headers)).status_code == 422
    assert (await client.put("/v1/users/me", json={"lastLoginAt": None}, headers=headers)).status_code == 422


async def test_a_login_is_recorded(client: httpx.AsyncClient, services: Services) -> None:
    await owner(client, "ann@example.com")
    logged_in = await client.post("/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert logged_in.status_code == 200
    at = logged_in.json()["data"]["user"]["lastLoginAt"]
    assert at is not None and at.endswith("Z")
    headers = {"Authorization": f"Bearer {logged_in.json()['data']['accessToken']}"}
    assert (await client.get("/v1/users/me", headers=headers)).json()["data"]["lastLoginAt"] == at


async def test_export_shows_the_new_fields_but_no_code_and_erasure_clears_them(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers, user_id = await owner(client, "ann@example.com")
    await client.post("/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    await client.put("/v1/users/me", json={"phone": "+33 6 12 34 56 78"}, headers=headers)
    await client.post("/v1/users/me/phone/verification", headers=headers)
    stored = await services.store.users.get(user_id)
    assert stored is not None and stored.phone_code is not None

    profile = (await client.get("/v1/users/me/export", headers=headers)).json()["data"]["profile"]

    assert (profile["isPhoneVerified"], profile["phoneCode"]) == (False, None)
    assert profile["lastLoginAt"] is not None and profile["updatedAt"] is not None
    assert (await client.delete("/v1/users/me", headers=headers)).status_code == 200
    erased = await services.store.users.get(user_id)
    assert erased is not None
    assert (erased.phone, erased.phone_code, erased.is_phone_verified, erased.last_login_at) == (
        None,
        None,
        False,
        None,
    )
