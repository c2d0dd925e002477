"""Fuzzing every client event: hostile payloads from the official Node client, generated ones from Hypothesis.
Every event is answered with an ack carrying a client-error code: never INTERNAL, never a timeout, and the
server still serves afterwards."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realtime.conftest import LAT, LNG, LiveServer, now_ms, socket_client

EVENTS = (
    "location:update",
    "location:batch",
    "worker:status",
    "dispatch:accept",
    "dispatch:decline",
    "tracking:subscribe",
    "tracking:unsubscribe",
    "fleet:subscribe",
)
# What a refused event may answer; INTERNAL is a bug.
CLIENT_ERRORS = {"VALIDATION_ERROR", "FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "RATE_LIMITED", "CONFLICT"}


async def test_official_client_hostile_payloads_for_every_event(live: LiveServer, node_client: Path) -> None:
    _, token = await live.add_worker("b1")
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(node_client.with_name("fuzz.mjs")),
        live.url,
        token,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 90)
    assert proc.returncode == 0, stderr.decode() + stdout.decode()
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    assert result["bad"] == []
    assert result["count"] >= 8 * 30
    assert result["after"] == {"ok": True, "accepted": 1}


# JSON values of every kind, small enough to stay under the event size limit, with keys the payload
# models know mixed in so validation gets past the first field.
KEYS = st.sampled_from(
    ["coordinates", "timestamp", "accuracy", "points", "online", "available", "offerId", "bookingId", "businessId"]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=60,
    deadline=None,
    # One server for every example, on purpose: it must keep serving across all of them.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(event=st.sampled_from(EVENTS), payload=JSON)
async def test_generated_payloads_are_answered_with_client_errors(live: LiveServer, event: str, payload: Any) -> None:
    _, token = await live.add_worker("b1")
    async with socket_client(live.url, token) as sio:
        ack = await sio.call(event, payload, timeout=5)
        assert ack["ok"] is True or ack["error"]["code"] in CLIENT_ERRORS, (event, payload, ack)
        fix = {"coordinates": [LNG, LAT], "timestamp": now_ms()}
        assert (await sio.call("location:update", fix, timeout=5))["ok"] is True
