"""Email over SMTP with aiosmtplib: `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://`."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.messages.email import compose
from app.messages.outbox import Channel, OutboxMessage
from app.messages.senders import PermanentSendFailure, SendFailed

SMTP_TIMEOUT_S = 20
# 5xx replies are permanent by the SMTP standard; 4xx are worth another try.
_PERMANENT_REPLY = 500


class SmtpSender:
    channel = Channel.EMAIL

    def __init__(self, url: str, mail_from: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("WALKY_SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
        self._hostname = parts.hostname
        self._use_tls = parts.scheme == "smtps"
        self._port = parts.port or (465 if self._use_tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._mail_from = mail_from

    async def send(self, message: OutboxMessage) -> str:
        email = compose(message, self._mail_from)
        try:
            await aiosmtplib.send(
                email,
                hostname=self._hostname,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._use_tls,
                # None: upgrade with STARTTLS when the server offers it.
                start_tls=None if not self._use_tls else False,
                timeout=SMTP_TIMEOUT_S,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentSendFailure("recipient refused") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= _PERMANENT_REPLY:
                raise PermanentSendFailure(f"SMTP {exc.code}") from exc
            raise SendFailed(f"SMTP {exc.code}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"SMTP unavailable: {type(exc).__name__}") from exc
        return str(email["Message-ID"])

    async def aclose(self) -> None:
        return None
