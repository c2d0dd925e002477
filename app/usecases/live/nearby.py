"""Nearby search: online, available workers nearest first (`GET /v1/locations/workers`).

Positions are private: exact coordinates go only to admins and to the account of the worker's own
business; everyone else gets distances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol, Self

from pydantic import Field, model_validator

from app.auth.principal import Principal
from app.clock import Clock
from app.clock import now_ms as clock_ms
from app.domain.businesses import Rating
from app.domain.services import ServiceType
from app.domain.users import Role
from app.live.live_index import LiveIndex, NearbyWorker, iso_ms
from app.store.store import Store
from app.usecases.inputs import Output, QueryInput
from geo.coordinates import LngLat
from geo.distance import round_dm

MAX_RADIUS_M = 50_000.0
DEFAULT_RADIUS_M = 5_000.0
# The index skips stale, unavailable and other businesses' workers itself and widens until it has enough;
# inactive or deleted workers are dropped only after it answers. They are rare, so a page asks for exactly
# `limit` candidates and, only when some were dropped, asks again for that many more plus OVERFETCH, at most
# SEARCHES times in all: each candidate costs the page its parse, distance and profile look-up.
OVERFETCH = 5
SEARCHES = 3


class NearbyPorts(Protocol):
    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def live_index(self) -> LiveIndex: ...


class NearbyQuery(QueryInput):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    lng: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    radius: Annotated[float, Field(gt=0, allow_inf_nan=False, description=f"Metres; capped at {MAX_RADIUS_M:g}")] = (
        DEFAULT_RADIUS_M
    )
    service_type: ServiceType | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20

    @model_validator(mode="after")
    def _cap(self) -> Self:
        self.radius = min(self.radius, MAX_RADIUS_M)
        return self

    @property
    def center(self) -> LngLat:
        return LngLat(self.lng, self.lat)


# The query's wire names: FastAPI reads a query model by its aliases only.
QUERY_NAMES = frozenset(field.alias or name for name, field in NearbyQuery.model_fields.items())


class NearbyWorkerView(Output):
    worker_id: str
    business_id: str
    distance_m: float
    rating: Rating
    last_seen_at: str
    coordinates: list[float] | None = Field(
        default=None, description="[lng, lat]; only for admins and the worker's own business"
    )


def _sees_positions_of(principal: Principal) -> Callable[[str | None], bool] | None:
    """Whether `principal` sees the exact positions of a business's workers (asked once per page); None
    when it sees nobody's, the owners' usual case, so that the page does not ask per worker."""
    if principal.is_admin:
        return lambda business_id: True
    own = principal.business_id if principal.role is Role.BUSINESS else None
    if own is None:
        return None
    return lambda business_id: business_id == own


async def find_nearby_workers(ports: NearbyPorts, principal: Principal, query: NearbyQuery) -> list[dict[str, Any]]:
    """The page in its wire form: what `NearbyWorkerView.model_dump(by_alias=True, exclude_none=True)` gives
    (a test holds them equal). Built from the index and the store, not from input, so nothing is validated:
    the live plane's hot read skips twenty model constructions and a model serialization per page."""
    business_ids = await ports.store.services.business_ids_offering(query.service_type) if query.service_type else None
    if business_ids is not None and not business_ids:
        return []
    now_ms = clock_ms(ports.clock)
    sees_positions = _sees_positions_of(principal)
    wanted = query.limit
    for _ in range(SEARCHES):
        hits = await ports.live_index.nearby(
            query.center, query.radius, limit=wanted, now_ms=now_ms, business_ids=business_ids
        )
        views = await _views(ports, hits, sees_positions, query.limit)
        if len(views) == query.limit or len(hits) < wanted:
            # A full page, or every candidate the index has.
            break
        wanted += wanted - len(views) + OVERFETCH
    return views


async def _views(
    ports: NearbyPorts, hits: list[NearbyWorker], sees_positions: Callable[[str | None], bool] | None, limit: int
) -> list[dict[str, Any]]:
    """The first `limit` hits whose worker is active, in their wire form."""
    workers = await ports.store.workers.get_many_recent([hit.worker_id for hit in hits]) if hits else {}
    views: list[dict[str, Any]] = []
    for hit in hits:
        worker = workers.get(hit.worker_id)
        if worker is None or not worker.is_active:
            continue
        rating = worker.rating
        view = {
            "workerId": hit.worker_id,
            "businessId": worker.business_id,
            "distanceM": round_dm(hit.distance_m),
            "rating": {"average": rating.average, "count": rating.count},
            "lastSeenAt": iso_ms(hit.last_seen_ms),
        }
        if sees_positions is not None and sees_positions(worker.business_id):
            view["coordinates"] = [hit.lng, hit.lat]
        views.append(view)
        if len(views) == limit:
            break
    return views
