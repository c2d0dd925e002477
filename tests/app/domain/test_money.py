from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import (
    RefundPercent,
    cancellation_refund,
    is_zero_decimal,
    minimum_charge,
    normalize_currency,
    platform_fee,
    price,
    refund_amount,
    refund_percent,
    split,
)

START = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
amounts = st.integers(min_value=0, max_value=10**12)


class TestPrice:
    def test_one_pet_pays_the_base(self) -> None:
        assert price(2000, 500, 1) == 2000

    def test_each_further_pet_adds_the_additional_price(self) -> None:
        assert price(2000, 500, 3) == 3000

    @pytest.mark.parametrize("pets", [0, -1])
    def test_needs_at_least_one_pet(self, pets: int) -> None:
        with pytest.raises(ValueError, match="at least one pet"):
            price(2000, 500, pets)

    def test_rejects_negative_prices(self) -> None:
        with pytest.raises(ValueError, match="base"):
            price(-1, 0, 1)
        with pytest.raises(ValueError, match="additional_pet_price"):
            price(100, -5, 2)


class TestPlatformFee:
    def test_standard_fee_is_15_percent(self) -> None:
        assert platform_fee(2300, premium=False) == 345

    def test_premium_fee_is_10_percent(self) -> None:
        assert platform_fee(2300, premium=True) == 230

    def test_half_rounds_up(self) -> None:
        assert platform_fee(10, premium=False) == 2  # 1.5
        assert platform_fee(5, premium=True) == 1  # 0.5

    def test_below_half_rounds_down(self) -> None:
        assert platform_fee(3, premium=False) == 0  # 0.45
        assert platform_fee(14, premium=True) == 1  # 1.4

    def test_zero_amount_zero_fee(self) -> None:
        assert platform_fee(0, premium=False) == 0

    @pytest.mark.parametrize("bad", [-1, True, 1.5, "100"])
    def test_rejects_non_minor_unit_amounts(self, bad: object) -> None:
        with pytest.raises(ValueError, match="minor units"):
            platform_fee(bad, premium=False)  # type: ignore[arg-type]

    @given(amounts, st.booleans())
    def test_fee_never_exceeds_amount_and_splits_exactly(self, amount: int, premium: bool) -> None:
        parts = split(amount, premium=premium)
        assert 0 <= parts.fee <= amount
        assert parts.fee + parts.payout == amount
        assert parts.payout >= 0

    @given(amounts, st.booleans())
    def test_fee_is_within_half_a_unit_of_the_exact_rate(self, amount: int, premium: bool) -> None:
        rate_bps = 1000 if premium else 1500
        exact_times_10000 = amount * rate_bps
        assert abs(platform_fee(amount, premium=premium) * 10_000 - exact_times_10000) <= 5_000

    @given(amounts)
    def test_premium_never_pays_more(self, amount: int) -> None:
        assert platform_fee(amount, premium=True) <= platform_fee(amount, premium=False)


class TestRefundPolicy:
    @pytest.mark.parametrize(
        ("notice", "percent"),
        [
            (timedelta(days=3), RefundPercent.FULL),
            (timedelta(hours=24, microseconds=1), RefundPercent.FULL),
            (timedelta(hours=24), RefundPercent.HALF),  # exact 24 h edge: 50%
            (timedelta(hours=18), RefundPercent.HALF),
            (timedelta(hours=12), RefundPercent.HALF),  # exact 12 h edge: 50%
            (timedelta(hours=12) - timedelta(microseconds=1), RefundPercent.NONE),
            (timedelta(minutes=5), RefundPercent.NONE),
            (timedelta(0), RefundPercent.NONE),
            (-timedelta(hours=1), RefundPercent.NONE),  # after the start
        ],
    )
    def test_bands_and_exact_edges(self, notice: timedelta, percent: RefundPercent) -> None:
        assert refund_percent(START, START - notice) is percent

    def test_compares_instants_not_wall_clocks(self) -> None:
        paris = START.astimezone(timezone(timedelta(hours=2)))
        assert refund_percent(paris, START - timedelta(hours=24)) is RefundPercent.HALF

    def test_naive_datetimes_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            refund_percent(START.replace(tzinfo=None), START)

    def test_half_of_an_odd_amount_rounds_down(self) -> None:
        assert refund_amount(2301, RefundPercent.HALF) == 1150

    def test_zero_decimal_odd_amount_stays_integer(self) -> None:
        # 2301 yen is whole yen; half of it cannot be 1150.5 yen.
        assert is_zero_decimal("JPY")
        assert refund_amount(2301, RefundPercent.HALF) == 1150

    def test_full_and_none(self) -> None:
        assert refund_amount(2301, RefundPercent.FULL) == 2301
        assert refund_amount(2301, RefundPercent.NONE) == 0

    def test_cancellation_refund_combines_policy_and_rounding(self) -> None:
        assert cancellation_refund(2301, START, START - timedelta(hours=30)) == 2301
        assert cancellation_refund(2301, START, START - timedelta(hours=24)) == 1150
        assert cancellation_refund(2301, START, START - timedelta(hours=2)) == 0

    @given(amounts, st.sampled_from(list(RefundPercent)))
    def test_refund_never_exceeds_captured_or_the_share(self, captured: int, percent: RefundPercent) -> None:
        refund = refund_amount(captured, percent)
        assert 0 <= refund <= captured
        assert refund * 100 <= captured * percent < (refund + 1) * 100

    @given(
        amounts,
        st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=10)),
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
    )
    def test_cancelling_earlier_never_refunds_less(self, captured: int, notice: timedelta, extra: timedelta) -> None:
        later = cancellation_refund(captured, START, START - notice)
        earlier = cancellation_refund(captured, START, START - notice - extra)
        assert earlier >= later


class TestCurrencies:
    @pytest.mark.parametrize("code", ["jpy", "JPY", "krw", "vnd", "clp", "xof", "ugx"])
    def test_zero_decimal(self, code: str) -> None:
        assert is_zero_decimal(code)

    @pytest.mark.parametrize("code", ["usd", "EUR", "gbp", "isk", "huf", "twd", "kwd"])
    def test_not_zero_decimal(self, code: str) -> None:
        assert not is_zero_decimal(code)

    def test_minimums_are_in_minor_units(self) -> None:
        assert minimum_charge("usd") == 50  # $0.50
        assert minimum_charge("GBP") == 30  # £0.30
        assert minimum_charge("jpy") == 50  # ¥50: whole yen
        assert minimum_charge("xof") is None  # Stripe alone decides

    @pytest.mark.parametrize("bad", ["", "us", "usdd", "u$d", "ÿen"])
    def test_rejects_non_iso_codes(self, bad: str) -> None:
        with pytest.raises(ValueError, match="ISO 4217"):
            normalize_currency(bad)
