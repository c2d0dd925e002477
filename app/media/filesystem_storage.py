"""Media as files under one directory (the embedded default: WALKY_DATA_DIR/media).

Writes go to a temporary file in the same directory tree and are renamed into place, so a reader
never sees half an object. Every key is resolved and checked to stay under the root, the way
Starlette's StaticFiles guards its directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from app.media.storage import CHUNK_BYTES, ObjectMissing, ObjectTooLarge, StorageError, StoredObject

_TMP = ".tmp"
_WRITE_BYTES = 1024 * 1024


class FilesystemStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def setup(self) -> None:
        await asyncio.to_thread(self._make_dirs)

    def _make_dirs(self) -> None:
        (self.root / _TMP).mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise RuntimeError(f"media directory {self.root} is not writable")

    def _path(self, key: str) -> Path:
        directory = os.path.realpath(self.root)
        full_path = os.path.realpath(os.path.join(directory, key))
        if not key or key.startswith(_TMP) or os.path.commonpath([full_path, directory]) != directory:
            # A key that would break out of the media directory is refused, never followed.
            raise StorageError(f"invalid key {key!r}")
        return Path(full_path)

    async def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> StoredObject:
        target = self._path(key)
        size = await asyncio.to_thread(self._write, body, target, max_bytes)
        return StoredObject(key=key, bytes=size)

    def _write(self, body: IO[bytes], target: Path, max_bytes: int) -> int:
        """Copy, fsync and rename into place in one worker thread; on any failure the temporary file goes."""
        handle = tempfile.NamedTemporaryFile(dir=self.root / _TMP, delete=False)  # noqa: SIM115 (renamed or discarded)
        try:
            size = 0
            while chunk := body.read(_WRITE_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise ObjectTooLarge(max_bytes)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(handle.name, target)
        except BaseException:
            handle.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(handle.name)
            raise
        return size

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise ObjectMissing(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def url(self, key: str, *, expires_s: int) -> str | None:
        return None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(path.unlink)

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        keys = await asyncio.to_thread(lambda: list(self._walk(moment.timestamp())))
        for key in keys:
            yield key

    def _walk(self, before: float) -> Iterator[str]:
        for directory, subdirs, files in os.walk(self.root):
            if Path(directory) == self.root:
                # Temporary files belong to writes under way (or are removed by them).
                subdirs[:] = [name for name in subdirs if name != _TMP]
            for name in files:
                path = Path(directory) / name
                with contextlib.suppress(FileNotFoundError):
                    if path.stat().st_mtime < before:
                        yield path.relative_to(self.root).as_posix()

    async def aclose(self) -> None:
        return None
