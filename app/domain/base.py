"""Shared pieces of domain models: camelCase documents and a sortable UTC timestamp type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel


def iso(moment: datetime) -> str:
    """The contract's time format: ISO-8601 UTC with a `Z`, millisecond precision (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# Serialized with a fixed millisecond precision so stored timestamps compare correctly as text.
Timestamp = Annotated[datetime, AfterValidator(_as_utc), PlainSerializer(iso, return_type=str)]


class Entity(BaseModel):
    """A stored aggregate: serialized to camelCase JSON documents, the same shape in every store."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, validate_assignment=True)

    id: str

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        return cls.model_validate(doc)


class Value(BaseModel):
    """A value nested in an entity: camelCase on the wire and in documents, like Entity."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)
