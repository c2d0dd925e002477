"""Amounts that become a charge are refused below what the currency can be charged (Stripe's minimum).

An amount under the minimum is almost always a price written in major units (`25` meaning 25 dollars, which is
0.25 USD): the 422 names the field, its unit and the minimum, so the client sees its mistake at once instead of
a walk sold for a quarter, or a payment failing at the owner's checkout.
"""

from __future__ import annotations

from app.domain.money import charge_problem
from app.errors import ValidationFailed

MINIMUM_CHARGE_ERROR = "minimum_charge"


def require_chargeable(field: str, name: str, amount: int, currency: str) -> None:
    """ValidationFailed at `field` (the request's path to it) when `amount` of `currency` cannot be charged."""
    problem = charge_problem(name, amount, currency)
    if problem is not None:
        raise ValidationFailed(problem, [{"field": field, "message": problem, "type": MINIMUM_CHARGE_ERROR}])


def require_free_or_chargeable(field: str, name: str, amount: int, currency: str) -> None:
    """As `require_chargeable`, with 0 allowed: a surcharge (an additional pet) may be free, and a positive one
    under the minimum is the same misread price."""
    if amount != 0:
        require_chargeable(field, name, amount, currency)
