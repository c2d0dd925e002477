"""Bodies written against the seed's data model are accepted, stored and answered in the seed's names."""

from __future__ import annotations

from typing import get_args

import httpx

from app.domain.pets import Species
from app.domain.workers import SEED_SPECIALIZATIONS
from app.usecases.workers import Specialization
from tests.app.bookings_world import build_world
from tests.app.marketplace import business_account, business_body, error_code, owner, square
from tests.support.api import PASSWORD, bearer, register

SEED_PET = {
    "name": "Rex",
    "species": "dog",
    "breed": "Beagle",
    "age": 4,
    "weight": 11.5,
    "medicalInfo": {
        "vaccinations": [{"name": "Rabies", "date": "2025-03-01", "expiryDate": "2026-03-01"}],
        "allergies": ["chicken"],
        "medications": [],
        "specialNeeds": "Eye drops at noon",
        "vetInfo": {"name": "Dr Vet", "phone": "+33 1 23 45 67 89", "address": "3 rue du Chat"},
    },
    "behavior": {"temperament": "calm", "goodWithKids": True, "goodWithPets": False, "energyLevel": "medium"},
    "microchipId": "250269604123456",
    "status": "active",
}


async def test_a_seed_pet_round_trips(client: httpx.AsyncClient) -> None:
    headers, _ = await owner(client, "ann@example.com")
    created = await client.post("/v1/pets", json=SEED_PET, headers=headers)
    assert created.status_code == 201, created.text
    pet = (await client.get(f"/v1/pets/{created.json()['data']['id']}", headers=headers)).json()["data"]
    assert {key: pet[key] for key in SEED_PET} == {
        **SEED_PET,
        "age": 4.0,
        "medicalInfo": {
            **SEED_PET["medicalInfo"],  # type: ignore[dict-item]
            "vaccinations": [{"name": "Rabies", "date": "2025-03-01", "expiryDate": "2026-03-01", "documentId": None}],
        },
    }
    assert pet["photos"] == []
    minimal = await client.post("/v1/pets", json={"name": "Tom", "species": "cat"}, headers=headers)
    assert minimal.status_code == 201 and (minimal.json()["data"]["age"], minimal.json()["data"]["weight"]) == (
        None,
        None,
    )
    rehomed = await client.put(f"/v1/pets/{pet['id']}", json={"status": "rehomed"}, headers=headers)
    assert rehomed.json()["data"]["status"] == "rehomed"
    for bad in ({"energyLevel": "hyper"}, {"goodWithKids": "yes"}):
        refused = await client.post("/v1/pets", json={**SEED_PET, "behavior": bad}, headers=headers)
        assert refused.status_code == 422, bad
    assert (await client.post("/v1/pets", json={**SEED_PET, "photos": ["x"]}, headers=headers)).status_code == 422


async def test_seed_pricing_and_currency_in_any_case(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    body = {
        "name": "Grooming",
        "serviceType": "grooming",
        "pricing": {"basePrice": 4500, "currency": "usd", "priceType": "per_session"},
        "duration": 90,
        "petTypes": ["dog"],
        "requirements": ["Vaccinated", "Leash"],
        "cancellationPolicy": "Free until 24 h before",
    }
    created = await client.post(f"/v1/businesses/{business_id}/services", json=body, headers=headers)
    assert created.status_code == 201, created.text
    service = created.json()["data"]
    assert service["pricing"] == {
        "basePrice": 4500,
        "currency": "USD",
        "priceType": "per_session",
        "additionalPetPrice": 0,
    }
    assert (service["requirements"], service["cancellationPolicy"]) == (
        body["requirements"],
        body["cancellationPolicy"],
    )
    # The first release's value is still understood, and answered with the seed's name.
    legacy = await client.put(
        f"/v1/services/{service['id']}",
        json={"pricing": {"basePrice": 1000, "currency": "Eur", "priceType": "hourly"}},
        headers=headers,
    )
    assert legacy.json()["data"]["pricing"]["priceType"] == "per_hour"
    assert legacy.json()["data"]["pricing"]["currency"] == "EUR"


async def test_a_seed_business_round_trips(client: httpx.AsyncClient) -> None:
    session = await register(client, "biz@example.com", role="business")
    body = business_body(
        address={
            "street": "350 5th Ave",
            "city": "New York",
            "state": "NY",
            "zipCode": "10118",
            "country": "US",
            "coordinates": {"type": "Point", "coordinates": [-73.9857, 40.7484]},
        },
        serviceArea=square(-73.9857, 40.7484, 0.05),
        operatingHours=[{"dayOfWeek": 0, "openTime": "22:00", "closeTime": "06:00"}],
        businessType="company",
        contactInfo={"email": "Hello@Paws.example", "phone": "+1 212 555 0100", "website": "https://paws.example"},
    )
    created = await client.post("/v1/businesses", json=body, headers=bearer(session))
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["address"] == {**body["address"], "coordinates": [-73.9857, 40.7484]}
    assert data["timezone"] == "America/New_York"
    assert data["operatingHours"] == body["operatingHours"]
    assert data["contactInfo"] == {**body["contactInfo"], "email": "hello@paws.example"}
    assert (data["businessType"], data["logo"], data["isVerified"], data["status"]) == (
        "company",
        None,
        False,
        "active",
    )
    chosen = await client.put(
        f"/v1/businesses/{data['id']}", json={"timezone": "Europe/London"}, headers=bearer(session)
    )
    assert chosen.json()["data"]["timezone"] == "Europe/London"
    derived = await client.put(f"/v1/businesses/{data['id']}", json={"timezone": None}, headers=bearer(session))
    assert derived.json()["data"]["timezone"] == "America/New_York"


async def test_seed_worker_fields_and_plural_specializations(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    body = {
        "email": "wes@example.com",
        "firstName": "Wes",
        "lastName": "Walker",
        "password": PASSWORD,
        "specializations": ["dogs", "small_animals", "dog"],
        "bio": "Ten years of walks",
        "experience": 10,
        "certifications": ["Pet first aid"],
    }
    created = await client.post(f"/v1/businesses/{business_id}/workers", json=body, headers=headers)
    assert created.status_code == 201, created.text
    worker = created.json()["data"]
    assert worker["specializations"] == ["dog", "rabbit", "other"]
    assert (worker["bio"], worker["experience"], worker["certifications"]) == (
        "Ten years of walks",
        10,
        ["Pet first aid"],
    )
    unspecialised = {**body, "email": "any@example.com"}
    del unspecialised["specializations"]
    anyone = await client.post(f"/v1/businesses/{business_id}/workers", json=unspecialised, headers=headers)
    assert anyone.status_code == 201 and anyone.json()["data"]["specializations"] == []
    cats = await client.put(f"/v1/workers/{worker['id']}", json={"specializations": ["cats"]}, headers=headers)
    assert cats.json()["data"]["specializations"] == ["cat"]
    refused = await client.put(f"/v1/workers/{worker['id']}", json={"specializations": ["dragons"]}, headers=headers)
    assert refused.status_code == 422 and error_code(refused) == "VALIDATION_ERROR"


def test_every_specialization_name_is_a_species_or_a_seed_plural() -> None:
    assert set(get_args(Specialization)) == {*Species, *SEED_SPECIALIZATIONS}


async def test_user_address_and_account_facts(client: httpx.AsyncClient) -> None:
    headers, _ = await owner(client, "ann@example.com")
    me = (await client.get("/v1/users/me", headers=headers)).json()["data"]
    assert (me["avatar"], me["isEmailVerified"], me["status"], me["address"]) == (None, False, "active", None)
    address = {
        "street": "1 rue de Rivoli",
        "city": "Paris",
        "coordinates": {"type": "Point", "coordinates": [2.35, 48.85]},
    }
    updated = await client.put("/v1/users/me", json={"address": address}, headers=headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["address"]["coordinates"] == [2.35, 48.85]
    for read_only in ({"avatar": "x"}, {"isEmailVerified": True}, {"status": "active"}):
        assert (await client.put("/v1/users/me", json=read_only, headers=headers)).status_code == 422


async def test_a_seed_booking_and_the_owners_home_as_default_location(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    address = {"street": "2 rue de Rivoli", "city": "Paris", "zipCode": "75004", "country": "FR"}
    seed_location = {
        "type": "custom",
        "address": address,
        "coordinates": {"type": "Point", "coordinates": [2.351, 48.851]},
    }
    booked = await world.book(location=seed_location, duration=30, specialInstructions="Key under the mat")
    assert booked.status_code == 201, booked.text
    data = booked.json()["data"]
    assert data["location"] == {
        "type": "custom",
        "address": {**address, "state": None},
        "coordinates": [2.351, 48.851],
    }
    assert (data["duration"], data["specialInstructions"], data["completionDetails"]) == (30, "Key under the mat", None)

    without = await world.book(location=None)
    assert without.status_code == 422
    home = {"street": "1 rue de Rivoli", "city": "Paris", "coordinates": [2.35, 48.85]}
    await client.put("/v1/users/me", json={"address": home}, headers=world.owner_headers)
    from_home = await world.book(location=None)
    assert from_home.status_code == 201, from_home.text
    assert from_home.json()["data"]["location"]["type"] == "owner_home"
    assert from_home.json()["data"]["location"]["coordinates"] == [2.35, 48.85]
