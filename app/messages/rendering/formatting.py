"""Dates, times, money, lists and distances for a recipient's locale (Babel). Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, get_timezone_location
from babel.lists import format_list
from babel.numbers import format_currency, get_currency_precision
from babel.units import format_unit


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when_long(at: datetime, tz: ZoneInfo, locale: Locale) -> str:
    """`Wednesday, December 9, 2026, 10:00 AM`: the date and time in the business's zone."""
    local = at.astimezone(tz)
    return f"{format_date(local, 'full', locale=locale)}, {format_time(local, 'short', locale=locale)}"


def when_short(at: datetime, tz: ZoneInfo, locale: Locale) -> str:
    """`Wed, Dec 9, 10:00 AM`: for titles, push and SMS."""
    local = at.astimezone(tz)
    return f"{format_skeleton('MMMEd', local, locale=locale)}, {format_time(local, 'short', locale=locale)}"


def time_only(at: datetime, tz: ZoneInfo, locale: Locale) -> str:
    return format_time(at.astimezone(tz), "short", locale=locale)


def zone_name(tz: ZoneInfo, locale: Locale) -> str:
    """`Spain (Madrid) Time`: said once in an email, so a reader elsewhere knows whose clock it is."""
    return get_timezone_location(tz, locale=locale)


def money(minor: int, currency: str, locale: Locale) -> str:
    """Minor units as the locale writes the currency: 2550 USD -> `$25.50` (en), `25,50 US$` (es)."""
    return format_currency(Decimal(minor).scaleb(-get_currency_precision(currency)), currency, locale=locale)


def names(items: tuple[str, ...], locale: Locale) -> str:
    return format_list(list(items), locale=locale) if items else ""


def distance(meters: float, locale: Locale) -> str:
    if meters < 1000:
        return format_unit(round(meters), "length-meter", "short", locale=locale)
    return format_unit(round(meters / 1000, 1), "length-kilometer", "short", locale=locale)
