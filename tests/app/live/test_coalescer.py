"""Concurrent Redis writes share pipeline round trips."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import hiredis
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.auth.principal import Principal
from app.composition import build_services
from app.domain.fixes import LiveFix
from app.domain.users import Role
from app.live import resp
from app.live.coalescer import PipelineCoalescer
from app.live.redis_live_index import RedisLiveIndex
from app.settings import Settings
from app.usecases.live.fix_inputs import FixInput
from app.usecases.live.ingestion import ingest
from geo.coordinates import LngLat
from tests.support.redis_server import redis_process

NOW = 1_800_000_000_000


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_concurrent_fixes_share_round_trips(redis: Redis) -> None:
    index = RedisLiveIndex(redis, "t:")
    # Load the script first so the count below is about fixes only.
    await index.record_fix("warmup", None, LiveFix(LngLat(0, 0), NOW, None), NOW)
    before = index.coalescer.round_trips
    n = 300
    outcomes = await asyncio.gather(
        *(index.record_fix(f"w{i}", "b1", LiveFix(LngLat(i / 1000, 0), NOW, 5.0), NOW) for i in range(n))
    )
    trips = index.coalescer.round_trips - before
    assert all(outcome.stored for outcome in outcomes)
    # The first fix goes alone; everything queued while it was in flight goes in the next pipeline.
    assert trips <= 3, trips
    for i in (0, 150, 299):
        state = await index.worker(f"w{i}")
        assert state is not None and state.last_fix == LiveFix(LngLat(i / 1000, 0), NOW, 5.0)


async def test_sequential_operations_each_go_at_once(redis: Redis) -> None:
    coalescer = PipelineCoalescer(redis)

    def ping() -> tuple[bytes, int]:
        return resp.command("PING"), 1

    for _ in range(3):
        assert await asyncio.wait_for(coalescer.run(ping), 1) == [b"PONG"]
    assert coalescer.round_trips == 3


async def test_a_failing_command_fails_only_its_own_operation(redis: Redis) -> None:
    await redis.set("t:string", "x")
    coalescer = PipelineCoalescer(redis)

    def good() -> tuple[bytes, int]:
        return resp.command("INCR", "t:counter") + resp.command("INCR", "t:counter"), 2

    def bad() -> tuple[bytes, int]:
        return resp.command("HGET", "t:string", "field"), 1

    first, second, third = await asyncio.gather(coalescer.run(good), coalescer.run(bad), coalescer.run(good))
    assert first == [1, 2]
    assert isinstance(second[0], ResponseError)
    assert third == [3, 4]


async def test_connection_failure_reaches_every_waiting_operation() -> None:
    dead = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    coalescer = PipelineCoalescer(dead)

    def ping() -> tuple[bytes, int]:
        return resp.command("PING"), 1

    results = await asyncio.gather(*(coalescer.run(ping) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(result, RedisConnectionError) for result in results), results
    await dead.aclose()


async def test_script_cache_loss_is_recovered(redis: Redis) -> None:
    index = RedisLiveIndex(redis, "t:")
    await index.record_fix("w1", None, LiveFix(LngLat(0, 0), NOW, None), NOW)
    await redis.script_flush()
    outcome = await index.record_fix("w1", None, LiveFix(LngLat(0, 0.001), NOW + 1000, None), NOW + 1000)
    assert outcome.stored


async def test_the_ingestion_hot_path_coalesces_across_workers(tmp_path: Path, redis_url: str) -> None:
    services = build_services(Settings(data_dir=tmp_path, redis_url=redis_url, _env_file=None))
    await services.start()
    try:
        index = services.live_index
        assert isinstance(index, RedisLiveIndex)
        ts = int(time.time() * 1000)
        warmup = Principal("u", Role.WORKER, "b1", "warmup")
        await ingest(services, warmup, [FixInput(coordinates=LngLat(0, 0), timestamp=ts)])
        before = index.coalescer.round_trips
        n = 200
        results = await asyncio.gather(
            *(
                ingest(
                    services,
                    Principal(f"u{i}", Role.WORKER, "b1", f"w{i}"),
                    [FixInput(coordinates=LngLat(i / 1000, 0), timestamp=ts)],
                )
                for i in range(n)
            )
        )
        assert sum(results) == n
        # One read and one write per fix, 2n commands, in a handful of pipelines.
        trips = index.coalescer.round_trips - before
        assert trips <= 6, trips
    finally:
        await services.close()


def test_packed_arguments_match_redis_py() -> None:
    from redis.connection import Connection

    args = ("HSET", "t:w:é", "lng", "2.35", "n", "12")
    assert resp.command(*args) == b"".join(Connection().pack_command(*args))  # type: ignore[no-untyped-call]
    assert resp.bulks("w1", "2.35", "") == resp.bulk("w1") + resp.bulk("2.35") + resp.bulk("")
    assert resp.bulks("é", "1") == resp.bulk("é") + resp.bulk("1")


async def test_a_connection_the_server_dropped_is_replaced(redis: Redis) -> None:
    coalescer = PipelineCoalescer(redis)
    ping = resp.command("PING")
    assert await coalescer.run(lambda: (ping, 1)) == [b"PONG"]
    await redis.client_kill_filter(_type="normal", skipme=True)
    await asyncio.sleep(0.05)
    assert await asyncio.wait_for(coalescer.run(lambda: (ping, 1)), 2) == [b"PONG"]
    await coalescer.close()


async def test_the_clients_database_is_selected(redis_url: str) -> None:
    client = Redis.from_url(redis_url.rsplit("/", 1)[0] + "/5")
    coalescer = PipelineCoalescer(client)
    await coalescer.run(lambda: (resp.command("SET", "t:db-check", "here"), 1))
    assert await client.get("t:db-check") == b"here"
    assert await Redis.from_url(redis_url).get("t:db-check") is None
    await client.delete("t:db-check")
    await coalescer.close()
    await client.aclose()


async def test_a_wrong_password_is_a_connection_error(redis_url: str) -> None:
    client = Redis.from_url(redis_url.replace("redis://", "redis://:not-the-password@"))
    coalescer = PipelineCoalescer(client)
    with pytest.raises(RedisConnectionError, match="refused"):
        await coalescer.run(lambda: (resp.command("PING"), 1))
    await coalescer.close()
    await client.aclose()


async def test_a_server_that_stops_answering_fails_the_pipeline_and_is_left() -> None:
    answering = True

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Answers the connection's PING handshake, then goes silent while `answering` is off.
        while data := await reader.read(4096):
            if answering:
                writer.write(b"+PONG\r\n" * data.count(b"PING"))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Redis(host="127.0.0.1", port=port, socket_timeout=0.2)
    coalescer = PipelineCoalescer(client)
    ping = resp.command("PING")
    assert await coalescer.run(lambda: (ping, 1)) == [b"PONG"]
    answering = False
    with pytest.raises(RedisTimeoutError, match="did not answer"):
        await asyncio.wait_for(coalescer.run(lambda: (ping, 1)), 2)
    answering = True
    # The stuck connection is dropped; the next operation goes out on a fresh one.
    assert await asyncio.wait_for(coalescer.run(lambda: (ping, 1)), 2) == [b"PONG"]
    await coalescer.close()
    await client.aclose()
    server.close()
    await server.wait_closed()


async def test_fixes_are_stored_again_as_soon_as_a_restarted_redis_answers() -> None:
    with redis_process() as server:
        client = Redis.from_url(server.url)
        index = RedisLiveIndex(client, "t:")
        assert (await index.record_fix("w0", None, LiveFix(LngLat(0, 0), NOW, None), NOW)).stored
        server.stop()
        # The coalescer hears the connection close; fixes meeting the outage then share one FIXES batch,
        # which fails while connecting, before its pipeline is built.
        await asyncio.sleep(0.1)
        during = await asyncio.gather(
            *(index.record_fix(f"w{i}", None, LiveFix(LngLat(0, 0), NOW, None), NOW) for i in range(1, 4)),
            return_exceptions=True,
        )
        assert all(isinstance(outcome, RedisConnectionError) for outcome in during), during
        server.start()
        # The next fix goes out in a new batch on a new connection (and reloads the flushed script).
        later = LiveFix(LngLat(0, 0.001), NOW + 1000, None)
        assert (await asyncio.wait_for(index.record_fix("w0", None, later, NOW + 1000), 2)).stored
        assert (await index.worker("w0")) is not None
        await index.close()
        await client.aclose()


async def test_ping_goes_through_the_coalescers_own_connection() -> None:
    with redis_process() as server:
        client = Redis.from_url(server.url)
        index = RedisLiveIndex(client, "t:")
        await index.ping()
        assert index.coalescer.round_trips == 1
        server.stop()
        with pytest.raises(RedisConnectionError):
            await index.ping()
        await index.close()
        await client.aclose()


def test_the_connection_settings_are_read_from_the_clients_pool() -> None:
    """redis-py's `ConnectionPool.connection_kwargs` and `connection_class`, undocumented, hold what the
    coalescer connects with."""
    url = "redis://walker:secret@redis.invalid:6390/3?socket_timeout=2.5&socket_connect_timeout=1.5"
    coalescer = PipelineCoalescer(Redis.from_url(url))
    settings = {name: coalescer._settings.get(name) for name in ("host", "port", "db", "username", "password")}
    assert settings == {"host": "redis.invalid", "port": 6390, "db": 3, "username": "walker", "password": "secret"}
    assert coalescer._settings["socket_connect_timeout"] == 1.5
    assert coalescer._reply_timeout_s == 2.5
    assert not coalescer._tls
    assert PipelineCoalescer(Redis.from_url("rediss://redis.invalid:6390"))._tls
    assert PipelineCoalescer(Redis.from_url("unix:///tmp/walky-redis.sock?db=2"))._settings["path"] == (
        "/tmp/walky-redis.sock"
    )


def test_hiredis_hands_back_replies_as_the_pipe_reads_them() -> None:
    reader = hiredis.Reader(replyError=ResponseError)
    reader.feed(b"+OK\r\n-NOSCRIPT No matching script\r\n*2\r\n$1\r\na\r\n:4")
    assert reader.gets() == b"OK"
    error = reader.gets()
    assert isinstance(error, ResponseError) and str(error) == "NOSCRIPT No matching script"
    # An incomplete reply is False (not None, which is Redis's nil).
    assert reader.gets() is False
    reader.feed(b"2\r\n$-1\r\n")
    assert reader.gets() == [b"a", 42]
    assert reader.gets() is None
