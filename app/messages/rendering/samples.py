"""Sample facts for every kind: what `python -m app messages preview`, the tests and the benchmark render."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from app.messages.rendering.facts import Links, MessageFacts

SAMPLE_LINKS = Links(web="https://walky.example", app="walky://")

# Every party has a distinct name, so a test can tell who a message talks about.
SAMPLE = MessageFacts(
    booking_id="6751a9e0c0ffee0000000001",
    booking_number="WK-7QH3M9TX",
    pets=("Rex", "Luna"),
    # 09:00 UTC: 10:00 in Madrid, the business's zone.
    starts_at=datetime(2026, 12, 9, 9, 0, tzinfo=UTC),
    time_zone="Europe/Madrid",
    address="Calle de Alcalá 42, 28014 Madrid",
    owner_id="owner-1",
    owner_name="Ana Ortega",
    co_owner_ids=("co-owner-1",),
    business_user_id="business-1",
    business_name="Happy Paws",
    walker_user_id="walker-1",
    walker_name="Sam Berg",
    currency="EUR",
    total=2750,
    fee=250,
    payout=2500,
    reason="Rex is unwell",
    rating=5,
    comment="Thank you, see you next week!",
    distance_m=350.0,
    silent_minutes=5,
)

# The recipient's own name per role: never in their message (nobody is told about themselves).
RECIPIENT_NAMES = {"owner": "Ana Ortega", "co-owner": "Carla Ruiz", "walker": "Sam Berg", "business": "Happy Paws"}


def sample_for(kind: str) -> MessageFacts:
    """The sample, with what the kind adds: a refund for refunds and cancellations, a reminder's lead."""
    if kind in {"payment.refunded", "booking.cancelled"}:
        return replace(SAMPLE, refund=2750)
    if kind.startswith("reminder."):
        return replace(SAMPLE, lead=kind.removeprefix("reminder."))
    if kind == "dispatch.unassigned":
        return replace(SAMPLE, walker_user_id=None, walker_name=None)
    if kind == "payment.failed":
        return replace(SAMPLE, reason="Your card was declined.")
    return SAMPLE
