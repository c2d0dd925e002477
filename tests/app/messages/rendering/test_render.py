"""Each kind for each role names its booking, pets, local time, address and other party, in the recipient's
locale, and never tells the recipient about themselves in the third person."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.messages.rendering.facts import RecipientRole
from app.messages.rendering.kinds import KINDS
from app.messages.rendering.render import Rendered, render
from app.messages.rendering.samples import RECIPIENT_NAMES, SAMPLE, SAMPLE_LINKS, sample_for
from app.messages.rendering.sms import GSM7, GSM7_EXTENDED, SEGMENT, septets

PAIRS = [(kind, role) for kind, roles in KINDS.items() for role in roles]
# The sample starts at 09:00 UTC: 10:00 in Madrid, the business's zone (not the reader's, not UTC).
LOCAL_TIME = {"en": "10:00\u202fAM", "es": "10:00"}
OTHER_PARTIES = {
    RecipientRole.OWNER: ("Sam Berg",),
    RecipientRole.CO_OWNER: ("Sam Berg", "Ana Ortega"),
    RecipientRole.WALKER: ("Ana Ortega",),
    RecipientRole.BUSINESS: ("Ana Ortega", "Sam Berg"),
}


def rendered(kind: str, role: RecipientRole, locale: str = "en") -> Rendered:
    message = render(kind, role, locale, sample_for(kind), SAMPLE_LINKS)
    assert message is not None
    return message


def parts(message: Rendered) -> dict[str, str]:
    return {
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "push": f"{message.push_title}\n{message.push_body}",
        "sms": message.sms,
    }


def test_every_kind_has_a_template_for_each_of_its_roles() -> None:
    assert len(PAIRS) == 41
    assert {kind.split(".")[0] for kind in KINDS} == {"booking", "walk", "reminder", "dispatch", "payment", "review"}


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize(("kind", "role"), PAIRS)
def test_it_names_the_booking_pets_time_address_and_other_party(kind: str, role: RecipientRole, locale: str) -> None:
    message = rendered(kind, role, locale)
    facts = sample_for(kind)
    for channel in ("text", "html", "push"):
        content = parts(message)[channel]
        assert "WK-7QH3M9TX" in content, channel
        assert "Rex" in content and "Luna" in content, channel
        assert LOCAL_TIME[locale] in content, channel
        assert "Calle de Alcalá 42" in content, channel
        others = OTHER_PARTIES[role] if facts.walker_name else ("Happy Paws",)
        for other in others if channel != "push" else others[:1]:
            assert other in content, (channel, other)
    # The SMS: the number, the time and the link, in GSM-7 (an `á` loses its accent there).
    assert "WK-7QH3M9TX" in message.sms and LOCAL_TIME[locale].replace("\u202f", " ") in message.sms
    # The address, shortened when the whole would not fit one segment.
    assert message.web_link in message.sms and "Calle de" in message.sms
    assert set(message.sms) <= GSM7 | GSM7_EXTENDED


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize(("kind", "role"), PAIRS)
def test_nobody_is_told_about_themselves(kind: str, role: RecipientRole, locale: str) -> None:
    own_name = RECIPIENT_NAMES[role.value]
    for channel, content in parts(rendered(kind, role, locale)).items():
        assert own_name not in content, channel


@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize(("kind", "role"), PAIRS)
def test_sms_fit_one_segment(kind: str, role: RecipientRole, locale: str) -> None:
    # In septets: `€` is an escape and a character.
    assert septets(rendered(kind, role, locale).sms) <= SEGMENT


def test_receipts_carry_the_amounts() -> None:
    captured = rendered("payment.captured", RecipientRole.OWNER)
    assert "€27.50" in captured.push_body and "€2.50" in captured.push_body
    assert "Total: €27.50" in captured.text and "Service fee: €2.50" in captured.text
    payout = rendered("payment.payout", RecipientRole.BUSINESS)
    assert all(amount in payout.push_body for amount in ("€27.50", "€2.50", "€25.00"))
    refunded = rendered("payment.refunded", RecipientRole.OWNER)
    assert "Refund: €27.50" in refunded.text
    assert "You will get €27.50 back." in rendered("booking.cancelled", RecipientRole.OWNER).push_body


def test_each_role_reads_its_own_wording() -> None:
    titles = {role: rendered("booking.confirmed", role).push_title for role in RecipientRole}
    assert titles[RecipientRole.OWNER] == "Sam Berg will walk Rex and Luna"
    assert titles[RecipientRole.WALKER] == "You will walk Rex and Luna for Ana Ortega"
    assert titles[RecipientRole.BUSINESS] == "Sam Berg will walk Ana Ortega's Rex and Luna"
    assert "Ana Ortega's booking" in rendered("booking.confirmed", RecipientRole.CO_OWNER).push_body


def test_spanish_is_spanish_dates_money_and_words() -> None:
    message = rendered("payment.captured", RecipientRole.OWNER, "es")
    assert message.push_title == "Recibo: 27,50\u00a0€ por el paseo de Rex y Luna"
    assert "miércoles, 9 de diciembre de 2026, 10:00" in message.text
    assert "Reserva: WK-7QH3M9TX" in message.text and 'lang="es"' in message.html
    # A regional tag reads its language's catalog and formats money its own way.
    mexican = rendered("payment.captured", RecipientRole.OWNER, "es-MX")
    assert mexican.push_title.startswith("Recibo: EUR")


def test_an_unknown_stored_locale_reads_english() -> None:
    assert rendered("booking.confirmed", RecipientRole.OWNER, "xx").push_title == "Sam Berg will walk Rex and Luna"


def test_links_point_at_the_booking_on_the_web_and_in_the_app() -> None:
    message = rendered("booking.completed", RecipientRole.OWNER)
    assert message.web_link == "https://walky.example/bookings/6751a9e0c0ffee0000000001"
    assert message.app_link == "walky://bookings/6751a9e0c0ffee0000000001"
    assert f'href="{message.web_link}"' in message.html and message.web_link in message.text


def test_what_people_typed_is_escaped_in_html() -> None:
    facts = replace(SAMPLE, comment="<script>alert(1)</script>", pets=("R&B",))
    message = render("review.response", RecipientRole.OWNER, "en", facts, SAMPLE_LINKS)
    assert message is not None
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html and "R&amp;B" in message.html
    assert "<script>alert(1)</script>" in message.text


def test_a_kind_or_role_without_a_template_is_left_to_the_caller() -> None:
    assert render("payouts.enabled", RecipientRole.BUSINESS, "en", SAMPLE, SAMPLE_LINKS) is None
    assert render("dispatch.offer", RecipientRole.OWNER, "en", SAMPLE, SAMPLE_LINKS) is None
    # A co-owner who wrote the review reads the owner's wording.
    assert render("review.response", RecipientRole.CO_OWNER, "en", SAMPLE, SAMPLE_LINKS) is not None
