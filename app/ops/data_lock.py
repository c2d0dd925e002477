"""The embedded store's lock file: a serving process holds it shared, a restore needs it exclusively.

`fcntl.flock` locks belong to the open file and vanish with the process, so a `kill -9`ed server leaves
no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.ops.manifest import BackupError

LOCK_FILE = "walky.lock"


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)


def hold_for_serving(data_dir: Path) -> int:
    """Take the lock shared for the life of the process; the descriptor is returned to be kept open."""
    fd = _open(data_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise BackupError(f"a restore into {data_dir} is in progress; start the server when it has finished") from exc
    return fd


@contextmanager
def exclusive(data_dir: Path) -> Iterator[None]:
    """Held while a restore replaces the store; refused while any server holds the lock."""
    fd = _open(data_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BackupError(
                f"a Walky server is running on {data_dir} ({LOCK_FILE} is held): stop it before restoring"
            ) from exc
        yield
    finally:
        os.close(fd)
