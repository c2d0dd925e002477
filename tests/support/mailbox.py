"""Reading the `.eml` files the embedded email sender writes, the way a person reads their inbox."""

from __future__ import annotations

import asyncio
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

_LINK = re.compile(r"https?://\S+\?token=([A-Za-z0-9_\-]+)")


def inbox(directory: Path, to: str) -> list[EmailMessage]:
    messages: list[EmailMessage] = []
    if not directory.exists():
        return messages
    for path in sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        if parsed["To"] == to:
            messages.append(parsed)
    return messages


async def wait_for_email(directory: Path, to: str, subject_part: str, count: int = 1) -> EmailMessage:
    """The `count`-th email to `to` whose subject contains `subject_part` (the relay sends in the background)."""
    for _ in range(200):
        matching = [m for m in inbox(directory, to) if subject_part in str(m["Subject"])]
        if len(matching) >= count:
            return matching[count - 1]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no email {subject_part!r} to {to}")


def token_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = _LINK.search(body.get_content())
    assert found is not None, "no link in the email"
    return found.group(1)
