"""Which kinds of message are rendered from templates, and for which recipient roles."""

from __future__ import annotations

from app.messages.rendering.facts import RecipientRole

OWNER, CO_OWNER, WALKER, BUSINESS = RecipientRole
_PARTIES = (OWNER, CO_OWNER, WALKER, BUSINESS)
_WATCHERS = (OWNER, CO_OWNER)

# kind -> the roles with a template of their own (templates/<kind>/<role>.j2).
KINDS: dict[str, tuple[RecipientRole, ...]] = {
    "booking.confirmed": _PARTIES,
    "booking.on_my_way": _PARTIES,
    "booking.in_progress": _PARTIES,
    "booking.completed": _PARTIES,
    "booking.cancelled": _PARTIES,
    "walk.arrived": _WATCHERS,
    "walk.stale": (OWNER, CO_OWNER, BUSINESS),
    "reminder.24h": (OWNER, CO_OWNER, WALKER),
    "reminder.1h": (OWNER, CO_OWNER, WALKER),
    "dispatch.offer": (WALKER,),
    "dispatch.unassigned": (OWNER,),
    "payment.authorized": (OWNER,),
    "payment.captured": (OWNER,),
    "payment.failed": (OWNER,),
    "payment.canceled": (OWNER,),
    "payment.refunded": (OWNER,),
    "payment.payout": (BUSINESS,),
    "review.created": (BUSINESS,),
    "review.response": (OWNER,),
}
# Both reminders share their templates; the lead (tomorrow, in an hour) is a fact.
_TEMPLATE_DIRS = {"reminder.24h": "reminder", "reminder.1h": "reminder"}


def template_name(kind: str, role: RecipientRole) -> str | None:
    """The template of `kind` for `role`; a co-owner reads the owner's where they have none (a review's author).
    None: the kind is not rendered from templates, or not for this role."""
    roles = KINDS.get(kind, ())
    if role not in roles:
        if role is not CO_OWNER or OWNER not in roles:
            return None
        role = OWNER
    return f"{_TEMPLATE_DIRS.get(kind, kind)}/{role.value}.j2"
