"""Time source port, so lockouts and expiries can be tested without sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def now_ms(clock: Clock) -> int:
    """The clock's time in epoch milliseconds (what location fixes carry)."""
    if isinstance(clock, SystemClock):
        # Every location fix asks; time_ns is several times cheaper than an aware datetime.
        return time.time_ns() // 1_000_000
    return int(clock.now().timestamp() * 1000)
