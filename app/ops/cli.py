"""`python -m app backup PATH` and `python -m app restore PATH`, for whichever store the settings choose."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from app.composition import build_store_backend
from app.ops import embedded_backup, mongo_backup
from app.ops.manifest import BackupError, Manifest
from app.settings import Settings, describe_errors


async def _backup(settings: Settings, target: Path) -> Manifest:
    now = datetime.now(UTC)
    if not settings.mongodb_url:
        return await embedded_backup.backup(settings, target, now)
    backend = build_store_backend(settings)
    await backend.setup()
    try:
        return await mongo_backup.backup(settings.mongodb_url, settings.mongodb_database, backend, target, now=now)
    finally:
        await backend.close()


async def _restore(settings: Settings, source: Path) -> Manifest:
    if not settings.mongodb_url:
        return await embedded_backup.restore(settings, source, datetime.now(UTC))
    backend = build_store_backend(settings)
    await backend.setup()
    try:
        manifest, restored = await mongo_backup.restore(
            settings.mongodb_url, settings.mongodb_database, backend, source
        )
    finally:
        await backend.close()
    for name, count in sorted(manifest.counts.items()):
        if restored.get(name) != count:
            print(f"note: {name}: {restored.get(name)} documents restored, {count} at dump start", file=sys.stderr)
    return manifest


def main(command: str, argv: list[str]) -> int:
    """`command` is `backup` or `restore`."""
    parser = argparse.ArgumentParser(prog=f"python -m app {command}")
    if command == "backup":
        parser.description = "Copy the configured store (and media) into a new folder, with a manifest"
        parser.add_argument("path", type=Path, help="a new or empty folder")
    else:
        parser.description = "Replace the configured store with a backup (the embedded server must be stopped)"
        parser.add_argument("path", type=Path, help="a folder made by `python -m app backup`")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        # Reasons only: pydantic's own text would carry the refused values (secrets among them).
        reasons = "".join(f"\n  {line}" for line in describe_errors(exc))
        print(f"walky: invalid configuration:{reasons}", file=sys.stderr)
        return 2
    action = _backup if command == "backup" else _restore
    try:
        manifest = asyncio.run(action(settings, args.path))
    except BackupError as exc:
        print(f"walky: {exc}", file=sys.stderr)
        return 1
    total = sum(manifest.counts.values())
    verb = "backed up" if command == "backup" else "restored"
    print(
        f"{verb} {manifest.store} store at schema version {manifest.schema_version}, taken "
        f"{manifest.created_at.isoformat()}: {total} documents in {len(manifest.counts)} collections"
    )
    return 0
