"""Phone verification codes: six digits sent by SMS, kept only as a keyed hash, single use, short-lived."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from app.domain.base import Timestamp, Value

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
# Wrong codes a code survives: a guess succeeds with odds of 5 in a million per code sent.
MAX_TRIES = 5


class PhoneCode(Value):
    """The code last sent to the account's phone; `phone` is the number it was sent to."""

    code_hash: str
    phone: str
    expires_at: Timestamp
    tries: int = Field(default=0, ge=0)
    created_at: Timestamp
