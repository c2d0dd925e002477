"""Backup and restore of the embedded store: the SQLite file and the media folder under WALKY_DATA_DIR.

The copy is taken with SQLite's online backup API in one step, which reads one consistent snapshot while
the server keeps writing (WAL mode: readers never block the writer). Restore checks the copy against the
manifest before it touches the data directory, refuses while a server holds the data directory's lock,
and sets the current store aside rather than deleting it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

from app.ops import data_lock
from app.ops.inventory import collection_counts, schema_version
from app.ops.manifest import BackupError, Manifest, sha256_of
from app.settings import Settings
from app.store.migrations import SCHEMA_VERSION
from app.store.sqlite.backend import SqliteBackend

SQLITE_FILE = "walky.sqlite3"
MEDIA_DIR = "media"
STAGING_SUFFIX = ".restoring"


def prepare_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder: back up into a new one")
    target.mkdir(parents=True, exist_ok=True)


def _online_copy(source: Path, copy: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(copy)) as dst:
        src.execute("PRAGMA busy_timeout=5000")
        # pages=-1: the whole database in one step, so the copy is one snapshot even under writes.
        src.backup(dst, pages=-1)


async def _inspect(path: Path) -> tuple[dict[str, int], int]:
    backend = SqliteBackend(path)
    await backend.setup()
    try:
        return await collection_counts(backend), await schema_version(backend)
    finally:
        await backend.close()


def _media_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def backup(settings: Settings, target: Path, now: datetime) -> Manifest:
    source = settings.sqlite_path
    if not source.is_file():
        raise BackupError(f"there is no store at {source} (WALKY_DATA_DIR) to back up")
    prepare_target(target)
    copy = target / SQLITE_FILE
    await asyncio.to_thread(_online_copy, source, copy)
    counts, version = await _inspect(copy)
    files = {SQLITE_FILE: sha256_of(copy)}
    media = settings.data_dir / MEDIA_DIR
    if media.is_dir():
        # Media files are written once under new names, so a copy taken after the database snapshot holds
        # every file the snapshot refers to.
        await asyncio.to_thread(shutil.copytree, media, target / MEDIA_DIR)
        for path in _media_files(target / MEDIA_DIR):
            files[path.relative_to(target).as_posix()] = sha256_of(path)
    manifest = Manifest(store="sqlite", created_at=now, schema_version=version, counts=counts, files=files)
    manifest.write(target)
    return manifest


def check_restorable(manifest: Manifest) -> None:
    if manifest.schema_version > SCHEMA_VERSION:
        raise BackupError(
            f"the backup is at schema version {manifest.schema_version}, this release knows up to "
            f"{SCHEMA_VERSION}: restore it with a newer release"
        )


def _set_aside(path: Path, stamp: str) -> None:
    if path.exists():
        path.rename(path.with_name(f"{path.name}.pre-restore-{stamp}"))


async def restore(settings: Settings, source: Path, now: datetime) -> Manifest:
    manifest = Manifest.read(source)
    if manifest.store != "sqlite":
        raise BackupError(f"{source} is a {manifest.store} backup; this server is configured for the embedded store")
    check_restorable(manifest)
    manifest.verify_files(source)
    data_dir = settings.data_dir
    with data_lock.exclusive(data_dir):
        staging = data_dir / (SQLITE_FILE + STAGING_SUFFIX)
        await asyncio.to_thread(shutil.copyfile, source / SQLITE_FILE, staging)
        counts, version = await _inspect(staging)
        # A backup from an older release may lack collections added since (set up empty here).
        listed = {name: counts[name] for name in manifest.counts if name in counts}
        unlisted = any(count for name, count in counts.items() if name not in manifest.counts)
        if unlisted or (listed, version) != (manifest.counts, manifest.schema_version):
            staging.unlink()
            raise BackupError("the copied store does not hold what the manifest lists: the backup is damaged")
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        live = settings.sqlite_path
        # The WAL and shared-memory files belong to the store being replaced: left in place, SQLite would
        # replay the old WAL into the restored file.
        for path in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
            _set_aside(path, stamp)
        os.replace(staging, live)
        if (source / MEDIA_DIR).is_dir():
            _set_aside(data_dir / MEDIA_DIR, stamp)
            await asyncio.to_thread(shutil.copytree, source / MEDIA_DIR, data_dir / MEDIA_DIR)
    return manifest
