"""Schemathesis against the in-process app: every operation, as an owner and as a business.

The world is seeded first so generated requests also reach real resources: path ids are drawn from the
seeded ones as often as from schemathesis' own strings. Bounded to fit CI: few examples per operation, no
shrinking, a 10 s deadline per request. Select with `-m fuzz`.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from starlette.types import ASGIApp, Receive, Scope, Send

from app.service import api_of, create_app
from app.settings import Settings
from tests.app.bookings_world import PICKUP
from tests.app.marketplace import business_body
from tests.support.api import PASSWORD
from tests.support.asgi import lifespan

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MAX_EXAMPLES = 3


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _session(client: Any, email: str, role: str) -> tuple[dict[str, str], str]:
    body = {"email": email, "password": PASSWORD, "role": role, "firstName": "Ada", "lastName": "Fuzz"}
    session = _ok(client.post("/v1/auth/register", json=body), 201)
    return {"Authorization": f"Bearer {session['accessToken']}"}, session["user"]["id"]


def _seed(client: Any) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Accounts, a business with a worker and a service, a pet, a completed and paid booking with its
    review, and a pending booking."""
    owner, owner_id = _session(client, "fuzz-owner@example.com", "owner")
    leaver, _ = _session(client, "fuzz-leaver@example.com", "owner")
    business, _ = _session(client, "fuzz-business@example.com", "business")
    business_id = _ok(client.post("/v1/businesses", json=business_body(), headers=business), 201)["id"]
    worker_body = {
        "email": "fuzz-worker@example.com",
        "firstName": "Wally",
        "lastName": "Walker",
        "password": PASSWORD,
        "specializations": ["dog"],
    }
    worker_id = _ok(client.post(f"/v1/businesses/{business_id}/workers", json=worker_body, headers=business), 201)["id"]
    login = _ok(client.post("/v1/auth/login", json={"email": worker_body["email"], "password": PASSWORD}))
    worker = {"Authorization": f"Bearer {login['accessToken']}"}
    service = {
        "name": "Hour walk",
        "serviceType": "walking",
        "pricing": {"basePrice": 2000, "currency": "EUR", "priceType": "fixed", "additionalPetPrice": 500},
        "duration": 60,
        "petTypes": ["dog"],
        "maxPets": 3,
    }
    service_id = _ok(client.post(f"/v1/businesses/{business_id}/services", json=service, headers=business), 201)["id"]
    pet = {"name": "Rex", "species": "dog", "age": 3, "weight": 20}
    pet_id = _ok(client.post("/v1/pets", json=pet, headers=owner), 201)["id"]

    def book() -> str:
        when = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
        body = {"serviceId": service_id, "pets": [pet_id], "scheduledAt": when, "location": {"coordinates": PICKUP}}
        return str(_ok(client.post("/v1/bookings", json=body, headers=owner), 201)["id"])

    done, pending = book(), book()
    payment_id = _ok(client.post("/v1/payments/intent", json={"bookingId": done}, headers=owner))["paymentId"]
    _ok(client.post(f"/v1/bookings/{done}/confirm", json={"workerId": worker_id}, headers=business))
    fix = {"coordinates": PICKUP, "timestamp": int(datetime.now(UTC).timestamp() * 1000)}
    _ok(client.put(f"/v1/workers/{worker_id}/location", json=fix, headers=worker))
    _ok(client.post(f"/v1/bookings/{done}/start", headers=worker))
    _ok(client.post(f"/v1/bookings/{done}/complete", headers=worker))
    review = {"bookingId": done, "rating": 5, "comment": "Great walk"}
    review_id = _ok(client.post("/v1/reviews", json=review, headers=owner), 201)["id"]
    notification_ids = [n["id"] for n in _ok_list(client.get("/v1/notifications", headers=business))]
    headers = {"owner": owner, "business": business, "leaver": leaver}
    ids = {
        "business_id": [business_id],
        "worker_id": [worker_id],
        "service_id": [service_id],
        "pet_id": [pet_id],
        "booking_id": [done, pending],
        "payment_id": [payment_id],
        "review_id": [review_id],
        "notification_id": notification_ids,
        "user_id": [owner_id],
    }
    return headers, ids


def _ok_list(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]
    return items


class WithoutLifespan:
    """The app as schemathesis sees it. Schemathesis ends an app's lifespan after every test, and the app's
    services do not start twice: the `world` fixture runs the real lifespan once for the module."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


# Built at import: schemathesis makes one test per operation at collection, from the app's own document.
# The store creates its directory at start: nothing is left behind when the fuzz tests are deselected.
DATA_DIR = Path(tempfile.gettempdir()) / f"walky-fuzz-{uuid.uuid4().hex}"
APP = create_app(Settings(data_dir=DATA_DIR, _env_file=None))
schema = schemathesis.openapi.from_dict(api_of(APP).openapi())
schema.app = WithoutLifespan(APP)
# Erasing one's account ends every later request of that account: it runs apart, as an account of its own.
ERASE_METHOD, ERASE_PATH = "DELETE", "/v1/users/me"
# Filled by the `world` fixture: path parameter name -> ids that exist.
SEEDED: dict[str, list[str]] = {}


@schema.hook
def flatmap_path_parameters(
    context: Any, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {name: st.sampled_from([value, *SEEDED.get(name, [])]) for name, value in path_parameters.items()}
    )


@pytest.fixture(scope="module")
def accounts() -> Iterator[dict[str, dict[str, str]]]:
    """Each role's auth headers, in the seeded world."""
    # Schemathesis serves every request on its one event-loop thread: the app's services start there too.
    portal = asgi._get_portal()
    with portal.wrap_async_context_manager(lifespan(APP)):
        with asgi.get_client(schema.app) as client:
            headers, ids = _seed(client)
        SEEDED.update(ids)
        yield headers
    shutil.rmtree(DATA_DIR, ignore_errors=True)


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    # Generous: CI shares its cores, and a login hashes a password; a hung request still fails.
    deadline=timedelta(seconds=10),
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.mark.fuzz
@schema.exclude(method=ERASE_METHOD, path=ERASE_PATH).parametrize()
@FUZZ_SETTINGS
def test_every_operation_as_an_owner(case: Any, accounts: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=accounts["owner"], checks=CHECKS)


@pytest.mark.fuzz
@schema.exclude(method=ERASE_METHOD, path=ERASE_PATH).parametrize()
@FUZZ_SETTINGS
def test_every_operation_as_a_business(case: Any, accounts: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=accounts["business"], checks=CHECKS)


@pytest.mark.fuzz
@schema.include(method=ERASE_METHOD, path=ERASE_PATH).parametrize()
@FUZZ_SETTINGS
def test_erasing_an_account(case: Any, accounts: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=accounts["leaver"], checks=CHECKS)
