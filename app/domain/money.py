"""Money rules: prices, the platform fee, the cancellation refund policy, currency facts.

Every amount is an integer in the currency's minor unit, exactly what Stripe's `amount` fields take:
cents for USD/EUR, yen for JPY (a zero-decimal currency has no minor unit, so its amount is in whole
units). Nothing here ever holds a float, so no rule loses a cent to binary rounding.

Rounding, decided once here:
- The platform fee rounds half up (15% of 10 cents is 1.5 -> 2 cents): the platform's side of a tie.
- A partial refund rounds down (50% of 2301 is 1150.5 -> 1150): a refund never exceeds the policy's
  share, and the business, which held the slot, keeps the odd minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import Annotated

from pydantic import Field

BASIS_POINTS = 10_000
STANDARD_FEE_BPS = 1_500  # 15%
PREMIUM_FEE_BPS = 1_000  # 10% for premium businesses

# Stripe's zero-decimal currencies (https://docs.stripe.com/currencies#zero-decimal): the amount is in whole
# units. Stripe's special cases (ISK, HUF, TWD, three-decimal currencies) are two- or three-decimal in the API
# and are not in this list.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)

# Stripe's three-decimal currencies (same page, "Three-decimal currencies"): the amount is in thousandths.
THREE_DECIMAL_CURRENCIES = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})

# Every amount field of the API says so in its OpenAPI description: a client reading `2500` as 2500 dollars (or
# sending 25 meaning 25 dollars) is the mistake this unit makes easy.
MINOR_UNITS = (
    "in the currency's minor units, an integer: exponent 2 for most currencies (USD, EUR: 2500 = 25.00), "
    "0 for zero-decimal currencies (JPY: 2500 = 2500 yen), 3 for three-decimal ones (KWD: 2500 = 2.500)"
)
MinorAmount = Annotated[int, Field(description=f"Amount {MINOR_UNITS}")]

# Stripe's minimum charge per currency, in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-
# charge-amounts). It binds when the currency is also the settlement currency; otherwise Stripe checks the amount
# converted to the settlement currency, which only Stripe can do. Note JPY's minimum is 50 yen, not 50 "cents".
MINIMUM_CHARGE: dict[str, int] = {
    "usd": 50,
    "aed": 200,
    "aud": 50,
    "bgn": 100,
    "brl": 50,
    "cad": 50,
    "chf": 50,
    "czk": 1_500,
    "dkk": 250,
    "eur": 50,
    "gbp": 30,
    "hkd": 400,
    "huf": 17_500,
    "inr": 50,
    "jpy": 50,
    "mxn": 1_000,
    "myr": 200,
    "nok": 300,
    "nzd": 50,
    "pln": 200,
    "ron": 200,
    "sek": 300,
    "sgd": 50,
    "thb": 1_000,
}

# The refund policy's edges, both inclusive in the 50% band: exactly 24 h before the start is 50%, exactly
# 12 h before is 50%, one microsecond under 12 h is nothing, one microsecond over 24 h is everything.
FULL_REFUND_AFTER = timedelta(hours=24)
HALF_REFUND_FROM = timedelta(hours=12)


def normalize_currency(currency: str) -> str:
    """Stripe wants lowercase ISO 4217 codes; accept any case from our callers."""
    code = currency.strip().lower()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(f"not an ISO 4217 currency code: {currency!r}")
    return code


def is_zero_decimal(currency: str) -> bool:
    return normalize_currency(currency) in ZERO_DECIMAL_CURRENCIES


def minimum_charge(currency: str) -> int | None:
    """Stripe's minimum for a charge presented and settled in `currency`; None where Stripe alone can tell."""
    return MINIMUM_CHARGE.get(normalize_currency(currency))


def exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has in Stripe's amounts."""
    code = normalize_currency(currency)
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    return 3 if code in THREE_DECIMAL_CURRENCIES else 2


def in_major_units(amount: int, currency: str) -> str:
    """`amount` minor units as a person reads it: 2500 USD -> "25.00 USD", 2500 JPY -> "2500 JPY"."""
    places = exponent(currency)
    return f"{Decimal(amount).scaleb(-places):.{places}f} {normalize_currency(currency).upper()}"


def smallest_charge(currency: str) -> int:
    """Stripe's minimum where its table has the currency; elsewhere one minor unit, since Stripe then checks the
    amount converted to the settlement currency, which only it can do."""
    return minimum_charge(currency) or 1


def chargeable(amount: int, currency: str) -> bool:
    return amount >= smallest_charge(currency)


def charge_problem(name: str, amount: int, currency: str) -> str | None:
    """Why `amount` cannot be charged in `currency`, naming the field `name`, its unit and the minimum; None if
    it can."""
    if chargeable(amount, currency):
        return None
    minimum = smallest_charge(currency)
    code = normalize_currency(currency).upper()
    return (
        f"{name} is in minor units of {code} (exponent {exponent(currency)}): {amount} is "
        f"{in_major_units(amount, currency)}, below the smallest chargeable amount, {minimum} "
        f"({in_major_units(minimum, currency)})"
    )


def _require_amount(amount: int, name: str = "amount") -> None:
    # bool is an int subclass; True as an amount is a bug, not one cent.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"{name} must be a non-negative integer in minor units, got {amount!r}")


def price(base: int, additional_pet_price: int, pets: int) -> int:
    """A service's price for `pets` pets: the base covers the first, each further pet adds the extra."""
    _require_amount(base, "base")
    _require_amount(additional_pet_price, "additional_pet_price")
    if pets < 1:
        raise ValueError(f"a booking covers at least one pet, got {pets}")
    return base + additional_pet_price * (pets - 1)


def platform_fee(amount: int, *, premium: bool) -> int:
    """The platform's fee on `amount`: 15%, or 10% for premium businesses, rounded half up."""
    _require_amount(amount)
    bps = PREMIUM_FEE_BPS if premium else STANDARD_FEE_BPS
    # Integer half-up: adding half the divisor before flooring rounds .5 upwards without floats.
    return (amount * bps + BASIS_POINTS // 2) // BASIS_POINTS


@dataclass(frozen=True, slots=True)
class FeeSplit:
    """How a charge divides: `fee` to the platform (Stripe's application fee), `payout` to the business."""

    amount: int
    fee: int
    payout: int


def split(amount: int, *, premium: bool) -> FeeSplit:
    fee = platform_fee(amount, premium=premium)
    # The payout is the remainder, so fee + payout == amount holds whatever the fee's rounding.
    return FeeSplit(amount=amount, fee=fee, payout=amount - fee)


class RefundPercent(IntEnum):
    FULL = 100
    HALF = 50
    NONE = 0


def refund_percent(starts_at: datetime, cancelled_at: datetime) -> RefundPercent:
    """The cancellation policy: more than 24 h before the start 100%, 12 h to 24 h (inclusive) 50%, under 12 h 0%.

    A cancellation at or after the start is "under 12 h" and refunds nothing.
    """
    if starts_at.tzinfo is None or cancelled_at.tzinfo is None:
        raise ValueError("refund_percent needs timezone-aware datetimes")
    notice = starts_at - cancelled_at
    if notice > FULL_REFUND_AFTER:
        return RefundPercent.FULL
    if notice >= HALF_REFUND_FROM:
        return RefundPercent.HALF
    return RefundPercent.NONE


def refund_amount(captured: int, percent: RefundPercent) -> int:
    """`percent` of `captured`, rounded down (the customer never gets more than the policy's share)."""
    _require_amount(captured, "captured")
    return captured * int(percent) // 100


def cancellation_refund(captured: int, starts_at: datetime, cancelled_at: datetime) -> int:
    """What a cancellation at `cancelled_at` refunds of a `captured` charge for a booking starting at `starts_at`."""
    return refund_amount(captured, refund_percent(starts_at, cancelled_at))
