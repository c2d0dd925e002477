"""Collections and their indexes, declared once; each store adapter derives its own indexes from this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IndexKind = Literal["asc", "desc", "2dsphere"]


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[tuple[str, IndexKind], ...]
    unique: bool = False
    # Only documents that have every key are indexed (Mongo partial index on $exists).
    sparse: bool = False


USERS = "users"
REFRESH_TOKENS = "refresh_tokens"

COLLECTIONS: dict[str, tuple[Index, ...]] = {
    USERS: (Index("email_unique", (("email", "asc"),), unique=True),),
    REFRESH_TOKENS: (
        Index("family", (("familyId", "asc"),)),
        Index("user", (("userId", "asc"),)),
    ),
}
