"""Workers: walkers and sitters employed by a business, each with a `worker` login account."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field

from app.domain.base import Entity, Timestamp
from app.domain.businesses import Rating
from app.domain.hours import AvailabilitySlot
from app.domain.pets import Species

MAX_AVAILABILITY_SLOTS = 84

# The seed's plural specializations, answered as the species they mean ("small_animals" has no species
# of its own: rabbits and the "other" pets, hamsters and guinea pigs among them).
SEED_SPECIALIZATIONS: dict[str, tuple[Species, ...]] = {
    "dogs": (Species.DOG,),
    "cats": (Species.CAT,),
    "birds": (Species.BIRD,),
    "rabbits": (Species.RABBIT,),
    "small_animals": (Species.RABBIT, Species.OTHER),
}


def species_of(specializations: list[str]) -> list[Species]:
    """Species names and the seed's plurals as species, first-given order, no repeats; ValueError otherwise."""
    found: list[Species] = []
    for given in specializations:
        found.extend(SEED_SPECIALIZATIONS.get(given) or (Species(given),))
    return list(dict.fromkeys(found))


class Worker(Entity):
    """`id` is also the `workerId` in the worker's access token."""

    user_id: str
    business_id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    specializations: list[Species] = Field(default_factory=list)
    # Empty: takes bookings whenever the business is open.
    availability: list[AvailabilitySlot] = Field(default_factory=list)
    bio: str | None = None
    experience: int | None = None
    certifications: list[str] = Field(default_factory=list)
    rating: Rating = Field(default_factory=Rating)
    is_active: bool = True
    # Maintained by the realtime plane (online/offline); false until the worker goes online.
    online: bool = False
    created_at: Timestamp
    updated_at: Timestamp

    def takes(self, species: Iterable[Species]) -> bool:
        """Whether the worker cares for all these species; no specializations means any species."""
        return not self.specializations or set(species) <= set(self.specializations)
