"""Notification preferences: which channels each category of notification goes to. Pure."""

from __future__ import annotations

from app.domain.base import Entity
from app.messages.outbox import DEFAULT_CHANNELS, Category, Channel


class NotificationPreferences(Entity):
    """`id` is the user's id. Categories absent from `channels` use DEFAULT_CHANNELS."""

    channels: dict[Category, list[Channel]] = {}

    def channels_for(self, category: Category) -> tuple[Channel, ...]:
        chosen = self.channels.get(category)
        return DEFAULT_CHANNELS[category] if chosen is None else tuple(chosen)

    def effective(self) -> dict[Category, list[Channel]]:
        return {category: list(self.channels_for(category)) for category in Category}
