"""SMS through Twilio's Messages API over httpx (the REST API the official SDK wraps)."""

from __future__ import annotations

import httpx

from app.messages.outbox import Channel, OutboxMessage
from app.messages.senders import PermanentSendFailure, SendFailed

TWILIO_API = "https://api.twilio.com"
TWILIO_TIMEOUT_S = 15
MAX_SMS_CHARS = 1600


class TwilioSmsSender:
    channel = Channel.SMS

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        base_url: str = TWILIO_API,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, auth=(account_sid, auth_token), timeout=TWILIO_TIMEOUT_S, transport=transport
        )
        self._path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._from = from_number

    async def send(self, message: OutboxMessage) -> str:
        if not message.to:
            raise PermanentSendFailure("no phone number")
        # A rendered SMS (app/messages/rendering) is whole in the body, its title left empty.
        text = (f"{message.title}: {message.body}" if message.title else message.body)[:MAX_SMS_CHARS]
        try:
            response = await self._http.post(
                self._path,
                data={"To": message.to, "From": self._from, "Body": text},
                # Twilio answers a repeated token with the first message instead of sending again.
                headers={"I-Twilio-Idempotency-Token": message.id},
            )
        except httpx.HTTPError as exc:
            raise SendFailed(f"Twilio unreachable: {type(exc).__name__}") from exc
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS or response.is_server_error:
            raise SendFailed(f"Twilio answered {response.status_code}")
        if response.is_error:
            raise PermanentSendFailure(f"Twilio refused the message ({response.json().get('code', '?')})")
        return str(response.json()["sid"])

    async def aclose(self) -> None:
        await self._http.aclose()
