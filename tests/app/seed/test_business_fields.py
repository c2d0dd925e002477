"""Businesses: contactInfo and insuranceInfo on create and update, the cover photo and certification uploads,
and the admin's verification, in the business's views."""

from __future__ import annotations

from typing import Any

import httpx

from app.composition import Services
from tests.app.marketplace import admin_headers, business_account, business_body, error_code, owner
from tests.app.media.images import jpeg_with_gps, pdf
from tests.support.api import bearer, register

INSURANCE = {"provider": "Pet Insure", "policyNumber": "PI-2026-0042", "expiryDate": "2027-06-30"}
CONTACT = {"email": "hello@paws.example", "phone": "+33 1 23 45 67 89", "website": "https://paws.example"}


def upload(data: bytes, name: str, content_type: str) -> dict[str, Any]:
    return {"files": {"file": (name, data, content_type)}}


async def test_contact_and_insurance_are_accepted_validated_and_answered(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(
        client, "biz@example.com", contactInfo=CONTACT, insuranceInfo=INSURANCE
    )
    business = (await client.get(f"/v1/businesses/{business_id}", headers=headers)).json()["data"]
    assert (business["contactInfo"], business["insuranceInfo"]) == (CONTACT, INSURANCE)
    assert (business["coverPhoto"], business["certifications"], business["isVerified"]) == (None, [], False)

    renewed = {**INSURANCE, "expiryDate": "2028-06-30"}
    updated = await client.put(f"/v1/businesses/{business_id}", json={"insuranceInfo": renewed}, headers=headers)
    assert updated.status_code == 200 and updated.json()["data"]["insuranceInfo"] == renewed
    bad_bodies: list[dict[str, Any]] = [
        {"insuranceInfo": {"provider": "P", "expiryDate": "2027-06-30"}},
        {"insuranceInfo": {**INSURANCE, "expiryDate": "30/06/2027"}},
        {"insuranceInfo": {**INSURANCE, "expiryDate": "1900-01-01"}},
        {"insuranceInfo": {**INSURANCE, "provider": "x" * 201}},
        {"insuranceInfo": {**INSURANCE, "policyNumber": ""}},
        {"insuranceInfo": {**INSURANCE, "insurer": "P"}},
        {"contactInfo": {**CONTACT, "website": "paws.example"}},
        {"contactInfo": {**CONTACT, "email": "not-an-email"}},
        {"coverPhoto": "https://example.com/cover.jpg"},
        {"certifications": ["x" * 65]},
        {"isVerified": True},
    ]
    for bad in bad_bodies:
        refused = await client.put(f"/v1/businesses/{business_id}", json=bad, headers=headers)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", bad
    cleared = await client.put(f"/v1/businesses/{business_id}", json={"insuranceInfo": None}, headers=headers)
    assert cleared.json()["data"]["insuranceInfo"] is None


async def test_a_seed_business_with_empty_uploads_is_created(client: httpx.AsyncClient) -> None:
    _, business_id = await business_account(client, "biz@example.com", coverPhoto=None, certifications=[])
    assert business_id
    session_headers = bearer(await register(client, "other@example.com", role="business"))
    for bad in ({"coverPhoto": "https://example.com/c.jpg"}, {"certifications": ["https://example.com/c.pdf"]}):
        refused = await client.post("/v1/businesses", json={**business_body(), **bad}, headers=session_headers)
        assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR", bad


async def test_the_cover_photo_is_uploaded_replaced_and_taken_off(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    stranger, _ = await owner(client, "ann@example.com")
    url = f"/v1/businesses/{business_id}/cover"
    assert (
        await client.post(url, headers=stranger, **upload(jpeg_with_gps(), "c.jpg", "image/jpeg"))
    ).status_code == 403
    first = await client.post(url, headers=headers, **upload(jpeg_with_gps(), "c.jpg", "image/jpeg"))
    assert first.status_code == 201, first.text
    assert first.json()["data"]["kind"] == "cover"
    second = await client.post(url, headers=headers, **upload(jpeg_with_gps((500, 400)), "c.jpg", "image/jpeg"))
    assert await services.store.media.get(first.json()["data"]["id"]) is None

    public = (await client.get(f"/v1/businesses/{business_id}")).json()["data"]
    assert public["coverPhoto"]["id"] == second.json()["data"]["id"]
    assert (await client.get(public["coverPhoto"]["url"])).status_code == 200
    removed = await client.put(f"/v1/businesses/{business_id}", json={"coverPhoto": None}, headers=headers)
    assert removed.status_code == 200 and removed.json()["data"]["coverPhoto"] is None
    assert await services.store.media.get(second.json()["data"]["id"]) is None
    refused = await client.post(url, headers=headers, **upload(pdf(), "c.pdf", "application/pdf"))
    assert refused.status_code == 422


async def test_certifications_are_uploaded_documents_kept_or_removed(
    client: httpx.AsyncClient, services: Services
) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    stranger, _ = await owner(client, "ann@example.com")
    url = f"/v1/businesses/{business_id}/certifications"
    assert (await client.post(url, headers=stranger, **upload(pdf(), "c.pdf", "application/pdf"))).status_code == 403
    ids = []
    for n in range(2):
        done = await client.post(url, headers=headers, **upload(pdf(b"cert %d" % n), "c.pdf", "application/pdf"))
        assert done.status_code == 201, done.text
        assert (done.json()["data"]["kind"], done.json()["data"]["contentType"]) == ("certification", "application/pdf")
        ids.append(done.json()["data"]["id"])
    business = (await client.get(f"/v1/businesses/{business_id}")).json()["data"]
    assert business["certifications"] == ids

    unknown = await client.put(f"/v1/businesses/{business_id}", json={"certifications": ["nope"]}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "body.certifications"
    kept = await client.put(f"/v1/businesses/{business_id}", json={"certifications": [ids[1]]}, headers=headers)
    assert kept.status_code == 200 and kept.json()["data"]["certifications"] == [ids[1]]
    assert await services.store.media.get(ids[0]) is None and await services.store.media.get(ids[1]) is not None


async def test_an_admin_verifies_a_business(client: httpx.AsyncClient, services: Services) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    admin = await admin_headers(client, services)
    assert (await client.post(f"/v1/admin/businesses/{business_id}/verify", headers=headers)).status_code == 403
    verified = await client.post(f"/v1/admin/businesses/{business_id}/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["data"]["isVerified"] is True
    for seen_by in (headers, {}):
        business = (await client.get(f"/v1/businesses/{business_id}", headers=seen_by)).json()["data"]
        assert business["isVerified"] is True
