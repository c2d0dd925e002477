"""render(kind, role, locale, facts, links): one recipient's email, push and SMS texts. Pure.

The kind's template for the role (templates/<kind>/<role>.j2) says what happened in two blocks, `title` and
`lead`; the layouts (email.txt, email.html, sms.txt) add the booking's details and the link. Every sentence
goes through the locale's gettext catalog, every date, time, amount and list through Babel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from app.messages.rendering import formatting, sms
from app.messages.rendering.facts import Links, MessageFacts, RecipientRole
from app.messages.rendering.kinds import template_name
from app.messages.rendering.locales import babel_locale, translations

TEMPLATES = Path(__file__).parent / "templates"
# Email subjects stay readable in a list; a push title is cut by the phone at about this length anyway.
MAX_SUBJECT = 120


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    push_title: str
    push_body: str
    sms: str
    # Where the message points: the web page (emails, SMS) and the apps' deep link (push data).
    web_link: str
    app_link: str


@lru_cache(maxsize=64)
def _environment(locale: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return environment


# Template line breaks and indents, not the no-break spaces Babel puts between a time and its AM.
_LAYOUT_SPACE = re.compile(r"[ \t\r\n]+")


def _block(template: Template, name: str, view: dict[str, Any]) -> str:
    return _LAYOUT_SPACE.sub(" ", "".join(template.blocks[name](template.new_context(view)))).strip()


def _view(role: RecipientRole, locale: str, facts: MessageFacts) -> dict[str, Any]:
    loc = babel_locale(locale)
    tz = formatting.zone(facts.time_zone)
    _ = translations(locale).gettext

    def money(amount: int | None) -> str:
        return "" if amount is None else formatting.money(amount, facts.currency, loc)

    return {
        "role": role.value,
        "number": facts.booking_number,
        "pets": formatting.names(facts.pets, loc),
        "when": formatting.when_long(facts.starts_at, tz, loc),
        "when_short": formatting.when_short(facts.starts_at, tz, loc),
        "time": formatting.time_only(facts.starts_at, tz, loc),
        "zone": formatting.zone_name(tz, loc),
        "address": facts.address,
        "owner": facts.owner_name,
        # Before a walker is assigned, the business is who the owner deals with.
        "walker": facts.walker_name or facts.business_name,
        "business": facts.business_name,
        "total": money(facts.total),
        "fee": money(facts.fee),
        "refund": money(facts.refund),
        "payout": money(facts.payout),
        # The templates end the sentence; a reason typed with its own full stop would end it twice.
        "reason": (facts.reason or "").rstrip(" .") or _("no reason given"),
        "rating": facts.rating or 0,
        "comment": facts.comment or "",
        "distance": formatting.distance(facts.distance_m or 0.0, loc),
        "minutes": facts.silent_minutes or 0,
        "soon": _("tomorrow") if facts.lead == "24h" else _("in an hour"),
    }


def _details(role: RecipientRole, locale: str, view: dict[str, Any], facts: MessageFacts) -> list[tuple[str, str]]:
    """The booking at a glance, below the message: the other party by role, the amounts when there are some."""
    _ = translations(locale).gettext
    rows = [
        (_("Booking"), view["number"]),
        (_("Pets"), view["pets"]),
        (_("When"), f"{view['when']} ({view['zone']})"),
        (_("Where"), view["address"]),
    ]
    if role is not RecipientRole.OWNER:
        rows.append((_("Owner"), view["owner"]))
    if role is not RecipientRole.WALKER and facts.walker_name:
        rows.append((_("Walker"), facts.walker_name))
    if role is not RecipientRole.BUSINESS:
        rows.append((_("Business"), view["business"]))
    labels = ((_("Total"), "total"), (_("Service fee"), "fee"), (_("Refund"), "refund"), (_("Payout"), "payout"))
    rows.extend((label, view[key]) for label, key in labels if view[key])
    return rows


def render(kind: str, role: RecipientRole, locale: str, facts: MessageFacts, links: Links) -> Rendered | None:
    """The message of `kind` for a recipient in `role` reading `locale`; None when the kind has no template
    for the role (the caller's plain text is used)."""
    name = template_name(kind, role)
    if name is None:
        return None
    environment = _environment(locale)
    view = _view(role, locale, facts)
    template = environment.get_template(name)
    title = _block(template, "title", view)
    lead = _block(template, "lead", view)
    path = f"bookings/{facts.booking_id}"
    web_link, app_link = links.web_to(path), links.app_to(path)
    page = {
        **view,
        "title": title,
        "lead": lead,
        "link": web_link,
        "details": _details(role, locale, view, facts),
        "lang": babel_locale(locale).language,
    }
    sms_layout = environment.get_template("sms.txt")
    return Rendered(
        subject=f"{title} · {facts.booking_number}"[:MAX_SUBJECT],
        text=environment.get_template("email.txt").render(page),
        html=environment.get_template("email.html").render(page),
        push_title=title,
        push_body=lead,
        sms=sms.fit(lambda address: sms_layout.render({**page, "address": address}).strip(), facts.address),
        web_link=web_link,
        app_link=app_link,
    )
