"""Push through the Expo push service's HTTP API (the seed's apps use expo-notifications).

One request per message carries one entry per device of the recipient. A ticket with
`DeviceNotRegistered` removes that token for good.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.messages.devices import DeviceBook
from app.messages.outbox import Channel, OutboxMessage
from app.messages.senders import PermanentSendFailure, SendFailed

EXPO_PUSH_URL = "https://exp.host/--/api/v2/push/send"
EXPO_TIMEOUT_S = 15
# Expo takes at most 100 messages per request.
MAX_DEVICES = 100


class ExpoPushSender:
    channel = Channel.PUSH

    def __init__(
        self,
        devices: DeviceBook,
        *,
        access_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        url: str = EXPO_PUSH_URL,
    ) -> None:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate"}
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        self._http = httpx.AsyncClient(headers=headers, timeout=EXPO_TIMEOUT_S, transport=transport)
        self._devices = devices
        self._url = url

    def _entry(self, token: str, message: OutboxMessage) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "to": token,
            "title": message.title,
            "body": message.body,
            # The outbox id lets the app drop a duplicate delivered after a retry.
            "data": {**message.data, "kind": message.kind, "messageId": message.id},
            "sound": "default",
            "priority": "high",
        }
        if message.expires_at is not None:
            # Expo drops the push when the device is unreachable until then (a dispatch offer's expiry).
            entry["expiration"] = int(message.expires_at.timestamp())
        return entry

    async def send(self, message: OutboxMessage) -> str:
        tokens = (await self._devices.tokens_of(message.user_id))[:MAX_DEVICES]
        if not tokens:
            raise PermanentSendFailure("no registered device")
        try:
            response = await self._http.post(self._url, json=[self._entry(token, message) for token in tokens])
        except httpx.HTTPError as exc:
            raise SendFailed(f"Expo unreachable: {type(exc).__name__}") from exc
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS or response.is_server_error:
            raise SendFailed(f"Expo answered {response.status_code}")
        if response.is_error:
            raise PermanentSendFailure(f"Expo refused the request ({response.status_code})")
        tickets = response.json().get("data", [])
        ids: list[str] = []
        for token, ticket in zip(tokens, tickets, strict=False):
            if ticket.get("status") == "ok":
                ids.append(str(ticket.get("id", "")))
            elif (ticket.get("details") or {}).get("error") == "DeviceNotRegistered":
                await self._devices.forget(token)
        if not ids:
            raise PermanentSendFailure("no device accepted the push")
        return ",".join(ids)

    async def aclose(self) -> None:
        await self._http.aclose()
