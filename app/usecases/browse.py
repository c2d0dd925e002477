"""Public marketplace reads (no account needed): browse businesses, search services near a point, and
read one business and its services.

Anonymous answers use their own views, built from an explicit list of fields: an owner's account id,
anyone's email or phone and every worker's position are simply not in them. Suspended businesses are
never shown (app/store/marketplace/businesses.py LISTED; the geo index holds listed businesses only).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.domain.base import Timestamp
from app.domain.businesses import Address, Business, BusinessType, Rating
from app.domain.hours import OpeningHours
from app.domain.media import MediaRef
from app.domain.pets import Species
from app.domain.services import Pricing, Service, ServiceType
from app.errors import NotFound
from app.store.store import Store
from app.usecases.businesses import BusinessSearch, found_near
from app.usecases.inputs import Output, PageNumber, PageSize, QueryInput
from geo.coordinates import LngLat
from geo.distance import round_dm

MAX_SERVICE_RADIUS_M = 50_000


class BrowseQuery(QueryInput):
    page: PageNumber = 1
    limit: PageSize = 20
    service_type: ServiceType | None = None
    q: str | None = Field(default=None, min_length=1, max_length=100, description="text in the business name")


class ServiceSearch(QueryInput):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    radius: float = Field(
        default=MAX_SERVICE_RADIUS_M,
        gt=0,
        le=MAX_SERVICE_RADIUS_M,
        allow_inf_nan=False,
        description="metres from the business address",
    )
    service_type: ServiceType | None = None
    pet_type: Species | None = None
    page: PageNumber = 1
    limit: PageSize = 20


class PublicBusinessView(Output):
    """What anyone may read about a business."""

    id: str
    name: str
    description: str | None
    address: Address
    service_area: dict[str, Any]
    operating_hours: list[OpeningHours]
    timezone: str
    business_type: BusinessType | None
    logo: MediaRef | None
    cover_photo: MediaRef | None
    certifications: list[str]
    premium: bool
    is_verified: bool
    rating: Rating
    created_at: Timestamp

    @classmethod
    def of(cls, business: Business) -> PublicBusinessView:
        # The business was validated when read: its values are copied, not dumped and validated again.
        return cls.model_construct(**_copied(business, _BUSINESS_FIELDS))


class PublicServiceView(Output):
    id: str
    business_id: str
    name: str
    description: str | None
    service_type: ServiceType
    pricing: Pricing
    duration: int
    pet_types: list[Species]
    max_pets: int

    @classmethod
    def of(cls, service: Service) -> PublicServiceView:
        return cls.model_construct(**_copied(service, _SERVICE_FIELDS))


def _copied(source: Business | Service, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(source, name) for name in fields}


_BUSINESS_FIELDS = tuple(PublicBusinessView.model_fields)
_SERVICE_FIELDS = tuple(PublicServiceView.model_fields)


class ServiceBusiness(Output):
    id: str
    name: str
    rating: Rating
    is_verified: bool
    distance_m: float


class ServiceSearchHit(PublicServiceView):
    business: ServiceBusiness


async def listed_business(store: Store, business_id: str) -> Business:
    business = await store.businesses.get(business_id)
    if business is None or not business.is_listed:
        raise NotFound("no such business")
    return business


async def browse_businesses(store: Store, query: BrowseQuery) -> tuple[list[PublicBusinessView], int]:
    """Listed businesses, best rated first, optionally offering a service type or named like `q`."""
    found, total = await store.listed.page(
        service_type=query.service_type, name_contains=query.q, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    return [PublicBusinessView.of(business) for business in found], total


def _hit(service: Service, business: Business, distance_m: float) -> ServiceSearchHit:
    offer = ServiceBusiness.model_construct(
        id=business.id,
        name=business.name,
        rating=business.rating,
        is_verified=business.is_verified,
        distance_m=round_dm(distance_m),
    )
    return ServiceSearchHit.model_construct(**_copied(service, _SERVICE_FIELDS), business=offer)


async def search_services(store: Store, query: ServiceSearch) -> tuple[list[ServiceSearchHit], int]:
    """Active services of the listed businesses whose service area contains the point and whose address
    is within `radius`; nearest business first."""
    # The service-area index narrows 10,000 businesses to the few serving the point, with their distance.
    near = await store.geo_search.businesses_near(LngLat(query.lng, query.lat), query.radius, serving_only=True)
    distance = {hit.business_id: hit.distance_m for hit in near}
    if not distance:
        return [], 0
    window, total = await store.services.nearest_active(
        distance, query.service_type, query.pet_type, skip=(query.page - 1) * query.limit, limit=query.limit
    )
    # Only the businesses on this page are read.
    shown = await store.businesses.get_many({service.business_id for service in window}) if window else {}
    items = [
        _hit(service, business, distance[service.business_id])
        for service in window
        if (business := shown.get(service.business_id)) is not None
    ]
    return items, total


async def public_business(store: Store, business_id: str) -> PublicBusinessView:
    return PublicBusinessView.of(await listed_business(store, business_id))


async def public_services(store: Store, business_id: str) -> list[PublicServiceView]:
    business = await listed_business(store, business_id)
    return [PublicServiceView.of(service) for service in await store.services.list_for_business(business.id)]


class PublicSearchHit(PublicBusinessView):
    distance_m: float
    serves_location: bool


async def public_search(store: Store, query: BusinessSearch) -> tuple[list[PublicSearchHit], int]:
    found, total = await found_near(store, query)
    items = [
        PublicSearchHit.model_validate(
            {
                **business.model_dump(include=set(PublicBusinessView.model_fields)),
                "distance_m": round_dm(hit.distance_m),
                "serves_location": hit.serves_location,
            }
        )
        for business, hit in found
    ]
    return items, total
