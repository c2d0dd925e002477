"""Media in an S3-compatible bucket through boto3 (imported only when configured).

Objects stay private; readers get short-lived presigned GET URLs. boto3 is synchronous, so every
call runs in a worker thread. Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID, ...).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.media.storage import CHUNK_BYTES, ObjectMissing, ObjectTooLarge, StorageError, StoredObject


class S3Storage:
    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None) -> None:
        self.bucket = bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            config=Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"}),
        )

    async def setup(self) -> None:
        try:
            await asyncio.to_thread(self._client.head_bucket, Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise RuntimeError(f"media bucket {self.bucket!r} cannot be reached: {exc}") from exc

    async def put(self, key: str, body: IO[bytes], *, content_type: str, max_bytes: int) -> StoredObject:
        start = body.tell()
        size = body.seek(0, os.SEEK_END) - start
        body.seek(start)
        if size > max_bytes:
            raise ObjectTooLarge(max_bytes)
        try:
            await asyncio.to_thread(
                self._client.upload_fileobj, body, self.bucket, key, ExtraArgs={"ContentType": content_type}
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"upload of {key!r} failed: {exc}") from exc
        return StoredObject(key=key, bytes=size)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            answer = await asyncio.to_thread(self._client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectMissing(key) from None
            raise StorageError(f"read of {key!r} failed: {exc}") from exc
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def url(self, key: str, *, expires_s: int) -> str | None:
        url: str = await asyncio.to_thread(
            self._client.generate_presigned_url,
            "get_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=expires_s,
        )
        return url

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(f"delete of {key!r} failed: {exc}") from exc

    async def keys_older_than(self, moment: datetime) -> AsyncIterator[str]:
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if token:
                kwargs["ContinuationToken"] = token
            page = await asyncio.to_thread(self._client.list_objects_v2, **kwargs)
            for item in page.get("Contents", []):
                if item["LastModified"] < moment:
                    yield item["Key"]
            token = page.get("NextContinuationToken")
            if not token:
                return

    async def aclose(self) -> None:
        await asyncio.to_thread(self._client.close)
