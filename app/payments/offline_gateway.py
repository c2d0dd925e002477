"""The offline adapter of the payment gateway port: the embedded default, when no Stripe key is configured.

No money moves. It answers like Stripe would for a card that is always authorised: an intent is
`requires_capture` as soon as it exists, capture makes it `succeeded`, refunds are bounded by what was
captured, and a repeated request with the same idempotency key returns the first answer (a different request
under the same key is a `Conflict`, as Stripe's `idempotency_error`).

Ids are derived from ours (`pi_offline_<bookingId>`, `acct_offline_<businessId>`, `re_offline_<bookingId>_<key>`).
With a journal collection (the embedded store), every change is written through and loaded at start, so
intents, captures and refunds survive a restart like the rest of the embedded default's data.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeVar

from app.domain.money import minimum_charge, normalize_currency
from app.domain.payment_events import Intent, IntentStatus
from app.errors import Conflict, PaymentFailed
from app.payments.gateway import ConnectedAccount, IdempotencyKey, IntentNotFound, Refund, RefundStatus
from app.store.documents import DocumentCollection, DuplicateKey, Update

R = TypeVar("R", Intent, Refund)

_CANCELABLE = frozenset(
    {
        IntentStatus.REQUIRES_PAYMENT_METHOD,
        IntentStatus.REQUIRES_CONFIRMATION,
        IntentStatus.REQUIRES_ACTION,
        IntentStatus.REQUIRES_CAPTURE,
    }
)


@dataclass
class _Payment:
    intent: Intent
    amount_refunded: int = 0


@dataclass
class OfflineGateway:
    # Where state is written through and loaded from at start; None keeps it in memory only (tests).
    journal: DocumentCollection | None = None
    _payments: dict[str, _Payment] = field(default_factory=dict)
    # Idempotency key -> (the request's parameters, the first answer), as Stripe keeps them.
    _intent_replies: dict[str, tuple[Hashable, Intent]] = field(default_factory=dict)
    _refund_replies: dict[str, tuple[Hashable, Refund]] = field(default_factory=dict)

    async def start(self) -> None:
        if self.journal is None:
            return
        for doc in await self.journal.find({}):
            kind = doc["kind"]
            if kind == "payment":
                self._payments[doc["intent"]["id"]] = _Payment(_intent(doc["intent"]), doc["amountRefunded"])
            elif kind == "intent":
                self._intent_replies[doc["key"]] = (_params(doc["params"]), _intent(doc["reply"]))
            else:
                refund = doc["reply"]
                self._refund_replies[doc["key"]] = (
                    _params(doc["params"]),
                    Refund(refund["id"], refund["amount"], RefundStatus(refund["status"])),
                )

    async def stop(self) -> None:
        return None

    async def aclose(self) -> None:
        # Nothing to release: no connection, and the journal belongs to the store.
        return None

    async def _write(self, build: Callable[[], dict[str, Any]]) -> None:
        """Upsert the document `build` makes from the current in-memory state."""
        if self.journal is None:
            return
        doc = build()
        body = {k: v for k, v in doc.items() if k != "id"}
        if await self.journal.update_one({"id": doc["id"]}, Update(set=body)) is not None:
            return
        try:
            await self.journal.insert(doc)
        except DuplicateKey:
            # A concurrent call inserted it first: write the state as it is now, the newest.
            latest = {k: v for k, v in build().items() if k != "id"}
            await self.journal.update_one({"id": doc["id"]}, Update(set=latest))

    async def _record(self, intent_id: str) -> None:
        def doc() -> dict[str, Any]:
            payment = self._payments[intent_id]
            return {
                "id": f"payment:{intent_id}",
                "kind": "payment",
                "intent": asdict(payment.intent),
                "amountRefunded": payment.amount_refunded,
            }

        await self._write(doc)

    async def _answer(self, kind: str, key: str, params: Hashable, reply: R) -> R:
        replies: Any = self._intent_replies if kind == "intent" else self._refund_replies
        _remember(replies, key, params, reply)
        stored = {"id": f"{kind}:{key}", "kind": kind, "key": key, "params": params, "reply": asdict(reply)}
        await self._write(lambda: stored)
        return reply

    async def create_connected_account(self, business_id: str, email: str, country: str) -> ConnectedAccount:
        return ConnectedAccount(id=f"acct_offline_{business_id}")

    async def create_onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        # There is nothing to fill in offline: onboarding is done the moment it starts.
        return return_url

    async def create_payment_intent(
        self,
        booking_id: str,
        *,
        amount: int,
        currency: str,
        application_fee: int,
        destination_account: str,
        customer_ref: str | None = None,
    ) -> Intent:
        key = IdempotencyKey.intent(booking_id)
        code = normalize_currency(currency)
        params = (amount, code, application_fee, destination_account, customer_ref)
        if (reply := _replay(self._intent_replies, key, params)) is not None:
            return reply
        minimum = minimum_charge(code) or 1
        if amount < minimum:
            raise PaymentFailed(f"Amount must be at least {minimum} {code} (minor units)")
        if not 0 <= application_fee <= amount:
            raise PaymentFailed("The application fee must be between 0 and the amount")
        intent_id = f"pi_offline_{booking_id}"
        intent = Intent(
            id=intent_id,
            client_secret=f"{intent_id}_secret_offline",
            status=IntentStatus.REQUIRES_CAPTURE,
            amount=amount,
            amount_capturable=amount,
            amount_received=0,
            currency=code,
        )
        self._payments[intent_id] = _Payment(intent)
        await self._record(intent_id)
        return await self._answer("intent", key, params, intent)

    async def capture(
        self, intent_id: str, booking_id: str, *, amount_to_capture: int | None, application_fee: int | None
    ) -> Intent:
        key = IdempotencyKey.capture(booking_id)
        params = (intent_id, amount_to_capture, application_fee)
        if (reply := _replay(self._intent_replies, key, params)) is not None:
            return reply
        payment = self._payment(intent_id)
        intent = payment.intent
        if intent.status is not IntentStatus.REQUIRES_CAPTURE:
            raise PaymentFailed(f"This PaymentIntent could not be captured because it has a status of {intent.status}")
        captured = intent.amount_capturable if amount_to_capture is None else amount_to_capture
        if not 0 < captured <= intent.amount_capturable:
            raise PaymentFailed(f"amount_to_capture must be between 1 and {intent.amount_capturable}")
        if application_fee is not None and not 0 <= application_fee <= captured:
            raise PaymentFailed("The application fee must be between 0 and the captured amount")
        # Capturing part releases the rest of the authorisation, as Stripe does.
        payment.intent = replace(intent, status=IntentStatus.SUCCEEDED, amount_capturable=0, amount_received=captured)
        await self._record(intent_id)
        return await self._answer("intent", key, params, payment.intent)

    async def cancel(self, intent_id: str, booking_id: str) -> Intent:
        key = IdempotencyKey.cancel(booking_id)
        params = (intent_id,)
        if (reply := _replay(self._intent_replies, key, params)) is not None:
            return reply
        payment = self._payment(intent_id)
        if payment.intent.status not in _CANCELABLE:
            raise PaymentFailed(
                f"This PaymentIntent could not be canceled because it has a status of {payment.intent.status}"
            )
        payment.intent = replace(payment.intent, status=IntentStatus.CANCELED, amount_capturable=0)
        await self._record(intent_id)
        return await self._answer("intent", key, params, payment.intent)

    async def refund(self, intent_id: str, booking_id: str, *, amount: int, reason: str, refund_key: str) -> Refund:
        key = IdempotencyKey.refund(booking_id, refund_key)
        params = (intent_id, amount, reason)
        if (reply := _replay(self._refund_replies, key, params)) is not None:
            return reply
        payment = self._payment(intent_id)
        if payment.intent.status is not IntentStatus.SUCCEEDED:
            raise PaymentFailed(f"This PaymentIntent has no captured charge to refund (status {payment.intent.status})")
        unrefunded = payment.intent.amount_received - payment.amount_refunded
        if not 0 < amount <= unrefunded:
            raise PaymentFailed(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({unrefunded})")
        payment.amount_refunded += amount
        refund = Refund(id=f"re_offline_{booking_id}_{refund_key}", amount=amount, status=RefundStatus.SUCCEEDED)
        await self._record(intent_id)
        return await self._answer("refund", key, params, refund)

    async def retrieve_intent(self, intent_id: str) -> Intent:
        return self._payment(intent_id).intent

    def _payment(self, intent_id: str) -> _Payment:
        payment = self._payments.get(intent_id)
        if payment is None:
            raise IntentNotFound(f"No such payment_intent: '{intent_id}'")
        return payment


def _replay(replies: dict[str, tuple[Hashable, R]], key: str, params: Hashable) -> R | None:
    stored = replies.get(key)
    if stored is None:
        return None
    first_params, reply = stored
    if first_params != params:
        raise Conflict(
            f"Keys for idempotent requests can only be used with the same parameters they were first used with ({key})"
        )
    return reply


def _remember(replies: dict[str, tuple[Hashable, R]], key: str, params: Hashable, reply: R) -> R:
    replies[key] = (params, reply)
    return reply


def _intent(data: dict[str, Any]) -> Intent:
    return Intent(**{**data, "status": IntentStatus(data["status"])})


def _params(stored: Any) -> Hashable:
    """Request parameters as first remembered: JSON turned the tuple into a list."""
    return tuple(stored) if isinstance(stored, list) else stored
