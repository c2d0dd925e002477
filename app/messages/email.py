"""Composing an email from an outbox message: text and HTML parts from Jinja2 templates."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.messages.outbox import OutboxMessage

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def compose(message: OutboxMessage, mail_from: str) -> EmailMessage:
    if not message.to:
        raise ValueError("an email needs a recipient address")
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.to
    email["Subject"] = message.title
    email["Date"] = format_datetime(message.created_at)
    # The outbox id, so a resend after a crash is recognisable as the same message.
    email["Message-ID"] = f"<{message.id}@walky>"
    if message.html is not None:
        # Rendered whole when enqueued (app/messages/rendering): the body is the text part.
        email.set_content(message.body)
        email.add_alternative(message.html, subtype="html")
        return email
    context = {"title": message.title, "body": message.body, "link": message.link}
    email.set_content(_templates.get_template("message.txt").render(context))
    email.add_alternative(_templates.get_template("message.html").render(context), subtype="html")
    return email
