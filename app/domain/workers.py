"""Workers: walkers and sitters employed by a business, each with a `worker` login account."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated

from pydantic import AfterValidator, Field

from app.domain.base import Entity, Timestamp
from app.domain.businesses import Rating, TimeRange, Weekday
from app.domain.pets import Species

MAX_RANGES_PER_DAY = 12


def _sorted_without_overlap(ranges: list[TimeRange]) -> list[TimeRange]:
    ordered = sorted(ranges, key=lambda r: r.start)
    for before, after in pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"time ranges {before.start}-{before.end} and {after.start}-{after.end} overlap")
    return ordered


DayRanges = Annotated[list[TimeRange], Field(max_length=MAX_RANGES_PER_DAY), AfterValidator(_sorted_without_overlap)]
# Weekly availability: the time ranges a worker takes bookings on each weekday.
Availability = dict[Weekday, DayRanges]


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
