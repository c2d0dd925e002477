"""MongoDB backup and restore drive the database tools with exactly these command lines. There is no MongoDB
here: fake `mongodump` / `mongorestore` executables on PATH record what they were given, and the store port
the counts are read through is an embedded store."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.ops import mongo_backup
from app.ops.manifest import BackupError
from app.settings import Settings
from app.store.migrations import SCHEMA_VERSION
from app.store.schema import USERS
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store

URL = "mongodb://walky:s3cret@db1:27017,db2:27017/?replicaSet=rs0"
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
FAKE_TOOL = """#!{python}
import json, pathlib, sys
args = sys.argv[1:]
config = next(a.split("=", 1)[1] for a in args if a.startswith("--config="))
archive = next(a.split("=", 1)[1] for a in args if a.startswith("--archive="))
record = {{"argv": [pathlib.Path(sys.argv[0]).name, *args], "config": pathlib.Path(config).read_text(),
          "mode": oct(pathlib.Path(config).stat().st_mode & 0o777)}}
with open({log!r}, "a") as log:
    log.write(json.dumps(record) + "\\n")
if sys.argv[0].endswith("mongodump"):
    pathlib.Path(archive).write_bytes(b"gzipped archive")
sys.exit({status})
"""


def install_tools(folder: Path, log: Path, monkeypatch: pytest.MonkeyPatch, status: int = 0) -> None:
    folder.mkdir()
    for name in ("mongodump", "mongorestore"):
        tool = folder / name
        tool.write_text(FAKE_TOOL.format(python=sys.executable, log=str(log), status=status))
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def calls(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def left_behind(path: str) -> bool:
    return Path(path).exists()


@pytest.fixture
async def backend(settings: Settings) -> AsyncIterator[SqliteBackend]:
    sqlite = SqliteBackend(settings.sqlite_path)
    store = Store(sqlite)
    await store.setup()  # migrated: at this release's schema version
    await sqlite.collection(USERS).insert({"id": "u1", "email": "a@example.com"})
    yield sqlite
    await store.close()


async def test_backup_runs_mongodump_with_the_url_in_a_private_config(
    backend: SqliteBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.jsonl"
    install_tools(tmp_path / "bin", log, monkeypatch)
    manifest = await mongo_backup.backup(URL, "walky", backend, tmp_path / "b", now=NOW)
    [dump] = calls(log)
    archive = tmp_path / "b" / "mongo.archive.gz"
    config = dump["argv"][1].removeprefix("--config=")
    assert dump["argv"] == ["mongodump", f"--config={config}", "--db=walky", f"--archive={archive}", "--gzip"]
    assert dump["config"] == f'uri: "{URL}"\n'
    assert dump["mode"] == "0o600"
    assert not left_behind(config)
    assert (manifest.store, manifest.database, manifest.schema_version) == ("mongodb", "walky", SCHEMA_VERSION)
    assert manifest.counts[USERS] == 1
    assert list(manifest.files) == ["mongo.archive.gz"]


async def test_restore_runs_mongorestore_dropping_and_renaming_the_database(
    backend: SqliteBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.jsonl"
    install_tools(tmp_path / "bin", log, monkeypatch)
    await mongo_backup.backup(URL, "walky", backend, tmp_path / "b", now=NOW)
    manifest, restored = await mongo_backup.restore(URL, "walky", backend, tmp_path / "b")
    await mongo_backup.restore(URL, "walky_staging", backend, tmp_path / "b")
    _, same, renamed = calls(log)
    archive = tmp_path / "b" / "mongo.archive.gz"
    config = same["argv"][1]
    assert same["argv"] == ["mongorestore", config, "--nsInclude=walky.*", "--drop", f"--archive={archive}", "--gzip"]
    assert renamed["argv"][2:] == [
        "--nsInclude=walky.*",
        "--drop",
        "--nsFrom=walky.*",
        "--nsTo=walky_staging.*",
        f"--archive={archive}",
        "--gzip",
    ]
    assert same["config"] == f'uri: "{URL}"\n'
    assert restored == manifest.counts


async def test_a_failing_or_missing_tool_is_a_backup_error(
    backend: SqliteBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_tools(tmp_path / "bin", tmp_path / "calls.jsonl", monkeypatch, status=3)
    with pytest.raises(BackupError, match="mongodump failed with exit status 3"):
        await mongo_backup.backup(URL, "walky", backend, tmp_path / "b", now=NOW)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match="not installed"):
        await mongo_backup.backup(URL, "walky", backend, tmp_path / "c", now=NOW)


async def test_restore_refuses_an_embedded_backup_or_a_damaged_archive(
    backend: SqliteBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "calls.jsonl"
    install_tools(tmp_path / "bin", log, monkeypatch)
    manifest = await mongo_backup.backup(URL, "walky", backend, tmp_path / "b", now=NOW)
    (tmp_path / "b" / "mongo.archive.gz").write_bytes(b"tampered")
    with pytest.raises(BackupError, match="checksum"):
        await mongo_backup.restore(URL, "walky", backend, tmp_path / "b")
    manifest.model_copy(update={"store": "sqlite"}).write(tmp_path / "b")
    with pytest.raises(BackupError, match="sqlite backup"):
        await mongo_backup.restore(URL, "walky", backend, tmp_path / "b")
    assert len(calls(log)) == 1
