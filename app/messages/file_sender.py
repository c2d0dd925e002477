"""Email written as `.eml` files under the data dir: the embedded default when no SMTP server is set."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from app.messages.email import compose
from app.messages.outbox import Channel, OutboxMessage


class FileEmailSender:
    channel = Channel.EMAIL

    def __init__(self, directory: Path, mail_from: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._mail_from = mail_from

    async def send(self, message: OutboxMessage) -> str:
        path = self.directory / f"{message.id}.eml"
        await asyncio.to_thread(self._write, path, compose(message, self._mail_from).as_bytes())
        return path.name

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        # Written aside and renamed, so a reader never sees half a message; a resend overwrites the same file.
        partial = path.with_suffix(".tmp")
        partial.write_bytes(content)
        os.replace(partial, path)

    async def aclose(self) -> None:
        return None
