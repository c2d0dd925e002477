"""Payout onboarding: the business's Stripe Express connected account, the onboarding link, its status, and
the account a booking's money goes to."""

from __future__ import annotations

from typing import Protocol

from pydantic import Field

from app.auth.principal import Principal
from app.domain.businesses import Business
from app.domain.payments import PayoutAccount
from app.errors import Conflict, NotFound, ValidationFailed
from app.payments.gateway import PaymentGateway
from app.settings import Settings
from app.usecases.businesses import owned_business
from app.usecases.inputs import Input, Output
from app.usecases.payments.records import RecordPorts

# Offline there is no onboarding form: the connected account is created for this country.
OFFLINE_COUNTRY = "US"


class OnboardingPorts(RecordPorts, Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def payment_gateway(self) -> PaymentGateway: ...


class OnboardingInput(Input):
    # ISO 3166-1 alpha-2 country of the business's bank account; defaults to the business address's.
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    refresh_url: str | None = Field(default=None, min_length=1, max_length=2000)
    return_url: str | None = Field(default=None, min_length=1, max_length=2000)


class PayoutView(Output):
    business_id: str
    account_id: str | None
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    # True on the embedded default: no money moves and payments need no onboarding.
    offline: bool


class OnboardingView(Output):
    url: str
    account_id: str
    charges_enabled: bool


def is_offline(settings: Settings) -> bool:
    """Which rules apply follows the settings alone, like the choice of gateway."""
    return not settings.stripe_secret_key


def _country_of(business: Business) -> str | None:
    country = business.address.country
    if country and len(country) == 2 and country.isalpha():
        return country.upper()
    return None


async def _payout_account(ports: OnboardingPorts, business: Business, country: str | None) -> PayoutAccount:
    """The business's connected account, created once (the gateway's idempotency key covers racing calls)."""
    repo = ports.store.payout_accounts
    existing = await repo.for_business(business.id)
    if existing is not None:
        return existing
    offline = is_offline(ports.settings)
    country = country or _country_of(business) or (OFFLINE_COUNTRY if offline else None)
    if country is None:
        raise ValidationFailed(
            "give the country of the business's bank account (ISO 3166-1 alpha-2, e.g. FR)",
            [{"field": "body.country", "message": "required", "type": "missing"}],
        )
    owner = await ports.store.users.get(business.owner_id)
    account = await ports.payment_gateway.create_connected_account(
        business.id, owner.email if owner else "", country.upper()
    )
    now = ports.clock.now()
    record = PayoutAccount(
        id=business.id,
        business_id=business.id,
        account_id=account.id,
        # Offline, onboarding is done the moment it starts; on Stripe, `account.updated` says when.
        charges_enabled=offline,
        payouts_enabled=offline,
        details_submitted=offline,
        created_at=now,
        updated_at=now,
    )
    if not await repo.add(record):
        stored = await repo.for_business(business.id)
        assert stored is not None
        return stored
    return record


async def start_onboarding(
    ports: OnboardingPorts, principal: Principal, business_id: str, data: OnboardingInput, default_url: str
) -> OnboardingView:
    business = await owned_business(ports, principal, business_id)
    account = await _payout_account(ports, business, data.country)
    url = await ports.payment_gateway.create_onboarding_link(
        account.account_id, refresh_url=data.refresh_url or default_url, return_url=data.return_url or default_url
    )
    return OnboardingView(url=url, account_id=account.account_id, charges_enabled=account.charges_enabled)


async def get_payouts(ports: OnboardingPorts, principal: Principal, business_id: str) -> PayoutView:
    business = await owned_business(ports, principal, business_id)
    account = await ports.store.payout_accounts.for_business(business.id)
    return PayoutView(
        business_id=business.id,
        account_id=account.account_id if account else None,
        charges_enabled=account.charges_enabled if account else False,
        payouts_enabled=account.payouts_enabled if account else False,
        details_submitted=account.details_submitted if account else False,
        offline=is_offline(ports.settings),
    )


async def charge_account(ports: OnboardingPorts, business_id: str) -> PayoutAccount:
    """The account a booking's money goes to; on Stripe only once onboarding enabled charges."""
    account = await ports.store.payout_accounts.for_business(business_id)
    if is_offline(ports.settings):
        if account is not None:
            return account
        business = await ports.store.businesses.get(business_id)
        if business is None:
            raise NotFound("no such business")
        return await _payout_account(ports, business, None)
    if account is None or not account.charges_enabled:
        raise Conflict("this business cannot take payments yet: its payout onboarding is not complete")
    return account
