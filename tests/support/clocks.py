"""One clock for tests: stands still until a test moves it (`app.clock.Clock`, and a monotonic source too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
"""Where a MovableClock starts unless told otherwise."""

MONOTONIC_START_S = 1000.0
"""What `MovableClock.monotonic()` reads before the clock is moved (like `time.monotonic`, any origin will do)."""


class MovableClock:
    """An `app.clock.Clock` whose time only changes when a test calls `set` or `advance`.

    `monotonic` is a `Callable[[], float]` for the code that takes one (rate limiter leases, the token-version
    cache): it counts seconds moved since the clock was made, from MONOTONIC_START_S.
    """

    def __init__(self, moment: datetime = T0) -> None:
        if moment.tzinfo is None:
            raise ValueError("a MovableClock needs an aware datetime (the app's times are UTC)")
        self._start = moment
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a MovableClock needs an aware datetime (the app's times are UTC)")
        self.moment = moment

    def advance(self, by: timedelta | float) -> None:
        """Move on by a timedelta, or by a number of seconds."""
        self.moment += by if isinstance(by, timedelta) else timedelta(seconds=by)

    def monotonic(self) -> float:
        return MONOTONIC_START_S + (self.moment - self._start).total_seconds()
