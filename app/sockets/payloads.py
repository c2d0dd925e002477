"""What each client event's payload may hold: the use cases' input models, with unknown fields refused.

The REST and use-case models ignore what they do not know; a socket client gets VALIDATION_ERROR naming
every unknown field instead, so a misspelt `bookinId` is not silently dropped. Every string here is bounded
(ids by `Id`), every integer by its field's range.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator

from app.dispatch.offers import OfferInput
from app.domain.fixes import MAX_BATCH_POINTS
from app.usecases.inputs import Input
from app.usecases.live.fix_inputs import FixInput, Id
from app.usecases.live.fleet import FleetInput
from app.usecases.live.presence import StatusInput
from app.usecases.walks.tracking import TrackingSubscription

_FORBID = ConfigDict(extra="forbid")


class FixPayload(FixInput):
    model_config = _FORBID


class BatchPayload(Input):
    """BatchInput's shape, of FixPayloads."""

    model_config = _FORBID

    points: Annotated[list[FixPayload], Field(min_length=1, max_length=MAX_BATCH_POINTS)]


class StatusPayload(StatusInput):
    """`{online: bool, available: bool}`: either may be left out, neither may be null."""

    model_config = _FORBID

    # Runs only for fields the client sent: left out is fine, an explicit null is not.
    @field_validator("online", "available", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must be true or false, not null; leave it out instead")
        return value


class FleetPayload(FleetInput):
    model_config = _FORBID


class TrackingPayload(TrackingSubscription):
    model_config = _FORBID

    booking_id: Id


class OfferPayload(OfferInput):
    model_config = _FORBID
