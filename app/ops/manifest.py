"""A backup's manifest: what was copied, when, at which schema version, and how many documents per collection."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic.alias_generators import to_camel

MANIFEST_FILE = "manifest.json"
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Count = Annotated[int, Field(ge=0, lt=2**53)]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    format: Literal[1] = 1
    store: Literal["sqlite", "mongodb"]
    created_at: datetime
    schema_version: int = Field(ge=1, lt=2**31)
    database: str | None = None
    counts: dict[str, Count]
    # Relative path -> SHA-256 of every file restore reads (the SQLite copy or the Mongo archive, media).
    files: dict[str, Digest]

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_FILE).write_text(self.model_dump_json(by_alias=True, indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST_FILE
        try:
            return cls.model_validate_json(path.read_bytes())
        except FileNotFoundError as exc:
            raise BackupError(f"{path} is missing: not a Walky backup") from exc
        except ValidationError as exc:
            raise BackupError(f"{path} is not a valid manifest: {exc.error_count()} problem(s)") from exc

    def verify_files(self, folder: Path) -> None:
        """Every listed file is there with the recorded digest."""
        for name, digest in self.files.items():
            path = folder / name
            if not path.is_file():
                raise BackupError(f"{path} is listed in the manifest but missing")
            if sha256_of(path) != digest:
                raise BackupError(f"{path} does not match the manifest's checksum: the backup is damaged")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
