"""Stripe webhook authentication: the `Stripe-Signature` header checked against the raw body, then the envelope.

The signature is Stripe's scheme (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`), verified by
stripe-python's `WebhookSignature.verify_header`: constant-time comparison against every `v1` entry, and a
timestamp older than the tolerance refused so a captured request cannot be replayed later. Replays inside the
tolerance are the application's to absorb: events are recorded by id and applied once.

Offline mode (no `stripe_webhook_secret`) refuses every webhook: without a secret nothing can be authenticated,
and the offline gateway never sends events anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from app.errors import Unauthorized

DEFAULT_TOLERANCE_S = 300


class WebhookSignatureError(Unauthorized):
    """The request is not an authentic, fresh Stripe event: missing, forged, stale or malformed."""


@dataclass(frozen=True, slots=True)
class StripeEvent:
    id: str
    type: str
    # Unix seconds, when Stripe created the event (not when it was delivered).
    created: int
    # `data.object`: the resource as it was when the event happened, as plain JSON.
    data_object: dict[str, Any]
    # The connected account the event happened on (Connect events), None for the platform's own.
    account: str | None
    livemode: bool


class _EventData(BaseModel):
    model_config = ConfigDict(extra="ignore")

    object: dict[str, Any]


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    type: str
    created: int
    data: _EventData
    account: str | None = None
    livemode: bool = False


def verify_event(
    payload: bytes, signature_header: str | None, secret: str | None, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> StripeEvent:
    """Authenticate a webhook request and parse its event envelope.

    `secret` accepts None (the settings' value when unset) so that refusing webhooks offline happens here, once.
    """
    if tolerance_s <= 0:
        # stripe-python treats a falsy tolerance as "no age check", which would let old requests replay.
        raise ValueError("tolerance_s must be positive")
    if not secret:
        raise WebhookSignatureError("webhooks are disabled: no webhook secret is configured")
    if not signature_header:
        raise WebhookSignatureError("missing Stripe-Signature header")
    try:
        body = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookSignatureError("webhook body is not UTF-8") from exc
    # Imported here, past the offline refusal above, so the embedded default never loads stripe-python.
    import stripe

    try:
        stripe.WebhookSignature.verify_header(body, signature_header, secret, tolerance_s)  # type: ignore[no-untyped-call]
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureError(f"invalid Stripe-Signature: {exc.user_message}") from exc
    try:
        envelope = _Envelope.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        # Signed but not an event: nothing an authentic Stripe delivery looks like, so refuse it the same way.
        raise WebhookSignatureError("webhook body is not a Stripe event") from exc
    return StripeEvent(
        id=envelope.id,
        type=envelope.type,
        created=envelope.created,
        data_object=envelope.data.object,
        account=envelope.account,
        livemode=envelope.livemode,
    )
