"""`python -m app simulate` against a real server: the demo world is built through the public API and its
walkers complete walks over real Socket.IO connections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.simulate.cli import Options, parse_options, simulate
from app.simulate.walkers import Pace
from tests.support.server_process import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "data")
    try:
        process.start()
        yield process
    finally:
        process.close()


async def test_simulate_builds_a_world_and_completes_walks(
    server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    # Positions and pickups are random (seeded by fresh ids); a walk is the way to the pickup at 11 m/s plus
    # 30 ticks. In a 200 m area about one run in ten had every walker's first pickup too far to finish within
    # 16 s (a Monte Carlo of this geometry); in 100 m, with 18 s, under one in a thousand.
    options = Options(
        url=server.url,
        walkers=4,
        owners=2,
        duration_s=18,
        booking_every_s=1.0,
        radius_m=100,
        center=(2.3376, 48.8606),
        pace=Pace(tick_s=0.1, speed_m=1.1, walk_ticks=30),
    )
    tally = await simulate(options)
    assert tally.fixes > 100
    assert tally.accepted_offers >= 1
    assert tally.events >= 1
    assert tally.completed >= 1
    printed = capsys.readouterr().out
    assert f"console: {server.url}/console" in printed
    assert "share link of WK-" in printed and f"{server.url}/track/" in printed
    email = printed.split("sign in as ")[1].split(" / ")[0]
    async with httpx.AsyncClient(base_url=server.url) as client:
        login = await client.post("/v1/auth/login", json={"email": email, "password": "walky-demo-2026"})
        user = login.json()["data"]
        headers = {"Authorization": f"Bearer {user['accessToken']}"}
        done = await client.get(
            f"/v1/businesses/{user['user']['businessId']}/bookings", params={"status": "completed"}, headers=headers
        )
    assert done.json()["meta"]["total"] >= 1


def test_options_refuse_a_pace_the_server_would_refuse() -> None:
    with pytest.raises(SystemExit):
        parse_options(["--speed", "20", "--tick", "1"])


def test_options_have_ranges() -> None:
    with pytest.raises(SystemExit):
        parse_options(["--walkers", "0"])
    assert parse_options(["--walkers", "3"]).owners == 1
