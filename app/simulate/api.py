"""The simulator's REST client: the public API over aiohttp, envelopes unwrapped, failures raised."""

from __future__ import annotations

from typing import Any

import aiohttp


class ApiError(Exception):
    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        super().__init__(f"{method} {path}: {status} {body[:300]}")
        self.status = status


class Api:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")

    async def call(self, method: str, path: str, token: str | None = None, body: object = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.request(method, f"{self.base_url}{path}", json=body, headers=headers) as response:
            text = await response.text()
            if response.status >= 400:
                raise ApiError(method, path, response.status, text)
            return (await response.json(content_type=None))["data"]
