"""/v1/pets: an owner's pets and their co-owners."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.rest.deps import PrincipalDep, ServicesDep
from app.rest.envelope import Envelope, Page, ok, page
from app.rest.guards import may_act_on
from app.rest.routers.businesses import PageNumber, PageSize
from app.usecases import access, pets

router = APIRouter(prefix="/v1/pets", tags=["pets"])


@router.get("", summary="Pets the caller owns or co-owns")
async def list_pets(
    principal: PrincipalDep, services: ServicesDep, page_: PageNumber = 1, limit: PageSize = 20
) -> Page[pets.PetView]:
    items, total = await pets.list_pets(services, principal, page=page_, limit=limit)
    return page(items, page=page_, limit=limit, total=total)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_pet(body: pets.PetCreate, principal: PrincipalDep, services: ServicesDep) -> Envelope[pets.PetView]:
    return ok(await pets.create_pet(services, principal, body))


@router.get("/{pet_id}")
async def get_pet(pet_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[pets.PetView]:
    return ok(await pets.get_pet(services, principal, pet_id))


@router.put("/{pet_id}", dependencies=[may_act_on("pet_id", access.own_pet)])
async def update_pet(
    pet_id: str, body: pets.PetUpdate, principal: PrincipalDep, services: ServicesDep
) -> Envelope[pets.PetView]:
    return ok(await pets.update_pet(services, principal, pet_id, body))


@router.delete("/{pet_id}")
async def delete_pet(pet_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[dict[str, bool]]:
    await pets.delete_pet(services, principal, pet_id)
    return ok({"deleted": True})


@router.post(
    "/{pet_id}/co-owners",
    summary="Share the pet with another owner account",
    dependencies=[may_act_on("pet_id", access.own_pet)],
)
async def add_co_owner(
    pet_id: str, body: pets.CoOwnerInput, principal: PrincipalDep, services: ServicesDep
) -> Envelope[pets.PetView]:
    return ok(await pets.add_co_owner(services, principal, pet_id, body))


@router.delete("/{pet_id}/co-owners/{user_id}")
async def remove_co_owner(
    pet_id: str, user_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[pets.PetView]:
    return ok(await pets.remove_co_owner(services, principal, pet_id, user_id))
