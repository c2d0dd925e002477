"""Building blocks for the pydantic models that validate every external input at the edge.

REST bodies and Socket.IO payloads are parsed with the same models, so both entrypoints
accept and refuse exactly the same things.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from app.domain.users import MAX_PASSWORD_LENGTH, password_problem
from app.messages.rendering.locales import MAX_TAG_LENGTH, normalize_locale
from geo.coordinates import parse_position


class Input(BaseModel):
    """A request body (or a part of one): camelCase on the wire; an unknown field is refused, never dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, str_strip_whitespace=True, extra="forbid"
    )


class QueryInput(Input):
    # Query strings carry cache busters and tracking parameters clients do not control: ignored, not refused.
    model_config = ConfigDict(extra="ignore")


class Output(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


def _printable(text: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in text):
        raise ValueError("must not contain control or invisible formatting characters")
    return unicodedata.normalize("NFC", text)


def _lower(email: str) -> str:
    return email.lower()


def _strong(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return password


Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
Text = Annotated[str, Field(max_length=5000), AfterValidator(_printable)]
Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_lower)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()\-]{6,20}$")]
# A password being set (sign-up, new worker account): the policy applies; logins take any string.
# BCP 47 (`en`, `es-MX`), as Babel knows it; stored in its canonical form.
LocaleTag = Annotated[str, Field(min_length=1, max_length=MAX_TAG_LENGTH), AfterValidator(normalize_locale)]
NewPassword = Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH), AfterValidator(_strong)]


def _lng_lat(value: Any) -> tuple[float, float]:
    """`[lng, lat]` or a GeoJSON Point (nothing else in it), as (lng, lat); ValueError naming the problem."""
    if isinstance(value, dict):
        if value.get("type") != "Point" or set(value) != {"type", "coordinates"}:
            raise ValueError('a GeoJSON point is exactly {"type": "Point", "coordinates": [lng, lat]}')
        value = value["coordinates"]
    position = parse_position(value)
    return position.lng, position.lat


_POSITION_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
# Answered as [lng, lat]; a GeoJSON Point is accepted on the way in.
Coordinates = Annotated[
    tuple[float, float],
    BeforeValidator(_lng_lat),
    WithJsonSchema(
        {
            "oneOf": [
                {**_POSITION_SCHEMA, "description": "[longitude, latitude]"},
                {
                    "type": "object",
                    "properties": {"type": {"const": "Point"}, "coordinates": _POSITION_SCHEMA},
                    "required": ["type", "coordinates"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class AddressInput(Input):
    street: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    city: Name | None = None
    state: Name | None = None
    zip_code: Annotated[Text, Field(min_length=1, max_length=20)] | None = None
    country: Name | None = None
    coordinates: Coordinates


# Pagination, shared by every list. The cap keeps page * limit far inside the stores' 64-bit skip.
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
# Money in integer minor units: a billion cents is far above any booking, far below 64 bits.
MAX_AMOUNT = 10**9
