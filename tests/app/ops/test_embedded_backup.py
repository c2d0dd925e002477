"""Embedded backup and restore in-process: what restore checks before it touches the data directory."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.ops import data_lock, embedded_backup
from app.ops.manifest import BackupError, Manifest
from app.service import create_app
from app.settings import Settings
from app.store.migrations import SCHEMA_VERSION
from app.store.schema import PETS, REVIEWS, USERS
from tests.support.api import bearer, register
from tests.support.asgi import http_client, lifespan

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


async def seeded(settings: Settings, pets: int) -> None:
    app = create_app(settings)
    async with lifespan(app), http_client(app) as client:
        owner = await register(client, "seed@example.com")
        for n in range(pets):
            body = {"name": f"Pet {n}", "species": "cat"}
            assert (await client.post("/v1/pets", headers=bearer(owner), json=body)).status_code == 201


def elsewhere(settings: Settings, name: str) -> Settings:
    return settings.model_copy(update={"data_dir": settings.data_dir.parent / name})


async def test_the_manifest_lists_counts_schema_version_and_checksums(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=3)
    manifest = await embedded_backup.backup(settings, tmp_path / "b", NOW)
    assert manifest.counts[PETS] == 3 and manifest.counts[USERS] == 1
    assert manifest.schema_version == SCHEMA_VERSION
    assert Manifest.read(tmp_path / "b") == manifest
    written = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(written) == {"format", "store", "createdAt", "schemaVersion", "database", "counts", "files"}
    assert list(manifest.files) == ["walky.sqlite3"]


async def test_restore_sets_the_replaced_store_aside(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=2)
    await embedded_backup.backup(settings, tmp_path / "b", NOW)
    other = elsewhere(settings, "other")
    await seeded(other, pets=5)
    (other.data_dir / "walky.sqlite3-wal").write_bytes(b"a stale write-ahead log")
    await embedded_backup.restore(other, tmp_path / "b", NOW)
    assert (other.data_dir / "walky.sqlite3.pre-restore-20261130T080000Z").is_file()
    assert (other.data_dir / "walky.sqlite3-wal.pre-restore-20261130T080000Z").is_file()
    assert not (other.data_dir / "walky.sqlite3-wal").exists()
    copy = await embedded_backup.backup(other, tmp_path / "again", NOW)
    assert copy.counts[PETS] == 2


async def test_backup_needs_a_new_folder_and_a_store(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no store"):
        await embedded_backup.backup(settings, tmp_path / "b", NOW)
    await seeded(settings, pets=0)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BackupError, match="not an empty folder"):
        await embedded_backup.backup(settings, tmp_path / "full", NOW)


async def test_restore_refuses_a_damaged_backup(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=1)
    await embedded_backup.backup(settings, tmp_path / "b", NOW)
    with (tmp_path / "b" / "walky.sqlite3").open("ab") as copy:
        copy.write(b"\0")
    target = elsewhere(settings, "target")
    with pytest.raises(BackupError, match="checksum"):
        await embedded_backup.restore(target, tmp_path / "b", NOW)
    assert not target.sqlite_path.exists()


async def test_restore_refuses_counts_that_do_not_match(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=1)
    manifest = await embedded_backup.backup(settings, tmp_path / "b", NOW)
    manifest.model_copy(update={"counts": {**manifest.counts, PETS: 9}}).write(tmp_path / "b")
    target = elsewhere(settings, "target")
    with pytest.raises(BackupError, match="damaged"):
        await embedded_backup.restore(target, tmp_path / "b", NOW)
    assert not target.sqlite_path.exists()
    assert not list(target.data_dir.glob("*.restoring"))


async def test_restore_refuses_a_newer_schema_or_another_store(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=0)
    manifest = await embedded_backup.backup(settings, tmp_path / "b", NOW)
    target = elsewhere(settings, "target")
    manifest.model_copy(update={"schema_version": SCHEMA_VERSION + 1}).write(tmp_path / "b")
    with pytest.raises(BackupError, match="newer release"):
        await embedded_backup.restore(target, tmp_path / "b", NOW)
    manifest.model_copy(update={"store": "mongodb"}).write(tmp_path / "b")
    with pytest.raises(BackupError, match="mongodb backup"):
        await embedded_backup.restore(target, tmp_path / "b", NOW)


async def test_restore_refuses_what_is_not_a_backup(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="missing"):
        await embedded_backup.restore(settings, tmp_path, NOW)
    (tmp_path / "manifest.json").write_text('{"format": 1, "store": "sqlite", "surprise": true}')
    with pytest.raises(BackupError, match="not a valid manifest"):
        await embedded_backup.restore(settings, tmp_path, NOW)


async def test_restore_refuses_while_a_server_holds_the_data_directory(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=0)
    await embedded_backup.backup(settings, tmp_path / "b", NOW)
    serving = data_lock.hold_for_serving(settings.data_dir)
    try:
        with pytest.raises(BackupError, match="stop it before restoring"):
            await embedded_backup.restore(settings, tmp_path / "b", NOW)
    finally:
        os.close(serving)
    await embedded_backup.restore(settings, tmp_path / "b", NOW)


def test_a_server_does_not_start_during_a_restore(tmp_path: Path) -> None:
    with data_lock.exclusive(tmp_path), pytest.raises(BackupError, match="in progress"):
        data_lock.hold_for_serving(tmp_path)


async def test_a_backup_from_before_a_new_collection_restores(settings: Settings, tmp_path: Path) -> None:
    await seeded(settings, pets=1)
    manifest = await embedded_backup.backup(settings, tmp_path / "b", NOW)
    # As an older release would have written it: without a collection this release added (empty here).
    older = {name: count for name, count in manifest.counts.items() if name != REVIEWS}
    manifest.model_copy(update={"counts": older}).write(tmp_path / "b")
    restored = await embedded_backup.restore(elsewhere(settings, "target"), tmp_path / "b", NOW)
    assert restored.counts[PETS] == 1
