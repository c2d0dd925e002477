"""The per-socket rate limit of what a socket may send (its size limits: realtime/limits.py)."""

from __future__ import annotations

import math
import time
from collections import deque

from limits import parse

from app.errors import RateLimited

# How often hits of sockets that went quiet (closed, mostly) are forgotten.
_PRUNE_EVERY_S = 60.0


class SocketRateLimiter:
    """A moving-window limit per socket, in process memory.

    A socket lives in exactly one process, so its limit needs no shared storage: counting here costs no
    Redis round trip per fix (the REST fallback's per-user limit stays in the shared `RateLimiter`).
    Same semantics as the `limits` moving window: at most `amount` hits in any window of `expiry`.
    """

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        # Rate text -> (amount, window in seconds), parsed once.
        self._limits: dict[str, tuple[int, float]] = {}
        self._next_prune = time.monotonic() + _PRUNE_EVERY_S

    def hit(self, rate: str, sid: str) -> None:
        """Count one hit; raise RateLimited (with the wait in seconds) when over the limit."""
        limit = self._limits.get(rate)
        if limit is None:
            item = parse(rate)
            limit = self._limits[rate] = (item.amount, float(item.get_expiry()))
        amount, window = limit
        now = time.monotonic()
        if now >= self._next_prune:
            self._prune(now - window)
            self._next_prune = now + _PRUNE_EVERY_S
        hits = self._hits.get(sid)
        if hits is None:
            hits = self._hits[sid] = deque()
        cutoff = now - window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= amount:
            raise RateLimited("too many requests", retry_after_s=math.ceil(hits[0] + window - now))
        hits.append(now)

    def _prune(self, cutoff: float) -> None:
        for sid in [sid for sid, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[sid]
