"""Use cases of businesses: create, read, edit and delete one's business; search businesses near a point."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Protocol

from pydantic import Field, StrictBool
from pydantic.alias_generators import to_camel

from app.auth.principal import Principal
from app.clock import Clock
from app.domain.base import Timestamp
from app.domain.businesses import (
    MAX_CERTIFICATIONS,
    MAX_OPENING_WINDOWS,
    Address,
    Business,
    BusinessStatus,
    BusinessType,
    ContactInfo,
    InsuranceInfo,
    Rating,
    point,
)
from app.domain.hours import DEFAULT_ZONE, DayOfWeek, OpeningHours, TimeOfDay, TimeZoneName, zone_problem
from app.domain.media import MediaRef
from app.domain.services import ServiceType
from app.domain.users import Role
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.ids import new_id
from app.store.geo_search import NearbyBusiness
from app.store.store import Store
from app.usecases import attachments
from app.usecases.inputs import AddressInput, Email, Input, Name, Output, PageNumber, PageSize, Phone, QueryInput, Text
from app.usecases.media import MediaPorts
from geo.areas import ServiceArea, parse_area
from geo.coordinates import LngLat
from geo.distance import round_dm
from geo.errors import GeoError
from geo.timezones import timezone_at


class BusinessPorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...


class BusinessEditPorts(BusinessPorts, MediaPorts, Protocol):
    """Taking the cover photo or certifications off a business forgets their media."""


MAX_SEARCH_RADIUS_M = 50_000
DEFAULT_SEARCH_RADIUS_M = 5_000


class OpeningHoursInput(Input):
    day_of_week: DayOfWeek
    open_time: TimeOfDay
    close_time: TimeOfDay = Field(description="at or before openTime: open past midnight; equal: all day")


class ContactInfoInput(Input):
    email: Email | None = None
    phone: Phone | None = None
    website: Annotated[Text, Field(min_length=1, max_length=300, pattern=r"^https?://\S+$")] | None = None


OperatingHoursInput = Annotated[list[OpeningHoursInput], Field(max_length=MAX_OPENING_WINDOWS)]


class InsuranceInfoInput(Input):
    provider: Annotated[Text, Field(min_length=1, max_length=200)]
    policy_number: Annotated[Text, Field(min_length=1, max_length=100)]
    expiry_date: date = Field(ge=date(2000, 1, 1), le=date(2200, 12, 31), description="YYYY-MM-DD")


Certifications = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]],
    Field(
        max_length=MAX_CERTIFICATIONS,
        description="ids of documents uploaded with POST /v1/businesses/{id}/certifications: the ones to keep, "
        "in order (the others are removed)",
    ),
]


class BusinessCreate(Input):
    name: Name
    description: Text | None = None
    address: AddressInput
    service_area: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, [lng, lat] positions")
    operating_hours: OperatingHoursInput | None = None
    timezone: TimeZoneName | None = None
    business_type: BusinessType | None = None
    contact_info: ContactInfoInput | None = None
    insurance_info: InsuranceInfoInput | None = None
    # Accepted empty, as a client of the seed's model sends them: they are uploaded once the business exists.
    cover_photo: None = Field(default=None, description="upload it with POST /v1/businesses/{id}/cover")
    certifications: Annotated[list[str], Field(max_length=0)] = Field(
        default_factory=list, description="upload them with POST /v1/businesses/{id}/certifications"
    )
    premium: StrictBool = False


class BusinessUpdate(Input):
    name: Name | None = None
    description: Text | None = None
    address: AddressInput | None = None
    service_area: dict[str, Any] | None = None
    operating_hours: OperatingHoursInput | None = None
    timezone: TimeZoneName | None = None
    business_type: BusinessType | None = None
    contact_info: ContactInfoInput | None = None
    insurance_info: InsuranceInfoInput | None = None
    # Uploaded with POST /v1/businesses/{id}/cover; null takes it off.
    cover_photo: None = Field(default=None, description="null takes the cover photo off (upload: POST .../cover)")
    certifications: Certifications | None = None
    premium: StrictBool | None = None


class BusinessView(Output):
    id: str
    owner_id: str
    name: str
    description: str | None
    address: Address
    service_area: dict[str, Any]
    operating_hours: list[OpeningHours]
    timezone: str
    business_type: BusinessType | None
    contact_info: ContactInfo | None
    insurance_info: InsuranceInfo | None
    certifications: list[str]
    is_verified: bool
    status: BusinessStatus
    premium: bool
    logo: MediaRef | None
    cover_photo: MediaRef | None
    rating: Rating
    is_active: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, business: Business) -> BusinessView:
        return cls.model_validate(business.model_dump(include=set(cls.model_fields)))


class BusinessSearchHit(BusinessView):
    distance_m: float
    serves_location: bool

    @classmethod
    def found(cls, business: Business, hit: NearbyBusiness) -> BusinessSearchHit:
        fields = business.model_dump(include=set(BusinessView.model_fields))
        return cls.model_validate(
            {**fields, "distance_m": round_dm(hit.distance_m), "serves_location": hit.serves_location}
        )


class BusinessSearch(QueryInput):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    radius: float = Field(
        default=DEFAULT_SEARCH_RADIUS_M, gt=0, le=MAX_SEARCH_RADIUS_M, allow_inf_nan=False, description="metres"
    )
    service_type: ServiceType | None = None
    serves_location: bool = False
    page: PageNumber = 1
    limit: PageSize = 20


def _geo_failure(field: str, exc: GeoError) -> ValidationFailed:
    path = f"{field}.{exc.path}" if exc.path else field
    return ValidationFailed(f"{path}: {exc.reason}", [{"field": path, "message": exc.reason, "type": "geojson"}])


def _service_area(geojson: dict[str, Any]) -> ServiceArea:
    try:
        return parse_area(geojson)
    except GeoError as exc:
        raise _geo_failure("serviceArea", exc) from exc


def _address(data: AddressInput) -> tuple[Address, dict[str, Any]]:
    """The stored address and its GeoJSON Point."""
    lng, lat = data.coordinates
    return Address.model_validate(data.model_dump()), point(lng, lat)


def _hours(given: list[OpeningHoursInput] | None) -> list[OpeningHours]:
    return [OpeningHours.model_validate(hours.model_dump()) for hours in given or ()]


def _zone_of(address: Address) -> str:
    """The zone at the business's address; UTC at sea or where the boundary data knows none."""
    zone = timezone_at(LngLat(*address.coordinates))
    return zone if zone is not None and zone_problem(zone) is None else DEFAULT_ZONE


async def owned_business(ports: BusinessPorts, principal: Principal, business_id: str) -> Business:
    """The active business, when the caller may manage it (its owning account, or an admin)."""
    business = await ports.store.businesses.get(business_id)
    if business is None or not business.is_active:
        raise NotFound("no such business")
    principal.require_business(business.id, business.owner_id)
    return business


def may_manage(principal: Principal, business: Business | None) -> bool:
    if principal.is_admin:
        return True
    return business is not None and principal.role is Role.BUSINESS and business.owner_id == principal.user_id


async def create_business(ports: BusinessPorts, principal: Principal, data: BusinessCreate) -> BusinessView:
    if principal.role is not Role.BUSINESS:
        raise Forbidden("only business accounts create businesses")
    if data.premium:
        # Premium lowers the platform fee: the platform grants it, a business cannot claim it.
        raise Forbidden("premium is granted by the platform")
    address, location = _address(data.address)
    area = _service_area(data.service_area)
    now = ports.clock.now()
    business = Business(
        id=new_id(),
        owner_id=principal.user_id,
        name=data.name,
        description=data.description,
        address=address,
        location=location,
        service_area=area.to_geojson(),
        operating_hours=_hours(data.operating_hours),
        timezone=data.timezone or _zone_of(address),
        business_type=data.business_type,
        contact_info=ContactInfo.model_validate(data.contact_info.model_dump()) if data.contact_info else None,
        insurance_info=InsuranceInfo.model_validate(data.insurance_info.model_dump()) if data.insurance_info else None,
        created_at=now,
        updated_at=now,
    )
    # Claim the account first: of two concurrent creates only one passes this compare-and-set.
    if not await ports.store.users.set_business(principal.user_id, business.id):
        raise Conflict("this account already has a business")
    await ports.store.businesses.add(business)
    return BusinessView.of(business)


async def get_business(ports: BusinessPorts, principal: Principal, business_id: str) -> BusinessView:
    business = await ports.store.businesses.get(business_id)
    if business is None or not business.is_active or not (business.is_listed or may_manage(principal, business)):
        raise NotFound("no such business")
    return BusinessView.of(business)


async def update_business(
    ports: BusinessEditPorts, principal: Principal, business_id: str, change: BusinessUpdate
) -> BusinessView:
    business = await owned_business(ports, principal, business_id)
    given = change.model_dump(exclude_unset=True)
    if any(given.get(key) is None for key in ("name", "address", "service_area", "premium") if key in given):
        raise ValidationFailed("name, address, serviceArea and premium cannot be removed")
    if change.premium is not None and not principal.is_admin:
        raise Forbidden("premium is granted by the platform")
    fields: dict[str, Any] = {}
    if change.address is not None:
        address, location = _address(change.address)
        fields["address"] = address.model_dump(mode="json", by_alias=True)
        fields["location"] = location
    if change.service_area is not None:
        fields["serviceArea"] = _service_area(change.service_area).to_geojson()
    if "operating_hours" in given:
        fields["operatingHours"] = [h.model_dump(mode="json", by_alias=True) for h in _hours(change.operating_hours)]
    if "timezone" in given:
        # Cleared: back to the zone at the (possibly new) address.
        address = Address.model_validate(fields.get("address", business.address))
        fields["timezone"] = change.timezone or _zone_of(address)
    wire = change.model_dump(mode="json", by_alias=True)
    for key in ("name", "description", "premium", "business_type", "contact_info", "insurance_info"):
        if key in given:
            fields[to_camel(key)] = wire[to_camel(key)]
    if "cover_photo" in given:
        await attachments.remove_cover(ports, principal, business)
    if "certifications" in given:
        await attachments.keep_certifications(ports, business, change.certifications or [])
    updated = await ports.store.businesses.update_fields(business.id, fields, ports.clock.now())
    if updated is None:
        raise NotFound("no such business")
    return BusinessView.of(updated)


async def delete_business(ports: BusinessPorts, principal: Principal, business_id: str) -> None:
    """Soft delete: bookings and payments keep their reference; the business leaves search."""
    business = await owned_business(ports, principal, business_id)
    now = ports.clock.now()
    if not await ports.store.businesses.deactivate(business.id, now):
        raise NotFound("no such business")
    await ports.store.services.deactivate_for_business(business.id, now)


async def found_near(store: Store, query: BusinessSearch) -> tuple[list[tuple[Business, NearbyBusiness]], int]:
    """The page of businesses near the point, nearest first, each with its hit; and the total."""
    among = await store.services.business_ids_offering(query.service_type) if query.service_type else None
    hits = await store.geo_search.businesses_near(
        LngLat(query.lng, query.lat), query.radius, among=among, serving_only=query.serves_location
    )
    window = hits[(query.page - 1) * query.limit : query.page * query.limit]
    found = await store.businesses.get_many([hit.business_id for hit in window])
    return [(found[hit.business_id], hit) for hit in window if hit.business_id in found], len(hits)


async def search_businesses(
    ports: BusinessPorts, principal: Principal, query: BusinessSearch
) -> tuple[list[BusinessSearchHit], int]:
    """Nearest first, with the distance and whether the point is in each service area; and the total."""
    found, total = await found_near(ports.store, query)
    return [BusinessSearchHit.found(business, hit) for business, hit in found], total
