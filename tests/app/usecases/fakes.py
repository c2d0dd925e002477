"""Stand-ins for the ports whose real adapters run tasks of their own."""

from __future__ import annotations


class Relay:
    """The outbox relay as use cases see it (app/usecases/deliveries.py: OutboxWake); counts wake-ups."""

    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1
