"""Personal data out of error reports: what Sentry would receive is walked and filtered before it leaves.

Keys that name personal or secret data lose their values wherever they appear (headers, bodies, local
variables, extra data, breadcrumbs); free text (messages, exception values) loses anything shaped like an
email address, a token or key, a card number or a coordinate.
"""

from __future__ import annotations

import re
from typing import Any

FILTERED = "[Filtered]"
# Compared after lower-casing and dropping `-` and `_`: `X-Api-Key`, `refresh_token`, `cardNumber`...
_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "apikey",
    "signature",
    "email",
    "phone",
    "address",
    "latitude",
    "longitude",
    "coordinates",
    "card",
    "cvc",
    "cvv",
    "iban",
    "dsn",
)
_KEYS = frozenset({"lat", "lng", "lon", "location", "position", "point", "points", "trail", "fix", "fixes", "body"})
_TEXT = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\beyJ[\w-]*\.[\w-]*\.[\w-]*"), "[token]"),
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer [token]"),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_\w+|\bwhsec_\w+"), "[key]"),
    (re.compile(r"-?\d{1,3}\.\d{3,}\s*,\s*-?\d{1,3}\.\d{3,}"), "[coordinates]"),
    (re.compile(r"-?\b\d{1,3}\.\d{4,}\b"), "[coordinate]"),
]
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")


def sensitive_key(key: str) -> bool:
    folded = key.lower().replace("-", "").replace("_", "")
    return folded in _KEYS or any(part in folded for part in _KEY_PARTS)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group())
    return "[card]" if _luhn(digits) else match.group()


def scrub_text(text: str) -> str:
    text = _CARD.sub(_card, text)
    for pattern, replacement in _TEXT:
        text = pattern.sub(replacement, text)
    return text


def scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and sensitive_key(key) else scrub(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Sentry sends headers as [name, value] pairs in some places.
        if len(value) == 2 and isinstance(value[0], str) and sensitive_key(value[0]):
            return [value[0], FILTERED]
        return [scrub(item) for item in value]
    return value


def scrub_event(event: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        # Bodies and cookies are personal by nature; query strings keep their keys only.
        request.pop("data", None)
        request.pop("cookies", None)
        query = request.get("query_string")
        if isinstance(query, str) and query:
            request["query_string"] = "&".join(f"{part.split('=', 1)[0]}={FILTERED}" for part in query.split("&"))
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    scrubbed: dict[str, Any] = scrub(event)
    return scrubbed
