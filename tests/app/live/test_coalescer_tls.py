"""The location hot path's own connection speaks TLS with redis-py's settings: a private CA, verification, host names.

Real TLS end to end: a CA made for the test, a redis-server listening with TLS only, no mocks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from app.domain.fixes import LiveFix
from app.live import resp
from app.live.coalescer import PipelineCoalescer
from app.live.redis_live_index import RedisLiveIndex
from geo.coordinates import LngLat
from tests.support.redis_server import RedisProcess, redis_process
from tests.support.tls_certs import ServerCertificate, private_ca, server_certificate

NOW = 1_800_000_000_000


@dataclass(frozen=True)
class TlsRedis:
    server: RedisProcess
    certificate: ServerCertificate
    other_ca: Path
    """A CA that did not sign the server's certificate."""

    def url(self, host: str = "127.0.0.1", **query: str) -> str:
        return f"rediss://{host}:{self.server.port}/0?{urlencode(query)}"


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsRedis]:
    directory = tmp_path_factory.mktemp("tls")
    certificate = server_certificate(directory)
    _, _, other_ca = private_ca(directory, "some-other-ca")
    with redis_process(tls=certificate) as server:
        yield TlsRedis(server, certificate, other_ca)


async def test_fixes_are_stored_and_read_over_tls_with_a_private_ca(tls_redis: TlsRedis) -> None:
    url = tls_redis.server.url
    assert url.startswith("rediss://") and "ssl_ca_certs=" in url and "ssl_cert_reqs=required" in url
    client = Redis.from_url(url)
    index = RedisLiveIndex(client, "tls:")
    try:
        fix = LiveFix(LngLat(2.35, 48.85), NOW, 5.0)
        assert (await index.record_fix("w1", "b1", fix, NOW)).stored
        state = await index.worker("w1")
        assert state is not None and state.last_fix == fix and state.business_id == "b1"
        # Through the coalescer's own connection (the fix, then the read), not redis-py's pool.
        assert index.coalescer.round_trips >= 2
        # A connection the server dropped is replaced by another verified TLS connection.
        await client.client_kill_filter(_type="normal", skipme=True)
        await asyncio.sleep(0.05)
        assert await index.worker("w1") is not None
    finally:
        await client.flushdb()
        await index.close()
        await client.aclose()


async def test_the_ca_given_as_client_arguments_is_trusted_too(tls_redis: TlsRedis) -> None:
    client = Redis(
        host="127.0.0.1",
        port=tls_redis.server.port,
        ssl=True,
        ssl_ca_data=tls_redis.certificate.ca_cert.read_text(),
    )
    coalescer = PipelineCoalescer(client)
    try:
        assert await asyncio.wait_for(coalescer.run(lambda: (resp.command("PING"), 1)), 5) == [b"PONG"]
    finally:
        await coalescer.close()
        await client.aclose()


async def test_a_server_certificate_the_client_does_not_trust_is_refused(tls_redis: TlsRedis) -> None:
    for url in (
        tls_redis.url(ssl_ca_certs=str(tls_redis.other_ca), ssl_cert_reqs="required"),
        # Without a CA of its own, the client trusts the system's CAs only.
        tls_redis.url(),
    ):
        client = Redis.from_url(url)
        coalescer = PipelineCoalescer(client)
        try:
            with pytest.raises(RedisConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
                await asyncio.wait_for(coalescer.run(lambda: (resp.command("PING"), 1)), 5)
        finally:
            await coalescer.close()
            await client.aclose()


async def _answers(ping: Awaitable[object]) -> bool:
    try:
        await asyncio.wait_for(ping, 5)
    except RedisConnectionError:
        return False
    return True


@pytest.mark.parametrize(
    ("host", "query", "accepted"),
    [
        # The certificate names 127.0.0.1 only: the host name check refuses "localhost"...
        ("localhost", {"ssl_cert_reqs": "required"}, False),
        # ... unless the client turns it off, still checking the CA.
        ("localhost", {"ssl_cert_reqs": "required", "ssl_check_hostname": "false"}, True),
        # Verification off: any certificate will do.
        ("127.0.0.1", {"ssl_ca_certs": "OTHER", "ssl_cert_reqs": "none"}, True),
    ],
)
async def test_the_coalescer_accepts_exactly_what_redis_py_accepts(
    tls_redis: TlsRedis, host: str, query: dict[str, str], accepted: bool
) -> None:
    query = {"ssl_ca_certs": str(tls_redis.certificate.ca_cert), **query}
    if query["ssl_ca_certs"] == "OTHER":
        query["ssl_ca_certs"] = str(tls_redis.other_ca)
    client = Redis.from_url(tls_redis.url(host, **query))
    coalescer = PipelineCoalescer(client)
    try:
        by_redis_py = await _answers(client.ping())
        by_coalescer = await _answers(coalescer.submit(lambda: (resp.command("PING"), 1)))
        assert (by_redis_py, by_coalescer) == (accepted, accepted)
    finally:
        await coalescer.close()
        await client.aclose()
