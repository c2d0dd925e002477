"""Interop: the official Node `socket.io-client` 4.x against a real server, unmodified."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.realtime.conftest import LiveServer


async def run_client(script: Path, url: str, token: str, scenario: str, *options: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(script),
        url,
        token,
        scenario,
        *options,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, stderr.decode()
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return result


async def test_bad_token_gets_connect_error_unauthorized(live: LiveServer, node_client: Path) -> None:
    assert await run_client(node_client, live.url, "not-a-token", "connect") == {"connectError": "unauthorized"}


async def test_without_a_token_the_client_connects_to_follow_share_links(live: LiveServer, node_client: Path) -> None:
    assert await run_client(node_client, live.url, "-", "connect") == {"connected": True}
    refused = await run_client(node_client, live.url, "-", "stream")
    assert refused["first"]["ok"] is False and refused["first"]["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="websocket-only"),
        # The client's defaults: long-polling first (python-engineio), then the upgrade to WebSocket.
        pytest.param(("default",), id="polling-then-upgrade"),
    ],
)
async def test_stream_fixes_with_acks(live: LiveServer, node_client: Path, options: tuple[str, ...]) -> None:
    worker_id, token = await live.add_worker("b1")
    result = await run_client(node_client, live.url, token, "stream", *options)
    assert result["first"] == {"ok": True, "accepted": 1}
    assert result["second"] == {"ok": True, "accepted": 1}
    assert result["duplicate"] == {"ok": True, "accepted": 0}
    assert result["invalid"]["ok"] is False
    assert result["invalid"]["error"]["code"] == "VALIDATION_ERROR"
    assert result["batch"] == {"ok": True, "accepted": 2}
    assert result["status"]["ok"] is True and result["status"]["online"] is True
    # Polling clients upgrade at once, well before their sixth acknowledged event.
    assert result["transport"] == "websocket"
    state = await live.services.live_index.worker(worker_id)
    assert state is not None and state.last_fix is not None
    assert state.last_fix.position.lat == 51.50723
