"""Ending a session reaches every process: its tokens are refused and its open sockets are disconnected."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import socketio

from app.settings import Settings
from tests.realtime.conftest import LiveServer, serve, socket_client
from tests.support.api import PASSWORD, register


async def disconnected(client: socketio.AsyncClient) -> asyncio.Event:
    gone = asyncio.Event()

    async def on_disconnect(*_: object) -> None:
        gone.set()

    client.on("disconnect", on_disconnect)
    return gone


async def test_logout_disconnects_the_users_sockets(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.url) as client:
        session = await register(client, "socket-leaver@example.com")
        other = await register(client, "socket-stayer@example.com")
        async with (
            socket_client(live.url, session["accessToken"]) as mine,
            socket_client(live.url, other["accessToken"]) as theirs,
        ):
            mine_gone, theirs_gone = await disconnected(mine), await disconnected(theirs)
            await client.post("/v1/auth/logout", json={"refreshToken": session["refreshToken"]})
            await asyncio.wait_for(mine_gone.wait(), 5)
            assert not theirs_gone.is_set()
            ack = await theirs.call("tracking:unsubscribe", {"bookingId": "b1"}, timeout=5)
            assert ack["ok"] is True
        refused = socketio.AsyncClient(reconnection=False)
        reasons: list[object] = []
        refused.on("connect_error", reasons.append)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(live.url, auth={"token": session["accessToken"]}, transports=["websocket"])
        assert reasons == [{"message": "unauthorized"}]


async def test_a_revocation_reaches_every_process(tmp_path: Path, redis_url: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_url, _env_file=None)
    async with (
        serve(settings) as first,
        serve(settings) as second,
        httpx.AsyncClient(base_url=first.url) as one,
        httpx.AsyncClient(base_url=second.url) as two,
    ):
        session = await register(one, "many-processes@example.com")
        headers = {"Authorization": f"Bearer {session['accessToken']}"}
        assert (await two.get("/v1/users/me", headers=headers)).status_code == 200
        async with socket_client(second.url, session["accessToken"]) as elsewhere:
            gone = await disconnected(elsewhere)
            changed = await one.put(
                "/v1/users/me/password",
                headers=headers,
                json={"currentPassword": PASSWORD, "newPassword": "battery-staple-2"},
            )
            assert changed.status_code == 200
            await asyncio.wait_for(gone.wait(), 5)
        # The second process had the old version cached; the signal raised it.
        assert (await two.get("/v1/users/me", headers=headers)).status_code == 401
        fresh = {"Authorization": f"Bearer {changed.json()['data']['accessToken']}"}
        assert (await two.get("/v1/users/me", headers=fresh)).status_code == 200
