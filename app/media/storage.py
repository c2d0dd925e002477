"""The storage port: where media bytes live (a directory, an S3 bucket, memory).

Errors adapters raise:
* StorageError
  + ObjectTooLarge    put() read more than max_bytes; nothing was kept
  + ObjectMissing     open() of a key that is not stored
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol

CHUNK_BYTES = 64 * 1024


class StorageError(Exception):
    """A storage adapter failed."""


class ObjectTooLarge(StorageError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"object exceeds {max_bytes} bytes")
        self.max_bytes = max_bytes


class ObjectMissing(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no object {key!r}")
        self.key = key


@dataclass(frozen=True)
class StoredObject:
    key: str
    bytes: int


class MediaStorage(Protocol):
    async def setup(self) -> None:
        """Check the configuration (directory, bucket) at startup, never on the first request."""

    async def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> StoredObject:
        """Store the local file `body`, from where it stands to its end, under `key`, atomically:
        readers see the whole object or none. Adapters read it in pieces in one worker-thread hop
        (a hop per chunk cost the event loop more than the write itself).

        Raises ObjectTooLarge, keeping nothing, when it holds more than `max_bytes`.
        """

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises ObjectMissing before the first one."""

    async def url(self, key: str, *, expires_s: int) -> str | None:
        """A presigned URL (S3), or None: the app streams it from /v1/media."""

    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        """Keys of objects stored before `moment` (the cleanup job's candidates)."""

    async def aclose(self) -> None: ...
