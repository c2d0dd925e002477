"""A backup taken while a real server keeps acknowledging writes restores into a working server holding every
write acknowledged before the backup began, and a consistent cut of the ones acknowledged during it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.app.ops.cli_process import run_cli
from tests.support.api import bearer, register
from tests.support.server_process import ServerProcess

WRITERS = 2
ACKED_BEFORE_BACKUP = 5
PAGE_SIZE = 100


def pet(n: int) -> dict[str, Any]:
    return {"name": f"Rex {n}", "species": "dog"}


async def pet_ids(client: httpx.AsyncClient, session: dict[str, Any]) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        response = await client.get("/v1/pets", headers=bearer(session), params={"page": page, "limit": PAGE_SIZE})
        assert response.status_code == 200, response.text
        ids |= {item["id"] for item in response.json()["data"]}
        if len(ids) >= response.json()["meta"]["total"]:
            return ids
        page += 1


async def test_backup_under_write_load_restores_every_acknowledged_write(tmp_path: Path) -> None:
    live = ServerProcess(tmp_path / "live")
    (tmp_path / "live" / "media").mkdir(parents=True)
    (tmp_path / "live" / "media" / "photo.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    target = tmp_path / "backup"
    live.start()
    try:
        async with httpx.AsyncClient(base_url=live.url, timeout=10) as client:
            owners = [await register(client, f"owner{i}@example.com") for i in range(WRITERS)]
            acked: list[list[str]] = [[] for _ in range(WRITERS)]
            stop = asyncio.Event()
            under_way = asyncio.Event()

            async def write(i: int) -> None:
                # One write at a time per owner, so what a consistent copy holds is a prefix of `acked[i]`.
                while not stop.is_set():
                    response = await client.post("/v1/pets", headers=bearer(owners[i]), json=pet(len(acked[i])))
                    assert response.status_code == 201, response.text
                    acked[i].append(response.json()["data"]["id"])
                    if min(map(len, acked)) >= ACKED_BEFORE_BACKUP:
                        under_way.set()

            writers = [asyncio.create_task(write(i)) for i in range(WRITERS)]
            waiting = asyncio.create_task(under_way.wait())
            await asyncio.wait([waiting, *writers], timeout=30, return_when=asyncio.FIRST_COMPLETED)
            assert under_way.is_set(), [w.exception() for w in writers if w.done()]
            before = [list(ids) for ids in acked]
            backed_up = await asyncio.to_thread(run_cli, "backup", target, env=live.env)
            during = sum(map(len, acked)) - sum(map(len, before))
            stop.set()
            await asyncio.gather(*writers)
        assert backed_up.returncode == 0, backed_up.stderr
        assert during > 0, "no write was acknowledged while the backup ran"
        refused = run_cli("restore", target, env=live.env)
        assert refused.returncode == 1
        assert "running" in refused.stderr
    finally:
        live.close()

    restored = ServerProcess(tmp_path / "restored")
    done = run_cli("restore", target, env=restored.env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "restored" / "media" / "photo.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"
    restored.start()
    try:
        async with httpx.AsyncClient(base_url=restored.url, timeout=10) as client:
            for i in range(WRITERS):
                found = await pet_ids(client, owners[i])
                assert set(before[i]) <= found
                assert found == set(acked[i][: len(found)])
    finally:
        restored.close()
