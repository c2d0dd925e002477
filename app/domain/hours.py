"""Weekly hours: a business's operating hours and a worker's availability, in the business's local time.

A window is `(dayOfWeek, start, end)` with `dayOfWeek` 0 = Sunday (the seed's convention). An end at or
before the start runs past midnight into the next day (22:00-02:00); equal start and end mean the whole
24 hours. Windows are turned into concrete instants in the business's IANA time zone, so DST days are as
long as they really are (a 09:00-17:00 window is 8 hours on every day; an overnight one shrinks or grows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field

from app.domain.base import Value

# Zero-padded 24-hour "HH:MM".
TimeOfDay = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description='"HH:MM", 24-hour')]
DayOfWeek = Annotated[int, Field(strict=True, ge=0, le=6, description="0 = Sunday ... 6 = Saturday")]
MAX_ZONE_LENGTH = 64
DEFAULT_ZONE = "UTC"


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone this server knows, or None."""
    if not name or len(name) > MAX_ZONE_LENGTH:
        return f"a time zone name has 1 to {MAX_ZONE_LENGTH} characters"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "not an IANA time zone (e.g. Europe/Paris)"
    return None


def _zone(name: str) -> str:
    problem = zone_problem(name)
    if problem:
        raise ValueError(problem)
    return name


TimeZoneName = Annotated[str, AfterValidator(_zone), Field(description="IANA time zone, e.g. Europe/Paris")]


class OpeningHours(Value):
    day_of_week: DayOfWeek
    open_time: TimeOfDay
    close_time: TimeOfDay


class AvailabilitySlot(Value):
    day_of_week: DayOfWeek
    start_time: TimeOfDay
    end_time: TimeOfDay


@dataclass(frozen=True, slots=True)
class Window:
    day_of_week: int
    start: time
    end: time

    @classmethod
    def of_hours(cls, hours: OpeningHours) -> Window:
        return cls(hours.day_of_week, time.fromisoformat(hours.open_time), time.fromisoformat(hours.close_time))

    @classmethod
    def of_slot(cls, slot: AvailabilitySlot) -> Window:
        return cls(slot.day_of_week, time.fromisoformat(slot.start_time), time.fromisoformat(slot.end_time))


def seed_weekday(day: date) -> int:
    """0 = Sunday, as in the seed (Python's weekday() has 0 = Monday)."""
    return (day.weekday() + 1) % 7


def _intervals(
    windows: Iterable[Window], zone: ZoneInfo, first: date, last: date
) -> Iterator[tuple[datetime, datetime]]:
    """The UTC intervals the windows open on the local days first..last (each may run into the next day)."""
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        by_day.setdefault(window.day_of_week, []).append(window)
    day = first
    while day <= last:
        for window in by_day.get(seed_weekday(day), ()):
            end_day = day if window.end > window.start else day + timedelta(days=1)
            opens = datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(end_day, window.end, tzinfo=zone).astimezone(UTC)
            yield opens, closes
        day += timedelta(days=1)


def covers(windows: list[Window], zone_name: str, start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies within the windows (adjacent windows chain, e.g. across midnight).

    No windows at all means unrestricted. `start` and `end` are aware datetimes.
    """
    if not windows:
        return True
    zone = ZoneInfo(zone_name)
    local_start = start.astimezone(zone).date()
    local_end = end.astimezone(zone).date()
    # An overnight window opened the day before may cover the start.
    spans = sorted(_intervals(windows, zone, local_start - timedelta(days=1), local_end))
    reached = start
    for opens, closes in spans:
        if opens > reached:
            break
        reached = max(reached, closes)
        if reached >= end:
            return True
    return False


def open_at(windows: list[Window], zone_name: str, moment: datetime) -> bool:
    """Whether the windows are open at this instant (no windows: always)."""
    return covers(windows, zone_name, moment, moment + timedelta(microseconds=1))
