"""When a booking may take place: the business's operating hours and the worker's availability."""

from __future__ import annotations

from datetime import datetime

from app.domain.businesses import Business
from app.domain.hours import Window, covers, open_at
from app.domain.workers import Worker


def outside_hours(business: Business, start: datetime, end: datetime) -> str | None:
    """Why [start, end) is outside the business's operating hours, or None when it fits (or none are set)."""
    windows = [Window.of_hours(hours) for hours in business.operating_hours]
    if covers(windows, business.timezone, start, end):
        return None
    return f"outside the business's operating hours (in {business.timezone} time)"


def outside_availability(worker: Worker, business: Business, start: datetime, end: datetime) -> str | None:
    """Why [start, end) is outside the worker's availability (in the business's zone), or None."""
    windows = [Window.of_slot(slot) for slot in worker.availability]
    if covers(windows, business.timezone, start, end):
        return None
    return f"outside the worker's availability (in {business.timezone} time)"


def open_now(business: Business, moment: datetime) -> bool:
    return open_at([Window.of_hours(hours) for hours in business.operating_hours], business.timezone, moment)
