"""Payment records, payout (connected) accounts and received Stripe webhook events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.base import iso
from app.domain.payments import Payment, PayoutAccount
from app.store.documents import Document, DocumentCollection, DuplicateKey, Filter, Update


class PaymentExists(Exception):
    """The booking already has its payment record (unique index on bookingId)."""


class PaymentRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, payment: Payment) -> None:
        try:
            await self._col.insert(payment.to_doc())
        except DuplicateKey as exc:
            raise PaymentExists(payment.booking_id) from exc

    async def get(self, payment_id: str) -> Payment | None:
        doc = await self._col.get(payment_id)
        return Payment.from_doc(doc) if doc else None

    async def for_booking(self, booking_id: str) -> Payment | None:
        doc = await self._col.find_one({"bookingId": booking_id})
        return Payment.from_doc(doc) if doc else None

    async def for_intent(self, intent_id: str) -> Payment | None:
        doc = await self._col.find_one({"intentId": intent_id})
        return Payment.from_doc(doc) if doc else None

    async def page(self, where: Filter, *, skip: int, limit: int) -> tuple[list[Payment], int]:
        docs = await self._col.find(where, sort=[("createdAt", -1)], skip=skip, limit=limit)
        return [Payment.from_doc(d) for d in docs], await self._col.count(where)

    async def update_if_version(
        self, payment: Payment, fields: Mapping[str, Any], now: datetime, push: Mapping[str, Any] | None = None
    ) -> Payment | None:
        """Compare-and-set on `version`: None when another writer changed the record since it was read."""
        doc = await self._col.update_one(
            {"id": payment.id, "version": payment.version},
            Update(set={**fields, "version": payment.version + 1, "updatedAt": iso(now)}, push=dict(push or {})),
        )
        return Payment.from_doc(doc) if doc else None

    async def settlements_due(self, now: datetime, limit: int) -> list[Payment]:
        """Payments whose failed settlement is due for another try, the longest waiting first."""
        docs = await self._col.find({"settleRetryAt": {"$lte": iso(now)}}, sort=[("settleRetryAt", 1)], limit=limit)
        return [Payment.from_doc(d) for d in docs]

    async def of_person(self, user_id: str) -> list[Payment]:
        return [Payment.from_doc(d) for d in await self._col.find({"ownerId": user_id}, sort=[("createdAt", 1)])]


class PayoutAccountRepository:
    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def add(self, account: PayoutAccount) -> bool:
        """False when the business already has one (a racing onboarding call stored it first)."""
        try:
            await self._col.insert(account.to_doc())
        except DuplicateKey:
            return False
        return True

    async def for_business(self, business_id: str) -> PayoutAccount | None:
        doc = await self._col.get(business_id)
        return PayoutAccount.from_doc(doc) if doc else None

    async def for_account(self, account_id: str) -> PayoutAccount | None:
        doc = await self._col.find_one({"accountId": account_id})
        return PayoutAccount.from_doc(doc) if doc else None

    async def apply_update(
        self, account_id: str, fields: Mapping[str, Any], event_created: int, now: datetime
    ) -> PayoutAccount | None:
        """Apply an `account.updated` unless a newer one was applied already (None then, or when unknown)."""
        doc = await self._col.update_one(
            {"accountId": account_id, "lastEventAt": {"$lte": event_created}},
            Update(set={**fields, "lastEventAt": event_created, "updatedAt": iso(now)}),
        )
        return PayoutAccount.from_doc(doc) if doc else None


PROCESSING = "processing"
DONE = "done"


class WebhookEventRepository:
    """Every verified event, by its Stripe id: the record that makes a redelivery a no-op."""

    def __init__(self, collection: DocumentCollection) -> None:
        self._col = collection

    async def begin(self, event_id: str, event_type: str, account: str | None, now: datetime) -> Document | None:
        """Record the event. None when it is new; otherwise the stored record (its `state` says if applied)."""
        try:
            await self._col.insert(
                {"id": event_id, "type": event_type, "account": account, "state": PROCESSING, "receivedAt": iso(now)}
            )
            return None
        except DuplicateKey:
            return await self._col.get(event_id)

    async def finish(self, event_id: str, outcome: str, now: datetime) -> None:
        await self._col.update_one(
            {"id": event_id}, Update(set={"state": DONE, "outcome": outcome, "processedAt": iso(now)})
        )

    async def get(self, event_id: str) -> Document | None:
        return await self._col.get(event_id)
