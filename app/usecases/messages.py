"""One's push devices and notification preferences."""

from __future__ import annotations

from typing import Protocol

from pydantic import ConfigDict, Field, field_validator

from app.auth.principal import Principal
from app.clock import Clock
from app.messages.devices import Device, Platform
from app.messages.outbox import ALLOWED_CHANNELS, Category, Channel
from app.messages.preferences import NotificationPreferences
from app.store.store import Store
from app.usecases.accounts.users import current_user
from app.usecases.inputs import Input, Output


class MessagePorts(Protocol):
    @property
    def store(self) -> Store: ...
    @property
    def clock(self) -> Clock: ...


# Expo tokens look like `ExponentPushToken[...]`; the bound keeps a stored id small.
MAX_TOKEN_LENGTH = 256


class DeviceInput(Input):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=8, max_length=MAX_TOKEN_LENGTH, pattern=r"^[\x21-\x7e]+$")
    platform: Platform


class DeviceView(Output):
    token: str
    platform: Platform

    @classmethod
    def of(cls, device: Device) -> DeviceView:
        return cls(token=device.id, platform=device.platform)


class PreferencesInput(Input):
    """Categories to change, each with the full list of channels it goes to (empty: none)."""

    model_config = ConfigDict(extra="forbid")

    channels: dict[Category, list[Channel]] = Field(max_length=len(Category))

    @field_validator("channels")
    @classmethod
    def _allowed(cls, value: dict[Category, list[Channel]]) -> dict[Category, list[Channel]]:
        for category, channels in value.items():
            if len(set(channels)) != len(channels):
                raise ValueError(f"{category.value}: a channel is listed twice")
            if not set(channels) <= ALLOWED_CHANNELS[category]:
                allowed = ", ".join(sorted(ALLOWED_CHANNELS[category]))
                raise ValueError(f"{category.value} goes only to: {allowed}")
        return value


class PreferencesView(Output):
    channels: dict[Category, list[Channel]]


async def register_device(ports: MessagePorts, principal: Principal, data: DeviceInput) -> DeviceView:
    await current_user(ports.store, principal)
    device = Device(id=data.token, user_id=principal.user_id, platform=data.platform, created_at=ports.clock.now())
    return DeviceView.of(await ports.store.devices.register(device))


async def list_devices(ports: MessagePorts, principal: Principal) -> list[DeviceView]:
    return [DeviceView.of(d) for d in await ports.store.devices.of_user(principal.user_id)]


async def remove_device(ports: MessagePorts, principal: Principal, token: str) -> bool:
    """Idempotent: a token already gone (or someone else's) is simply not there."""
    return await ports.store.devices.remove(principal.user_id, token)


async def get_preferences(ports: MessagePorts, principal: Principal) -> PreferencesView:
    preferences = await ports.store.preferences.get(principal.user_id)
    return PreferencesView(channels=preferences.effective())


async def put_preferences(ports: MessagePorts, principal: Principal, data: PreferencesInput) -> PreferencesView:
    await current_user(ports.store, principal)
    stored = await ports.store.preferences.get(principal.user_id)
    merged = NotificationPreferences(id=principal.user_id, channels={**stored.channels, **data.channels})
    await ports.store.preferences.put(merged)
    return PreferencesView(channels=merged.effective())
