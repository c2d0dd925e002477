"""Each account's current token version, cached per process.

An access token carries the version its account had when it was issued (`ver`); once the stored version
is higher the token is void. Reading the store on every request would cost a query each, so versions are
cached here. The cache is kept true by session signals (TokensRevoked raises an entry at once, in every
process) and bounded in staleness by a maximum age, for a signal lost while a process was cut off.
Versions only grow, so a stale entry can only be too low, and a raise is never undone by a slower read.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from app.auth.principal import Principal
from app.auth.session_signals import ChannelReset, SessionSignal, TokensRevoked
from app.errors import Unauthorized

# Erased accounts: above any version a token can carry.
GONE = 2**62
MAX_AGE_S = 30.0
MAX_ENTRIES = 50_000

VersionLoader = Callable[[str], Awaitable[int | None]]


class TokenVersions:
    def __init__(
        self,
        load: VersionLoader,
        *,
        max_age_s: float = MAX_AGE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._max_age_s = max_age_s
        self._monotonic = monotonic
        # user id -> (version, when read from the store)
        self._entries: dict[str, tuple[int, float]] = {}

    def known(self, user_id: str) -> int | None:
        """The cached version, however old (for checks that cannot wait on the store)."""
        entry = self._entries.get(user_id)
        return entry[0] if entry else None

    async def current(self, user_id: str) -> int:
        entry = self._entries.get(user_id)
        now = self._monotonic()
        if entry is not None and now - entry[1] < self._max_age_s:
            return entry[0]
        loaded = await self._load(user_id)
        self.raise_to(user_id, GONE if loaded is None else loaded, now)
        return self._entries[user_id][0]

    def raise_to(self, user_id: str, version: int, read_at: float | None = None) -> None:
        if len(self._entries) >= MAX_ENTRIES and user_id not in self._entries:
            self._entries.clear()
        entry = self._entries.get(user_id)
        self._entries[user_id] = (
            max(version, entry[0] if entry else 0),
            self._monotonic() if read_at is None else read_at,
        )

    async def check(self, principal: Principal) -> None:
        if principal.token_version < await self.current(principal.user_id):
            raise Unauthorized("this session has ended; please log in again")

    def check_known(self, principal: Principal) -> None:
        """`check` against the cache only: what a socket event can afford."""
        known = self.known(principal.user_id)
        if known is not None and principal.token_version < known:
            raise Unauthorized("this session has ended; please log in again")

    async def on_signal(self, signal: SessionSignal) -> None:
        if isinstance(signal, TokensRevoked):
            self.raise_to(signal.user_id, signal.version)
        elif isinstance(signal, ChannelReset):
            self._entries.clear()
