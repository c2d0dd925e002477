"""Notifications: stored for a user, listed, marked read, and pushed live."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.domain.base import Entity, Timestamp


class Notification(Entity):
    user_id: str
    type: str
    title: str
    message: str
    data: dict[str, Any] = Field(default_factory=dict)
    read_at: Timestamp | None = None
    created_at: Timestamp
