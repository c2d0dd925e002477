"""Every request body refuses unknown fields: proven over the OpenAPI document, then on the wire."""

from __future__ import annotations

from typing import Any

import httpx

from tests.app.marketplace import business_account, business_body
from tests.support.api import bearer, register


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return components[ref.rsplit("/", 1)[-1]] if isinstance(ref, str) else schema


def _open_objects(schema: dict[str, Any], components: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    """Paths of object schemas under `schema` that declare properties yet accept others."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return []
        seen.add(ref)
    schema = _resolve(schema, components)
    found = []
    if schema.get("properties") and schema.get("additionalProperties") is not False:
        found.append(path)
    for name, sub in (schema.get("properties") or {}).items():
        found += _open_objects(sub, components, f"{path}.{name}", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            found += _open_objects(sub, components, path, seen)
    if isinstance(schema.get("items"), dict):
        found += _open_objects(schema["items"], components, f"{path}[]", seen)
    return found


async def test_every_request_body_model_forbids_unknown_fields(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    components = document["components"]["schemas"]
    bodies = 0
    open_models: list[str] = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                bodies += 1
                open_models += _open_objects(media["schema"], components, f"{method.upper()} {route}", set())
    assert bodies >= 25
    assert open_models == []


async def test_each_unknown_field_is_named_in_the_details(client: httpx.AsyncClient) -> None:
    session = await register(client, "ann@example.com")
    response = await client.post(
        "/v1/pets",
        json={"name": "Rex", "species": "dog", "colour": "brown", "medicalInfo": {"allergies": [], "bloodType": "A"}},
        headers=bearer(session),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert sorted((d["field"], d["type"]) for d in error["details"]) == [
        ("body.colour", "extra_forbidden"),
        ("body.medicalInfo.bloodType", "extra_forbidden"),
    ]


async def test_read_only_fields_are_refused_like_unknown_ones(client: httpx.AsyncClient) -> None:
    headers, business_id = await business_account(client, "biz@example.com")
    for change in ({"logo": "x"}, {"isVerified": True}, {"status": "active"}, {"rating": {"average": 5}}):
        refused = await client.put(f"/v1/businesses/{business_id}", json=change, headers=headers)
        assert refused.status_code == 422, change
        assert refused.json()["error"]["details"][0]["field"] == f"body.{next(iter(change))}"
    created = await client.post("/v1/businesses", json=business_body(isVerified=True), headers=headers)
    assert created.status_code == 422
