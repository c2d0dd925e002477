"""One recorder of emitted events for tests: an `app.events.EventPublisher` that keeps what it is given."""

from __future__ import annotations

from typing import Any, NamedTuple

from app.events import EventPublisher


class Emitted(NamedTuple):
    event: str
    data: dict[str, Any]
    room: str


class EventRecorder:
    """Keeps every emitted event, in order, and passes it on to `inner` when there is one (the app's publisher,
    so sockets still get it)."""

    def __init__(self, inner: EventPublisher | None = None) -> None:
        self.inner = inner
        self.sent: list[Emitted] = []

    async def emit(self, event: str, data: dict[str, Any], *, room: str) -> None:
        self.sent.append(Emitted(event, data, room))
        if self.inner is not None:
            await self.inner.emit(event, data, room=room)

    def of(self, event: str, *, room: str | None = None) -> list[dict[str, Any]]:
        """The data of every `event` emitted (to `room` only, when given)."""
        return [sent.data for sent in self.sent if sent.event == event and (room is None or sent.room == room)]

    def rooms(self, event: str) -> list[str]:
        """The room of every `event` emitted, in order."""
        return [sent.room for sent in self.sent if sent.event == event]

    def last(self, event: str, *, room: str | None = None) -> dict[str, Any]:
        """The data of the latest `event` emitted (to `room`, when given); fails the test when there is none."""
        found = self.of(event, room=room)
        assert found, f"no {event} was emitted" + ("" if room is None else f" to {room}")
        return found[-1]

    def events(self) -> list[str]:
        """The name of everything emitted, in order."""
        return [sent.event for sent in self.sent]
