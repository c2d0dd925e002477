"""Coalesce concurrent Redis operations into shared pipeline round trips.

Each operation queues the commands it needs and waits. Everything queued while no pipeline is in flight
goes out as one pipeline at the end of the current turn of the event loop; while one is in flight, new
operations queue up and leave together as soon as its last reply arrives. Under load the number of round
trips therefore grows much slower than the number of operations (one per in-flight window instead of one
per fix), without adding any delay when the server is idle: a lone operation is sent in the same turn.

This is the location hot path, so the pipeline runs on a connection of its own, driven as an asyncio
protocol: commands arrive packed (app/live/resp.py), replies are parsed by hiredis as bytes come in and
the next pipeline is written in that same turn of the loop. A round trip through redis-py's pipeline (pool
checkout, per-argument packing, stream reader, a flusher task) cost about twice the CPU on this machine
(scripts/bench/bench_ingest.py). Connection settings (host or socket path, credentials, database, TLS)
are those of the redis-py client the coalescer is given; for TLS that means redis-py's own SSL context, built
from the same `ssl_*` settings (a `rediss://` URL's query or the client's arguments: private CA, client
certificate, verification mode, host name check, minimum version, ciphers).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import hiredis
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import RedisSSLContext, SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.live import resp

# One pipeline carries at most this many operations, so a burst cannot build an unbounded request.
MAX_OPS_PER_PIPELINE = 1000
# How long a pipeline may go unanswered when the Redis URL sets no socket timeout.
DEFAULT_REPLY_TIMEOUT_S = 10.0

Stage = Callable[[], tuple[bytes, int]]
"""Called when the operation's pipeline is built: its packed commands and how many there are. Called
late on purpose, so an operation can keep gathering work (a batch of fixes) until its pipeline leaves."""


@dataclass(slots=True)
class _Op:
    stage: Stage
    done: asyncio.Future[list[Any]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    count: int = 0


def _tls_of(pool: ConnectionPool) -> RedisSSLContext | None:
    """The TLS settings redis-py's own connections from `pool` use (None when they do not use TLS).

    Taken from a connection object made the way the pool makes its own (nothing is opened), so the `ssl_*`
    connection kwargs, their defaults (certificate required, host name checked) and the SSL context built
    from them are redis-py's, whatever version is installed. RedisSSLContext builds the context on first use
    and keeps it: CA files are read once, not on every reconnect."""
    if not issubclass(pool.connection_class, SSLConnection):
        return None
    return pool.connection_class(**pool.connection_kwargs).ssl_context


def _reply_error(message: str) -> ResponseError:
    # What redis-py would raise, so callers can tell a flushed script cache from other errors.
    if message.startswith("NOSCRIPT"):
        return NoScriptError(message)
    return ResponseError(message)


class _Pipe(asyncio.Protocol):
    """One connection: writes pipelines, parses replies, hands each pipeline's replies back in order."""

    def __init__(self, on_replies: Callable[[list[Any]], None], on_lost: Callable[[Exception], None]) -> None:
        self._reader = hiredis.Reader(replyError=ResponseError)
        self._transport: asyncio.WriteTransport | None = None
        self.on_replies = on_replies
        self.on_lost = on_lost
        self._expected = 0
        self._replies: list[Any] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not subclass asyncio.Transport, hence no isinstance check).
        self._transport = cast(asyncio.WriteTransport, transport)

    def send(self, packed: bytes, expected: int) -> None:
        assert self._transport is not None
        self._expected = expected
        self._replies = []
        self._transport.write(packed)

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while True:
            reply = self._reader.gets()
            if reply is False:
                return
            if isinstance(reply, ResponseError):
                reply = _reply_error(str(reply))
            self._replies.append(reply)
            if len(self._replies) == self._expected:
                replies, self._replies, self._expected = self._replies, [], 0
                self.on_replies(replies)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self.on_lost(RedisConnectionError(f"connection to Redis lost: {exc or 'closed by the server'}"))

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def abort(self, error: Exception) -> None:
        """Give up on the connection: the coalescer hears `error` now, not a later "connection lost"."""
        on_lost, self.on_lost = self.on_lost, lambda _: None
        self.close()
        on_lost(error)


class PipelineCoalescer:
    def __init__(self, redis: Redis) -> None:
        pool = redis.connection_pool
        self._settings = dict(pool.connection_kwargs)
        self._tls = _tls_of(pool)
        self._pipe: _Pipe | None = None
        self._connecting: asyncio.Task[None] | None = None
        self._queue: deque[_Op] = deque()
        self._in_flight: list[_Op] = []
        self._send_scheduled = False
        # A pipeline not answered within this long means a stuck server or network: the operations fail
        # (UNAVAILABLE to clients) and the next ones go out on a new connection.
        self._reply_timeout_s = float(self._settings.get("socket_timeout") or DEFAULT_REPLY_TIMEOUT_S)
        self._deadline: asyncio.TimerHandle | None = None
        # Counted for tests and metrics: how many pipelines went out.
        self.round_trips = 0

    def submit(self, stage: Stage) -> asyncio.Future[list[Any]]:
        """Queue one operation; the future gets the replies to its commands, in order (error replies as
        exceptions in the list, so one failing command does not fail the operations it shares a pipeline
        with). Several callers may wait on one future."""
        op = _Op(stage)
        self._queue.append(op)
        if not self._in_flight:
            self._send_soon()
        return op.done

    async def run(self, stage: Stage) -> list[Any]:
        return await self.submit(stage)

    def _send_soon(self) -> None:
        # At the end of this turn of the event loop rather than now: the other sockets whose packets
        # arrived in the same turn join the same pipeline (and the same FIXES call) instead of waiting a
        # whole round trip for the next one.
        if not self._send_scheduled:
            self._send_scheduled = True
            asyncio.get_running_loop().call_soon(self._send_queued)

    def _send_queued(self) -> None:
        self._send_scheduled = False
        if self._in_flight:
            return
        if self._pipe is None:
            if self._connecting is None or self._connecting.done():
                self._connecting = asyncio.create_task(self._connect())
            return
        batch = [self._queue.popleft() for _ in range(min(len(self._queue), MAX_OPS_PER_PIPELINE))]
        if not batch:
            return
        parts = []
        total = 0
        staged = []
        for op in batch:
            try:
                packed, op.count = op.stage()
            except Exception as exc:
                op.done.set_exception(exc)
                continue
            parts.append(packed)
            total += op.count
            staged.append(op)
        if not staged:
            self._send_queued()
            return
        self._in_flight = staged
        self.round_trips += 1
        self._pipe.send(b"".join(parts), total)
        self._deadline = asyncio.get_running_loop().call_later(
            self._reply_timeout_s, self._stalled, self._pipe, self.round_trips
        )

    def _stalled(self, pipe: _Pipe, trip: int) -> None:
        if self._pipe is pipe and self._in_flight and self.round_trips == trip:
            pipe.abort(RedisTimeoutError(f"Redis did not answer within {self._reply_timeout_s:g} s"))

    def _replies(self, replies: list[Any]) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        batch, self._in_flight = self._in_flight, []
        start = 0
        for op in batch:
            if not op.done.done():
                op.done.set_result(replies[start : start + op.count])
            start += op.count
        if self._queue:
            self._send_soon()

    def _lost(self, error: Exception) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._pipe = None
        batch, self._in_flight = self._in_flight, []
        for op in batch:
            if not op.done.done():
                op.done.set_exception(error)
        # Whatever was waiting goes out on a new connection.
        if self._queue:
            self._send_soon()

    async def _connect(self) -> None:
        try:
            pipe = await self._open()
        except Exception as exc:
            error = exc if isinstance(exc, RedisConnectionError) else RedisConnectionError(f"Redis unreachable: {exc}")
            queued, self._queue = self._queue, deque()
            for op in queued:
                if not op.done.done():
                    op.done.set_exception(error)
            return
        self._pipe = pipe
        self._send_queued()

    async def _open(self) -> _Pipe:
        loop = asyncio.get_running_loop()
        settings = self._settings
        timeout = settings.get("socket_connect_timeout") or 10.0
        handshake: asyncio.Future[list[Any]] = loop.create_future()

        def first_replies(replies: list[Any]) -> None:
            if not handshake.done():
                handshake.set_result(replies)

        def lost_early(error: Exception) -> None:
            if not handshake.done():
                handshake.set_exception(error)

        pipe = _Pipe(first_replies, lost_early)
        async with asyncio.timeout(timeout):
            if settings.get("path"):
                await loop.create_unix_connection(lambda: pipe, settings["path"])
            else:
                await loop.create_connection(
                    lambda: pipe,
                    settings.get("host", "localhost"),
                    settings.get("port", 6379),
                    ssl=self._tls.get() if self._tls is not None else None,
                )
            # Credentials and database, checked before any operation goes out.
            commands = [resp.command("PING")]
            if settings.get("password"):
                username = settings.get("username")
                auth = ("AUTH", username, settings["password"]) if username else ("AUTH", settings["password"])
                commands.insert(0, resp.command(*auth))
            if settings.get("db"):
                commands.insert(-1, resp.command("SELECT", settings["db"]))
            pipe.send(b"".join(commands), len(commands))
            replies = await handshake
        for reply in replies:
            if isinstance(reply, Exception):
                pipe.close()
                raise RedisConnectionError(f"Redis refused the connection: {reply}")
        pipe.on_replies = self._replies
        pipe.on_lost = self._lost
        return pipe

    async def close(self) -> None:
        """Let queued operations finish, then close the connection."""
        pending = [op.done for op in (*self._in_flight, *self._queue)]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        if self._connecting is not None:
            await asyncio.gather(self._connecting, return_exceptions=True)
        if self._pipe is not None:
            pipe, self._pipe = self._pipe, None
            pipe.on_lost = lambda error: None
            pipe.close()
