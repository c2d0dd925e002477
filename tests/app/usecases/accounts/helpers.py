"""The accounts use cases' ports, every one real on the test's SQLite store (but the relay), and sign-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher

from app.auth.memory_session_channel import MemorySessionChannel
from app.auth.passwords import Passwords
from app.auth.token_versions import TokenVersions
from app.auth.tokens import AccessTokens
from app.ratelimit import RateLimiter
from app.settings import Settings
from app.store.store import Store
from app.usecases.accounts import auth
from app.usecases.accounts.auth import AuthSession, RegisterInput
from tests.app.usecases.fakes import Relay
from tests.support.clocks import MovableClock

PASSWORD = "correct horse battery 1"


@dataclass
class Ports:
    store: Store
    clock: MovableClock
    settings: Settings
    access_tokens: AccessTokens
    token_versions: TokenVersions
    limiter: RateLimiter
    # Cheap parameters: the use cases' logic is under test, not argon2's cost.
    passwords: Passwords = field(
        default_factory=lambda: Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    )
    session_channel: MemorySessionChannel = field(default_factory=MemorySessionChannel)
    outbox_relay: Relay = field(default_factory=Relay)


async def register(ports: Ports, email: str = "pat@example.com") -> AuthSession:
    return await auth.register(
        ports,
        RegisterInput(email=email, password=PASSWORD, role="owner", first_name="Pat", last_name="Owner"),
    )
