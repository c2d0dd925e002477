"""Payments (Stripe Connect): payout onboarding, payment intents, payments, refunds and the Stripe webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from app.rest.deps import PrincipalDep, ServicesDep, VerifiedEmail
from app.rest.envelope import Envelope, Page, ok, page
from app.rest.guards import may_act_on
from app.rest.idempotency import IdempotencyKey, keyed_response
from app.usecases import access
from app.usecases.idempotency import run_once
from app.usecases.payments import intents, onboarding, refunds, views, webhooks

# The payment provider can refuse (402) or be down (503) on any of these.
router = APIRouter(tags=["payments"], responses={402: {}, 503: {}})


@router.post(
    "/v1/businesses/{business_id}/payouts/onboarding",
    summary="Create the business's Express connected account (once) and an onboarding link",
    response_model=Envelope[onboarding.OnboardingView],
    dependencies=[may_act_on("business_id", access.manage_business), VerifiedEmail],
)
async def start_onboarding(
    business_id: str,
    request: Request,
    principal: PrincipalDep,
    services: ServicesDep,
    body: onboarding.OnboardingInput | None = None,
) -> Envelope[onboarding.OnboardingView]:
    default_url = str(request.url_for("get_payouts", business_id=business_id))
    view = await onboarding.start_onboarding(
        services, principal, business_id, body or onboarding.OnboardingInput(), default_url
    )
    return ok(view)


@router.get(
    "/v1/businesses/{business_id}/payouts",
    summary="Whether the business can take payments yet",
    dependencies=[VerifiedEmail],
)
async def get_payouts(
    business_id: str, principal: PrincipalDep, services: ServicesDep
) -> Envelope[onboarding.PayoutView]:
    return ok(await onboarding.get_payouts(services, principal, business_id))


@router.post(
    "/v1/payments/intent",
    summary="The booking's payment intent (the same one on every call)",
    response_model=Envelope[intents.IntentView],
    dependencies=[VerifiedEmail],
)
async def create_intent(
    body: intents.IntentInput,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def create() -> dict[str, Any]:
        view = await intents.create_intent(services, principal, body)
        return view.model_dump(mode="json", by_alias=True)

    data, replayed = await run_once(
        services,
        principal,
        scope="payments.intent",
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        action=create,
    )
    return keyed_response(data, replayed)


@router.get("/v1/payments", dependencies=[VerifiedEmail])
async def list_payments(
    query: Annotated[views.PaymentQuery, Query()], principal: PrincipalDep, services: ServicesDep
) -> Page[views.PaymentView]:
    items, total = await views.list_payments(services, principal, query)
    return page(items, page=query.page, limit=query.limit, total=total)


@router.get("/v1/payments/{payment_id}", dependencies=[VerifiedEmail])
async def get_payment(payment_id: str, principal: PrincipalDep, services: ServicesDep) -> Envelope[views.PaymentView]:
    return ok(await views.get_payment(services, principal, payment_id))


@router.post(
    "/v1/payments/{payment_id}/refund",
    summary="Refund part or all of what was captured (business or admin)",
    response_model=Envelope[views.PaymentView],
    dependencies=[may_act_on("payment_id", access.refund_payment), VerifiedEmail],
)
async def refund(
    payment_id: str,
    body: refunds.RefundInput,
    principal: PrincipalDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def run() -> dict[str, Any]:
        view = await refunds.refund_payment(services, principal, payment_id, body, idempotency_key)
        return view.model_dump(mode="json", by_alias=True)

    data, replayed = await run_once(
        services,
        principal,
        scope=f"payments.refund:{payment_id}",
        key=idempotency_key,
        payload=body.model_dump(mode="json"),
        action=run,
    )
    return keyed_response(data, replayed)


@router.post(
    "/v1/webhooks/stripe",
    tags=["webhooks"],
    summary="Stripe events: raw body, Stripe-Signature verified (400 VALIDATION_ERROR otherwise)",
    responses={400: {"description": "Missing, forged or stale `Stripe-Signature` (`VALIDATION_ERROR`)"}},
)
async def stripe_webhook(
    request: Request,
    services: ServicesDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> Envelope[dict[str, Any]]:
    payload = await request.body()
    return ok(await webhooks.receive_stripe_event(services, payload, stripe_signature))
