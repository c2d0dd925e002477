"""Push through the Expo push service's HTTP API (the seed's apps use expo-notifications).

A batch of messages goes out in as few requests as Expo allows (100 pushes each), one entry per device of
each recipient; a message's entries stay in one request. A ticket with `DeviceNotRegistered` removes that
token for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from app.messages.devices import DeviceBook
from app.messages.outbox import Channel, OutboxMessage
from app.messages.senders import PermanentSendFailure, SendFailed

EXPO_PUSH_URL = "https://exp.host/--/api/v2/push/send"
EXPO_TIMEOUT_S = 15
# Expo takes at most 100 pushes per request: a batch of messages is packed into requests of that size.
MAX_PER_REQUEST = 100


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
        [outcome] = await self.send_many([message])
        if isinstance(outcome, SendFailed):
            raise outcome
        return outcome

    async def send_many(self, messages: Sequence[OutboxMessage]) -> list[str | SendFailed]:
        """One device read for the batch; each message's pushes in one request, 100 pushes per request."""
        tokens = await self._devices.tokens_of_many(list(dict.fromkeys(m.user_id for m in messages)))
        outcomes: list[str | SendFailed] = [PermanentSendFailure("no registered device")] * len(messages)
        requests: list[list[tuple[int, str]]] = [[]]
        for index, message in enumerate(messages):
            mine = tokens.get(message.user_id, [])[:MAX_PER_REQUEST]
            if len(requests[-1]) + len(mine) > MAX_PER_REQUEST:
                requests.append([])
            requests[-1] += [(index, token) for token in mine]
        entries = [r for r in requests if r]
        answers = await asyncio.gather(*(self._post(messages, request) for request in entries))
        for request, answer in zip(entries, answers, strict=True):
            indexes = dict.fromkeys(index for index, _ in request)
            if isinstance(answer, SendFailed):
                for index in indexes:
                    outcomes[index] = answer
                continue
            ids: dict[int, list[str]] = {}
            for (index, token), ticket in zip(request, answer, strict=False):
                if ticket.get("status") == "ok":
                    ids.setdefault(index, []).append(str(ticket.get("id", "")))
                elif (ticket.get("details") or {}).get("error") == "DeviceNotRegistered":
                    await self._devices.forget(token)
            for index in indexes:
                outcomes[index] = (
                    ",".join(ids[index]) if index in ids else PermanentSendFailure("no device accepted the push")
                )
        return outcomes

    async def _post(self, messages: Sequence[OutboxMessage], request: list[tuple[int, str]]) -> list[Any] | SendFailed:
        """Expo's tickets for one request, in the order of its entries, or why the whole request failed."""
        body = [self._entry(token, messages[index]) for index, token in request]
        try:
            response = await self._http.post(self._url, json=body)
        except httpx.HTTPError as exc:
            return SendFailed(f"Expo unreachable: {type(exc).__name__}")
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS or response.is_server_error:
            return SendFailed(f"Expo answered {response.status_code}")
        if response.is_error:
            return PermanentSendFailure(f"Expo refused the request ({response.status_code})")
        tickets: list[Any] = response.json().get("data", [])
        return tickets

    async def aclose(self) -> None:
        await self._http.aclose()
