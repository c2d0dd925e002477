"""One contract for every MediaStorage adapter: memory, filesystem, and S3 on a real (moto) server."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from app.media.filesystem_storage import FilesystemStorage
from app.media.memory_storage import MemoryStorage
from app.media.s3_storage import S3Storage
from app.media.storage import MediaStorage, ObjectMissing, ObjectTooLarge, StorageError

KEY = "ab/cd/abcdef.jpg"


@pytest.fixture(params=["memory", "filesystem", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MediaStorage]:
    adapter: MediaStorage
    if request.param == "memory":
        adapter = MemoryStorage()
    elif request.param == "filesystem":
        adapter = FilesystemStorage(tmp_path / "media")
    else:
        bucket = request.getfixturevalue("s3_bucket")
        adapter = S3Storage(bucket, endpoint_url=request.getfixturevalue("s3_endpoint"))
    await adapter.setup()
    yield adapter
    await adapter.aclose()


async def read(storage: MediaStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])


async def keys(storage: MediaStorage, moment: datetime) -> list[str]:
    return [key async for key in storage.keys_older_than(moment)]


async def test_put_then_open_gives_the_bytes_back(storage: MediaStorage) -> None:
    data = bytes(range(256)) * 10_000
    stored = await storage.put(KEY, io.BytesIO(data), content_type="image/jpeg", max_bytes=len(data))
    assert stored.bytes == len(data)
    assert await read(storage, KEY) == data


async def test_put_stores_the_file_from_where_it_stands(storage: MediaStorage) -> None:
    body = io.BytesIO(b"header-already-read" + b"photo")
    body.seek(len(b"header-already-read"))
    stored = await storage.put(KEY, body, content_type="image/jpeg", max_bytes=5)
    assert stored.bytes == 5
    assert await read(storage, KEY) == b"photo"


async def test_an_object_over_the_bound_is_refused_and_nothing_is_kept(storage: MediaStorage) -> None:
    with pytest.raises(ObjectTooLarge):
        await storage.put(KEY, io.BytesIO(b"x" * 10_000), content_type="image/jpeg", max_bytes=9_999)
    assert await keys(storage, datetime.now(UTC) + timedelta(days=1)) == []
    with pytest.raises(ObjectMissing):
        await read(storage, KEY)


async def test_delete_removes_and_tolerates_a_missing_key(storage: MediaStorage) -> None:
    await storage.put(KEY, io.BytesIO(b"photo"), content_type="image/jpeg", max_bytes=100)
    await storage.delete(KEY)
    await storage.delete(KEY)
    with pytest.raises(ObjectMissing):
        await read(storage, KEY)


async def test_keys_older_than_lists_only_older_objects(storage: MediaStorage) -> None:
    await storage.put(KEY, io.BytesIO(b"photo"), content_type="image/jpeg", max_bytes=100)
    assert await keys(storage, datetime.now(UTC) + timedelta(minutes=5)) == [KEY]
    assert await keys(storage, datetime.now(UTC) - timedelta(minutes=5)) == []


async def test_a_presigned_url_or_none(storage: MediaStorage) -> None:
    await storage.put(KEY, io.BytesIO(b"photo-bytes"), content_type="image/jpeg", max_bytes=100)
    url = await storage.url(KEY, expires_s=60)
    if isinstance(storage, S3Storage):
        assert url is not None and "Signature=" in url
        async with httpx.AsyncClient() as client:
            answer = await client.get(url)
        assert answer.status_code == 200
        assert answer.content == b"photo-bytes"
        assert answer.headers["content-type"] == "image/jpeg"
    else:
        assert url is None


async def test_filesystem_keys_cannot_leave_the_media_directory(tmp_path: Path) -> None:
    storage = FilesystemStorage(tmp_path / "media")
    await storage.setup()
    (tmp_path / "secret.txt").write_text("not yours")
    for key in ("../secret.txt", "/etc/passwd", "ab/../../secret.txt", ".tmp/x"):
        with pytest.raises(StorageError):
            await read(storage, key)
        with pytest.raises(StorageError):
            await storage.put(key, io.BytesIO(b"x"), content_type="image/jpeg", max_bytes=10)
    assert (tmp_path / "secret.txt").read_text() == "not yours"


async def test_filesystem_writes_are_atomic_a_failed_put_leaves_no_file(tmp_path: Path) -> None:
    storage = FilesystemStorage(tmp_path / "media")
    await storage.setup()

    class Broken(io.BytesIO):
        """Half a photo, then the disk it came from fails."""

        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("read error")
            return super().read(12)

    with pytest.raises(OSError, match="read error"):
        await storage.put(KEY, Broken(b"half a photo and the rest"), content_type="image/jpeg", max_bytes=100)
    assert [path for path in (tmp_path / "media").rglob("*") if path.is_file()] == []


async def test_s3_setup_refuses_a_missing_bucket(s3_bucket: str, s3_endpoint: str) -> None:
    storage = S3Storage(f"{s3_bucket}-absent", endpoint_url=s3_endpoint)
    with pytest.raises(RuntimeError, match="cannot be reached"):
        await storage.setup()
    await storage.aclose()
