"""Backup and restore of MongoDB with the database tools: `mongodump` / `mongorestore --archive --gzip`.

The connection string (it may hold a password) goes to the tools in a `--config` file readable by the
owner only, never on the command line where `ps` would show it. `mongodump` without `--oplog` is not a
point-in-time copy of a database that keeps being written: the manifest's counts are read just before the
dump and restore reports the restored counts beside them instead of requiring equality.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from app.ops.embedded_backup import check_restorable, prepare_target
from app.ops.inventory import collection_counts, schema_version
from app.ops.manifest import BackupError, Manifest, sha256_of
from app.store.backend import StoreBackend

ARCHIVE_FILE = "mongo.archive.gz"
Runner = Callable[[list[str]], None]


def run_tool(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True)  # noqa: S603 (a fixed tool name and our own arguments)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (MongoDB Database Tools)") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed with exit status {exc.returncode}") from exc


@contextmanager
def uri_config(url: str) -> Iterator[Path]:
    """A tools config file holding the connection string; JSON strings are valid YAML scalars."""
    with tempfile.TemporaryDirectory(prefix="walky-mongo-") as folder:
        path = Path(folder) / "tools.yaml"
        path.touch(mode=0o600)
        path.write_text(f"uri: {json.dumps(url)}\n")
        yield path


def dump_command(config: Path, database: str, archive: Path) -> list[str]:
    return ["mongodump", f"--config={config}", f"--db={database}", f"--archive={archive}", "--gzip"]


def restore_command(config: Path, backed_up: str, database: str, archive: Path) -> list[str]:
    command = ["mongorestore", f"--config={config}", f"--nsInclude={backed_up}.*", "--drop"]
    if backed_up != database:
        command += [f"--nsFrom={backed_up}.*", f"--nsTo={database}.*"]
    return [*command, f"--archive={archive}", "--gzip"]


async def backup(
    url: str, database: str, backend: StoreBackend, target: Path, *, now: datetime, run: Runner = run_tool
) -> Manifest:
    prepare_target(target)
    counts, version = await collection_counts(backend), await schema_version(backend)
    archive = target / ARCHIVE_FILE
    with uri_config(url) as config:
        run(dump_command(config, database, archive))
    manifest = Manifest(
        store="mongodb",
        created_at=now,
        schema_version=version,
        database=database,
        counts=counts,
        files={ARCHIVE_FILE: sha256_of(archive)},
    )
    manifest.write(target)
    return manifest


async def restore(
    url: str, database: str, backend: StoreBackend, source: Path, *, run: Runner = run_tool
) -> tuple[Manifest, dict[str, int]]:
    """Restore into `database` (dropping what is there); the restored counts are returned for the report."""
    manifest = Manifest.read(source)
    if manifest.store != "mongodb" or manifest.database is None:
        raise BackupError(f"{source} is a {manifest.store} backup; this server is configured for MongoDB")
    check_restorable(manifest)
    manifest.verify_files(source)
    with uri_config(url) as config:
        run(restore_command(config, manifest.database, database, source / ARCHIVE_FILE))
    return manifest, await collection_counts(backend)
