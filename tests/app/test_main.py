"""`python -m app` as a real process: fast start, persistence across restarts, clean SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import routing
from starlette.types import ASGIApp

from app.service import build_route_tables, create_app
from app.settings import Settings
from tests.support.asgi import http_client, lifespan
from tests.support.redis_server import free_port
from tests.support.server_process import ServerProcess, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def server(data_dir: Path, *extra_args: str) -> Iterator[tuple[subprocess.Popen[bytes], str, float]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALKY_")}
    env["WALKY_DATA_DIR"] = str(data_dir)
    # A file, not a pipe: nothing reads a pipe while the server runs, and a full one would stall it.
    log_path = data_dir / "server-stderr.log"
    started = time.monotonic()
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(port), *extra_args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        ready_after = wait_until_answering(proc, f"{base}/healthz", log_path)
        yield proc, base, ready_after - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_start_register_restart_login_and_sigterm(tmp_path: Path) -> None:
    credentials = {"email": "persist@example.com", "password": "walkies-42"}
    # Start-up time is a benchmark (scripts/bench/bench_startup.py), not a timed test: CI shares its cores.
    with server(tmp_path) as (proc, base, _):
        registered = httpx.post(
            f"{base}/v1/auth/register",
            json={**credentials, "role": "owner", "firstName": "Pat", "lastName": "Doe"},
        )
        assert registered.status_code == 201
        pair = httpx.post(f"{base}/v1/auth/login", json=credentials).json()["data"]
        refreshed = httpx.post(f"{base}/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]}).json()["data"]
        me = httpx.get(f"{base}/v1/users/me", headers={"Authorization": f"Bearer {refreshed['accessToken']}"})
        assert me.json()["data"]["email"] == credentials["email"]
        proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - stopped < 10
    with server(tmp_path) as (_, base, _):
        assert httpx.post(f"{base}/v1/auth/login", json=credentials).status_code == 200


def test_a_server_that_does_not_start_is_reported_with_its_stderr(tmp_path: Path) -> None:
    process = ServerProcess(tmp_path / "data", WALKY_ENV="production")
    try:
        with pytest.raises(RuntimeError, match="server exited with 2 before") as failed:
            process.start()
    finally:
        process.close()
    assert "WALKY_REDIS_URL is required in production" in str(failed.value)


def run_refused(tmp_path: Path, **walky: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALKY_")}
    env.update(WALKY_DATA_DIR=str(tmp_path), **walky)
    result = subprocess.run(
        [sys.executable, "-m", "app", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    return result.stderr.decode()


def test_production_mode_refuses_default_secret(tmp_path: Path) -> None:
    assert "WALKY_JWT_SECRET" in run_refused(tmp_path, WALKY_ENV="production")


def test_a_refused_production_start_names_settings_never_their_values(tmp_path: Path) -> None:
    stderr = run_refused(
        tmp_path,
        WALKY_ENV="production",
        WALKY_JWT_SECRET="a" * 48,
        WALKY_MONGODB_URL="mongodb://walky:hunter2-mongo@db.internal:27017/walky",
        WALKY_STRIPE_SECRET_KEY="sk_live_do_not_print",
    )
    assert stderr.splitlines() == [
        "walky: invalid configuration, not starting:",
        "  WALKY_JWT_SECRET is too weak for production: it needs at least 32 characters and 128 bits of entropy "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        "  WALKY_REDIS_URL is required in production",
        "  WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET are required in production "
        "(or WALKY_PAYMENTS=offline to take no real money on purpose)",
    ]
    for secret in ("aaaa", "hunter2", "sk_live", "input_value"):
        assert secret not in stderr


def test_a_malformed_setting_is_named_without_its_value(tmp_path: Path) -> None:
    stderr = run_refused(tmp_path, WALKY_PORT="hunter2", WALKY_MAX_BODY_BYTES="-1")
    assert "WALKY_PORT: Input should be a valid integer" in stderr
    assert "WALKY_MAX_BODY_BYTES: Input should be greater than 0" in stderr
    assert "hunter2" not in stderr and "input" not in stderr.replace("Input should", "")


def test_the_server_process_tunes_the_garbage_collector() -> None:
    import gc

    from app.__main__ import GC_THRESHOLDS, tune_garbage_collector

    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


async def test_the_server_process_builds_the_route_tables_before_the_first_request(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI builds an included router's route table (in `_EffectiveRouteContext.from_api_route`) on the
    first request that reaches it; `python -m app` builds them all before serving."""
    built: list[str] = []
    build = routing._EffectiveRouteContext.from_api_route.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Any], /, **kwargs: Any) -> Any:
        built.append(kwargs["original_route"].path)
        return build(cls, **kwargs)

    monkeypatch.setattr(routing._EffectiveRouteContext, "from_api_route", classmethod(counted))

    async def first_requests(app: ASGIApp) -> None:
        async with lifespan(app), http_client(app) as client:
            await client.get("/healthz")
            await client.post("/v1/pets/some-pet/photos")

    await first_requests(create_app(settings))
    assert "/v1/pets/{pet_id}/photos" in built, "without it, the first upload builds the tables"
    built.clear()
    app = create_app(settings)
    build_route_tables(app)
    assert "/v1/pets/{pet_id}/photos" in built
    built.clear()
    await first_requests(app)
    assert built == []
