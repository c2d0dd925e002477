"""The store: every repository, built over one backend."""

from __future__ import annotations

from app.store.backend import StoreBackend
from app.store.refresh_tokens import RefreshTokenRepository
from app.store.schema import REFRESH_TOKENS, USERS
from app.store.users import UserRepository


class Store:
    def __init__(self, backend: StoreBackend) -> None:
        self.backend = backend
        self.users = UserRepository(backend.collection(USERS))
        self.refresh_tokens = RefreshTokenRepository(backend.collection(REFRESH_TOKENS))

    async def setup(self) -> None:
        await self.backend.setup()

    async def ping(self) -> None:
        await self.backend.ping()

    async def close(self) -> None:
        await self.backend.close()
