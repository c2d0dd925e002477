"""Workers: walkers and sitters employed by a business, each with a `worker` login account."""

from __future__ import annotations

from pydantic import Field

from app.domain.base import Entity, Timestamp
from app.domain.businesses import Rating, TimeRange, Weekday
from app.domain.pets import Species

# Weekly availability: the time ranges a worker takes bookings on each weekday.
Availability = dict[Weekday, list[TimeRange]]


class Worker(Entity):
    """`id` is also the `workerId` in the worker's access token."""

    user_id: str
    business_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    specializations: list[Species] = Field(default_factory=list)
    availability: Availability = Field(default_factory=dict)
    rating: Rating = Field(default_factory=Rating)
    is_active: bool = True
    # Maintained by the realtime plane (online/offline); false until the worker goes online.
    online: bool = False
    created_at: Timestamp
    updated_at: Timestamp
