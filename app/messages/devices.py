"""Push devices: Expo push tokens registered per user. Pure."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from app.domain.base import Entity, Timestamp


class Platform(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


class Device(Entity):
    """`id` is the push token itself: one token belongs to one app install, hence to one user at a time."""

    user_id: str
    platform: Platform
    created_at: Timestamp


class DeviceBook(Protocol):
    """What the push sender needs of the device repository."""

    async def tokens_of(self, user_id: str) -> list[str]: ...

    async def forget(self, token: str) -> None: ...
