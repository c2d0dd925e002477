"""The simulator's demo world written straight into a stopped server's SQLite store, for the console benchmark.

`python -m app simulate` makes every account through the public API, and each costs the server an argon2
hash (about a second on the shared benchmark machine, where 1,000 walkers and their owners took longer
than a run may). Here the same use cases the REST routes call write the same request bodies into the store
in-process, before the server starts. Two shortcuts, both outside the server: every account stores one
argon2id hash of the demo password, made once at the server's full default strength (so the console's
sign-in verifies it at full cost, as any login does); and the access tokens are issued with the server's
own signing key and `AccessTokens.issue`, as a login would, instead of a login per account. The server
then runs unchanged: the walkers still connect and move over real Socket.IO, and the console still
receives real `fleet:location` events.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.auth.passwords import Passwords
from app.composition import Services, build_services
from app.domain.users import Role, User
from app.settings import Settings
from app.simulate.paths import Grid
from app.simulate.world import (
    PASSWORD,
    SERVICE_BODY,
    Account,
    World,
    business_body,
    business_email,
    new_run,
    owner_email,
    pet_body,
    walker_body,
)
from app.usecases.accounts.auth import create_user, principal_of
from app.usecases.businesses import BusinessCreate, create_business
from app.usecases.pets import PetCreate, create_pet
from app.usecases.services import ServiceCreate, create_service
from app.usecases.workers import WorkerCreate, create_worker

# The seeded tokens outlive a slow run on a loaded machine (the server's own default is 15 minutes).
TOKEN_TTL_S = 2 * 3600


class OneHash(Passwords):
    """Hands out one real argon2id hash of the demo password, made once with the default parameters."""

    def __init__(self) -> None:
        super().__init__()
        self._stored = self._hasher.hash(PASSWORD)

    async def hash(self, password: str) -> str:
        if password != PASSWORD:
            raise ValueError("only the demo password is seeded")
        return self._stored


def _account(services: Services, user: User) -> Account:
    token = services.access_tokens.issue(principal_of(user), services.clock.now())
    return Account(token, user.id, user.worker_id)


async def _user(services: Services, email: str) -> User:
    user = await services.store.users.by_email(email)
    if user is None:
        raise RuntimeError(f"{email} was not seeded")
    return user


async def seed_world(
    data_dir: Path, jwt_secret: str, *, walkers: int, owners: int, grid: Grid, radius_m: float
) -> World:
    """Write the world into `data_dir`'s SQLite store (the server must not be running yet)."""
    settings = Settings(
        data_dir=data_dir, jwt_secret=jwt_secret, access_token_ttl_s=TOKEN_TTL_S, redis_url=None, mongodb_url=None
    )
    services = dataclasses.replace(build_services(settings), passwords=OneHash())
    await services.store.setup()
    try:
        run = new_run()
        email = business_email(run)
        boss = await create_user(
            services, email=email, password=PASSWORD, role=Role.BUSINESS, first_name="Dispatch", last_name="Demo"
        )
        created = await create_business(
            services, principal_of(boss), BusinessCreate.model_validate(business_body(run, grid, radius_m))
        )
        # Reread: the account now carries its business, and so does its token.
        business = _account(services, await _user(services, email))
        principal = services.access_tokens.verify(business.token)
        service = await create_service(services, principal, created.id, ServiceCreate.model_validate(SERVICE_BODY))
        world = World(grid, radius_m, created.id, email, business, service.id)
        for number in range(walkers):
            body = walker_body(run, number)
            await create_worker(services, principal, created.id, WorkerCreate.model_validate(body))
            world.walkers.append(_account(services, await _user(services, body["email"])))
        for number in range(owners):
            owner = await create_user(
                services,
                email=owner_email(run, number),
                password=PASSWORD,
                role=Role.OWNER,
                first_name=f"Owner{number}",
                last_name="Demo",
            )
            pet = await create_pet(services, principal_of(owner), PetCreate.model_validate(pet_body(number)))
            world.owners.append((_account(services, owner), pet.id))
    finally:
        await services.store.close()
    return world
