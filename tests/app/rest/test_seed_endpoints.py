"""Every endpoint of the seed design (reference/walkydoggy-architecture.md, section 5) is in the OpenAPI
document under its contract path; the few the contract serves another way say how."""

from __future__ import annotations

import re

import httpx

# Section 5 of the seed, verbatim; its base URL is /v1.
SEED = """
POST   /auth/register
POST   /auth/login
POST   /auth/logout
POST   /auth/refresh-token
POST   /auth/forgot-password
POST   /auth/reset-password
POST   /auth/verify-email
POST   /auth/resend-verification
GET    /users/me
PUT    /users/me
PUT    /users/me/password
POST   /users/me/avatar
DELETE /users/me
GET    /pets
POST   /pets
GET    /pets/:id
PUT    /pets/:id
DELETE /pets/:id
POST   /pets/:id/photos
DELETE /pets/:id/photos/:photoId
POST   /pets/:id/co-owners
DELETE /pets/:id/co-owners/:userId
GET    /businesses
POST   /businesses
GET    /businesses/:id
PUT    /businesses/:id
DELETE /businesses/:id
GET    /businesses/:id/workers
POST   /businesses/:id/workers
GET    /businesses/:id/services
POST   /businesses/:id/services
GET    /businesses/:id/reviews
GET    /businesses/search
GET    /workers/:id
PUT    /workers/:id
PUT    /workers/:id/location
PUT    /workers/:id/availability
GET    /workers/:id/bookings
GET    /workers/:id/reviews
POST   /workers/:id/online
POST   /workers/:id/offline
GET    /services/:id
PUT    /services/:id
DELETE /services/:id
GET    /services/search
GET    /bookings
POST   /bookings
GET    /bookings/:id
PUT    /bookings/:id
POST   /bookings/:id/confirm
POST   /bookings/:id/cancel
POST   /bookings/:id/complete
POST   /bookings/:id/start
GET    /bookings/:id/tracking
GET    /payments
POST   /payments/intent
POST   /payments/confirm
POST   /payments/:id/refund
GET    /payments/:id
POST   /webhooks/stripe
POST   /reviews
GET    /reviews/:id
PUT    /reviews/:id
DELETE /reviews/:id
POST   /reviews/:id/response
POST   /reviews/:id/flag
GET    /locations/workers
GET    /locations/businesses
POST   /locations/track
GET    /notifications
PUT    /notifications/:id/read
PUT    /notifications/read-all
DELETE /notifications/:id
"""

# Seed endpoints the contract names differently.
RENAMED = {"POST /auth/refresh-token": "POST /auth/refresh"}
# Seed endpoints the contract serves without a REST route of its own.
NOT_REST = {
    # The app confirms the payment intent with Stripe (clientSecret); the verified webhook records it.
    "POST /payments/confirm",
    # Live positions stream over Socket.IO (`location:update`, `location:batch`); PUT /workers/:id/location
    # is the REST fallback.
    "POST /locations/track",
}


PARAMETER = re.compile(r"{\w+}")


def _seed() -> list[str]:
    endpoints = []
    for line in SEED.strip().splitlines():
        method, path = line.split()
        key = RENAMED.get(f"{method} {path}", f"{method} {path}")
        endpoints.append(re.sub(r":\w+", "{}", key))
    return endpoints


async def test_every_seed_endpoint_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    served = {
        f"{method.upper()} {PARAMETER.sub('{}', path.removeprefix('/v1'))}"
        for path, operations in document["paths"].items()
        for method in operations
    }
    seed = _seed()
    assert len(seed) == 73
    missing = [e for e in seed if e not in served and e not in NOT_REST]
    assert missing == []
