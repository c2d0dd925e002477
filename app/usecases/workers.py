"""Use cases of workers: a business hires (creates) them, lists them, edits them; workers edit their own availability.

Going online/offline and location updates are live use cases (app/usecases/live/).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.base import Timestamp
from app.domain.businesses import Rating
from app.domain.hours import AvailabilitySlot, DayOfWeek, TimeOfDay
from app.domain.pets import Species
from app.domain.users import Role
from app.domain.workers import MAX_AVAILABILITY_SLOTS, SEED_SPECIALIZATIONS, Worker, species_of
from app.errors import Forbidden, NotFound, ValidationFailed
from app.ids import new_id
from app.usecases.accounts.auth import AuthPorts, create_user
from app.usecases.businesses import BusinessPorts, may_manage, owned_business
from app.usecases.inputs import Email, Input, Name, NewPassword, Output, Phone, Text


class WorkerPorts(BusinessPorts, AuthPorts, Protocol):
    """Adding a worker creates their account (app/usecases/accounts/auth.py: create_user)."""


# Species, or the seed's plurals ("dogs", "small_animals"); answered as species.
Specialization = Literal["dog", "cat", "bird", "rabbit", "other", "dogs", "cats", "birds", "rabbits", "small_animals"]
Specializations = Annotated[list[Specialization], Field(max_length=len(Species) + len(SEED_SPECIALIZATIONS))]
Certification = Annotated[Text, Field(min_length=1, max_length=200)]
Certifications = Annotated[list[Certification], Field(max_length=20)]
Bio = Annotated[Text, Field(max_length=2000)]
Experience = Annotated[int, Field(strict=True, ge=0, le=80, description="years")]

# Which profile fields each kind of editor may change.
BUSINESS_FIELDS = frozenset(
    {"firstName", "lastName", "specializations", "availability", "bio", "experience", "certifications"}
)
SELF_FIELDS = frozenset({"availability", "phone", "bio"})


class AvailabilityInput(Input):
    day_of_week: DayOfWeek
    start_time: TimeOfDay
    end_time: TimeOfDay = Field(description="at or before startTime: past midnight; equal: all day")


Availability = Annotated[list[AvailabilityInput], Field(max_length=MAX_AVAILABILITY_SLOTS)]


class AvailabilityUpdate(Input):
    availability: Availability


# Fields mirrored on the worker's user account, so /v1/users/me agrees with the profile.
ACCOUNT_FIELDS = ("firstName", "lastName", "phone")


class WorkerCreate(Input):
    email: Email
    first_name: Name
    last_name: Name
    password: NewPassword
    specializations: Specializations = Field(default_factory=list)
    phone: Phone | None = None
    availability: Availability | None = None
    bio: Bio | None = None
    experience: Experience | None = None
    certifications: Certifications = Field(default_factory=list)


class WorkerUpdate(Input):
    first_name: Name | None = None
    last_name: Name | None = None
    specializations: Specializations | None = None
    availability: Availability | None = None
    phone: Phone | None = None
    bio: Bio | None = None
    experience: Experience | None = None
    certifications: Certifications | None = None


class WorkerView(Output):
    id: str
    user_id: str
    business_id: str
    first_name: str
    last_name: str
    # Contact details only for the worker, their business and admins.
    email: str | None
    phone: str | None
    specializations: list[Species]
    availability: list[AvailabilitySlot]
    bio: str | None
    experience: int | None
    certifications: list[str]
    rating: Rating
    is_active: bool
    online: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, worker: Worker, *, with_contact: bool) -> WorkerView:
        fields = worker.model_dump(include=set(cls.model_fields))
        if not with_contact:
            fields.update(email=None, phone=None)
        return cls.model_validate(fields)


def _is_self(principal: Principal, worker: Worker) -> bool:
    return principal.role is Role.WORKER and principal.user_id == worker.user_id


def _slots(given: list[AvailabilityInput] | None) -> list[AvailabilitySlot]:
    slots = [AvailabilitySlot.model_validate(slot.model_dump()) for slot in given or ()]
    return sorted(slots, key=lambda slot: (slot.day_of_week, slot.start_time))


async def _get(ports: WorkerPorts, worker_id: str) -> Worker:
    worker = await ports.store.workers.get(worker_id)
    if worker is None:
        raise NotFound("no such worker")
    return worker


async def create_worker(ports: WorkerPorts, principal: Principal, business_id: str, data: WorkerCreate) -> WorkerView:
    business = await owned_business(ports, principal, business_id)
    worker_id = new_id()
    user = await create_user(
        ports,
        email=data.email,
        password=data.password,
        role=Role.WORKER,
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
        business_id=business.id,
        worker_id=worker_id,
    )
    now = ports.clock.now()
    worker = Worker(
        id=worker_id,
        user_id=user.id,
        business_id=business.id,
        first_name=data.first_name,
        last_name=data.last_name,
        email=user.email,
        phone=data.phone,
        specializations=species_of(list(data.specializations)),
        availability=_slots(data.availability),
        bio=data.bio,
        experience=data.experience,
        certifications=data.certifications,
        created_at=now,
        updated_at=now,
    )
    await ports.store.workers.add(worker)
    return WorkerView.of(worker, with_contact=True)


async def list_workers(
    ports: WorkerPorts, principal: Principal, business_id: str, *, page: int, limit: int
) -> tuple[list[WorkerView], int]:
    business = await owned_business(ports, principal, business_id)
    workers = ports.store.workers
    found = await workers.list_for_business(business.id, skip=(page - 1) * limit, limit=limit)
    total = await workers.count_for_business(business.id)
    return [WorkerView.of(worker, with_contact=True) for worker in found], total


async def get_worker(ports: WorkerPorts, principal: Principal, worker_id: str) -> WorkerView:
    worker = await _get(ports, worker_id)
    business = await ports.store.businesses.get(worker.business_id)
    with_contact = _is_self(principal, worker) or may_manage(principal, business)
    return WorkerView.of(worker, with_contact=with_contact)


async def update_worker(ports: WorkerPorts, principal: Principal, worker_id: str, change: WorkerUpdate) -> WorkerView:
    worker = await _get(ports, worker_id)
    business = await ports.store.businesses.get(worker.business_id)
    allowed: frozenset[str] = frozenset()
    if may_manage(principal, business):
        allowed |= BUSINESS_FIELDS | (SELF_FIELDS if principal.is_admin else frozenset())
    if _is_self(principal, worker):
        allowed |= SELF_FIELDS
    if not allowed:
        raise Forbidden("only the worker or their business may edit this profile")
    fields: dict[str, Any] = change.model_dump(exclude_unset=True, by_alias=True, mode="json")
    refused = sorted(set(fields) - allowed)
    if refused:
        raise Forbidden(f"you may not change {', '.join(refused)}")
    if any(fields.get(key) is None for key in ("firstName", "lastName") if key in fields):
        raise ValidationFailed("names cannot be removed")
    for key in ("specializations", "certifications"):
        if key in fields and fields[key] is None:
            fields[key] = []
    if "availability" in fields:
        fields["availability"] = [s.model_dump(mode="json", by_alias=True) for s in _slots(change.availability)]
    if fields.get("specializations"):
        fields["specializations"] = [s.value for s in species_of(fields["specializations"])]
    now = ports.clock.now()
    updated = await ports.store.workers.update_fields(worker.id, fields, now)
    if updated is None:
        raise NotFound("no such worker")
    account = {key: fields[key] for key in ACCOUNT_FIELDS if key in fields}
    if account:
        await ports.store.users.update_fields(worker.user_id, account, now)
    return WorkerView.of(updated, with_contact=True)


async def set_availability(
    ports: WorkerPorts, principal: Principal, worker_id: str, data: AvailabilityUpdate
) -> WorkerView:
    """Replace the weekly availability: the worker themselves, or their business (or an admin)."""
    worker = await _get(ports, worker_id)
    business = await ports.store.businesses.get(worker.business_id)
    if not (_is_self(principal, worker) or may_manage(principal, business)):
        raise Forbidden("only the worker or their business may set this availability")
    slots = [slot.model_dump(mode="json", by_alias=True) for slot in _slots(data.availability)]
    updated = await ports.store.workers.update_fields(worker.id, {"availability": slots}, ports.clock.now())
    if updated is None:
        raise NotFound("no such worker")
    return WorkerView.of(updated, with_contact=True)
