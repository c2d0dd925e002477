"""A real SMTP server (aiosmtpd) on a free loopback port, recording what it receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from tests.support.redis_server import free_port

USER = "mailer"
PASSWORD = "mail-secret-1"


@dataclass
class RecordingHandler:
    envelopes: list[Envelope] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str, options: Any) -> str:
        if address in self.refuse_recipients:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == (PASSWORD.encode())
    )
    return AuthResult(success=ok)


@contextmanager
def smtp_server() -> Iterator[tuple[str, RecordingHandler]]:
    """Yields `smtp://user:pass@127.0.0.1:port` and the handler holding what arrived."""
    handler = RecordingHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield f"smtp://{USER}:{PASSWORD}@127.0.0.1:{controller.port}", handler
    finally:
        controller.stop()
