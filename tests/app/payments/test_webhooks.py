from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from app.errors import AppError
from app.payments.webhooks import StripeEvent, WebhookSignatureError, verify_event

SECRET = "whsec_test_secret"


def sign(payload: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header built the way Stripe builds it: HMAC-SHA256 over "<t>.<raw body>"."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event_body(**overrides: Any) -> bytes:
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": 1_777_000_000,
        "livemode": False,
        "account": "acct_9",
        "api_version": "2026-02-25.clover",
        "data": {"object": {"id": "pi_1", "object": "payment_intent", "amount": 2300}},
        **overrides,
    }
    return json.dumps(event).encode()


def test_a_signed_event_is_verified_and_parsed() -> None:
    body = event_body()
    event = verify_event(body, sign(body), SECRET)
    assert event == StripeEvent(
        id="evt_1",
        type="payment_intent.succeeded",
        created=1_777_000_000,
        data_object={"id": "pi_1", "object": "payment_intent", "amount": 2300},
        account="acct_9",
        livemode=False,
    )


def test_platform_events_have_no_account() -> None:
    body = json.dumps(
        {"id": "evt_2", "type": "charge.refunded", "created": 1, "data": {"object": {"id": "ch_1"}}}
    ).encode()
    assert verify_event(body, sign(body), SECRET).account is None


def test_any_matching_v1_signature_passes_during_secret_rotation() -> None:
    body = event_body()
    header = sign(body)
    t, good = header.split(",")
    assert verify_event(body, f"{t},v1={'0' * 64},{good}", SECRET).id == "evt_1"


def test_the_error_is_an_unauthorized_app_error() -> None:
    assert issubclass(WebhookSignatureError, AppError)
    assert (WebhookSignatureError.status, WebhookSignatureError.code) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize("header", [None, ""])
def test_missing_signature(header: str | None) -> None:
    with pytest.raises(WebhookSignatureError, match="missing"):
        verify_event(event_body(), header, SECRET)


def test_forged_signature() -> None:
    body = event_body()
    with pytest.raises(WebhookSignatureError):
        verify_event(body, f"t={int(time.time())},v1={'ab' * 32}", SECRET)


def test_wrong_secret() -> None:
    body = event_body()
    with pytest.raises(WebhookSignatureError):
        verify_event(body, sign(body, secret="whsec_someone_else"), SECRET)


def test_body_altered_after_signing() -> None:
    body = event_body()
    header = sign(body)
    with pytest.raises(WebhookSignatureError):
        verify_event(body.replace(b"2300", b"9999"), header, SECRET)


def test_stale_timestamp_is_refused() -> None:
    body = event_body()
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        verify_event(body, sign(body, timestamp=int(time.time()) - 301), SECRET)


def test_a_timestamp_inside_the_tolerance_passes() -> None:
    body = event_body()
    assert verify_event(body, sign(body, timestamp=int(time.time()) - 200), SECRET).id == "evt_1"


def test_tolerance_is_configurable() -> None:
    body = event_body()
    header = sign(body, timestamp=int(time.time()) - 100)
    with pytest.raises(WebhookSignatureError):
        verify_event(body, header, SECRET, tolerance_s=60)


def test_a_zero_tolerance_is_refused_rather_than_disabling_the_age_check() -> None:
    body = event_body()
    with pytest.raises(ValueError, match="positive"):
        verify_event(body, sign(body), SECRET, tolerance_s=0)


@pytest.mark.parametrize(
    "header",
    ["garbage", "t=notanumber,v1=abc", "v1=abcdef", "t=1700000000", "t=1700000000,v0=abcdef"],
)
def test_malformed_headers(header: str) -> None:
    with pytest.raises(WebhookSignatureError):
        verify_event(event_body(), header, SECRET)


def test_a_signed_body_that_is_not_json_is_refused() -> None:
    body = b"this is not json"
    with pytest.raises(WebhookSignatureError, match="not a Stripe event"):
        verify_event(body, sign(body), SECRET)


@pytest.mark.parametrize(
    "body", [b"[1, 2]", b'{"id": "evt_1"}', b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": 5}}']
)
def test_a_signed_json_body_that_is_not_an_event_is_refused(body: bytes) -> None:
    with pytest.raises(WebhookSignatureError, match="not a Stripe event"):
        verify_event(body, sign(body), SECRET)


def test_a_body_that_is_not_utf8_is_refused() -> None:
    body = b"\xff\xfe{}"
    with pytest.raises(WebhookSignatureError, match="UTF-8"):
        verify_event(body, sign(body), SECRET)


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_secret_webhooks_are_refused(secret: str | None) -> None:
    body = event_body()
    # Even a request signed with an empty key: offline, nothing is authentic.
    with pytest.raises(WebhookSignatureError, match="disabled"):
        verify_event(body, sign(body, secret=""), secret)
