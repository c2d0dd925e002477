"""Error reports reach Sentry (a local recording endpoint) tagged and without personal data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.service import create_app
from app.settings import Settings
from app.usecases import pets
from app.usecases.live import nearby
from tests.app.ops.recording_sentry import recording_sentry
from tests.support.api import bearer, register
from tests.support.asgi import http_client, lifespan
from tests.support.server_process import ROOT

CARD = "4242 4242 4242 4242"
WHERE = "51.50722,-0.12750"


async def test_an_unhandled_error_is_reported_tagged_and_scrubbed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(*_: object) -> None:
        raise RuntimeError(f"no walker for ada@example.com near {WHERE}, card {CARD}")

    monkeypatch.setattr(pets, "create_pet", failing)
    with recording_sentry() as (dsn, recorder):
        app = create_app(settings.model_copy(update={"sentry_dsn": dsn, "sentry_release": "walky@test"}))
        async with lifespan(app), http_client(app) as client:
            session = await register(client, "ada@example.com")
            response = await client.post(
                "/v1/pets",
                headers={**bearer(session), "Cookie": "session=chocolate-chip", "X-Request-ID": "req-16"},
                params={"lat": "51.5", "lng": "-0.12"},
                json={"name": "Rex", "species": "dog", "notes": "ada@example.com"},
            )
            assert response.status_code == 500
            assert response.json()["error"]["code"] == "INTERNAL"
        # The app's shutdown closed the client, which sent what was queued.
    [event] = recorder.events()
    assert (event["release"], event["environment"]) == ("walky@test", "development")
    assert event["tags"]["request_id"] == "req-16"
    [error] = event["exception"]["values"]
    assert error["type"] == "RuntimeError"
    assert error["value"] == "no walker for [email] near [coordinates], card [card]"
    headers = {name.lower(): value for name, value in event["request"]["headers"].items()}
    assert headers["authorization"] == headers["cookie"] == "[Filtered]"
    assert event["request"]["query_string"] == "lat=[Filtered]&lng=[Filtered]"
    sent = json.dumps(recorder.bodies[0].decode())
    for personal in ("ada@example.com", session["accessToken"], CARD, WHERE, "chocolate-chip", "Rex"):
        assert personal not in sent


async def test_an_error_on_the_nearby_path_is_reported_with_its_request(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The nearby path's lane (app/rest/nearby_lane.py) is inside Sentry's wrappers: the report still carries
    # the request, scrubbed.
    async def failing(*_: object) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(nearby, "find_nearby_workers", failing)
    with recording_sentry() as (dsn, recorder):
        app = create_app(settings.model_copy(update={"sentry_dsn": dsn, "sentry_release": "walky@test"}))
        async with lifespan(app), http_client(app) as client:
            session = await register(client, "ada@example.com")
            response = await client.get(
                "/v1/locations/workers", headers=bearer(session), params={"lat": "51.5", "lng": "-0.12"}
            )
            assert response.status_code == 500
            assert response.json()["error"]["code"] == "INTERNAL"
    [event] = recorder.events()
    assert event["exception"]["values"][0]["value"] == "index exploded"
    assert event["request"]["url"].endswith("/v1/locations/workers")
    assert event["request"]["query_string"] == "lat=[Filtered]&lng=[Filtered]"


def test_without_a_dsn_sentry_is_never_imported(tmp_path: Path) -> None:
    probe = (
        "import sys; from app.service import create_app; from app.settings import Settings; "
        f"create_app(Settings(data_dir={str(tmp_path)!r})); print('sentry_sdk' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALKY_")}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"
