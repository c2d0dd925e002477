"""A private redis-server on a free port, for tests and benchmarks."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from tests.support.tls_certs import ServerCertificate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisProcess:
    """A redis-server that can be stopped and started again on the same port (fault tests), without
    persistence: a restarted server comes back empty, as a Redis used as a cache does.

    With `tls`, the server speaks TLS only (no plain port), with that certificate, and does not ask clients
    for one; `url` is then a `rediss://` URL trusting the certificate's CA (and no other)."""

    def __init__(self, tls: ServerCertificate | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.tls = tls
        if tls is None:
            self.url = f"redis://127.0.0.1:{self.port}/0"
        else:
            query = urlencode({"ssl_ca_certs": str(tls.ca_cert), "ssl_cert_reqs": "required"})
            self.url = f"rediss://127.0.0.1:{self.port}/0?{query}"
        self.workdir = tempfile.mkdtemp(prefix="walky-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.tls is None:
            listen = ["--port", str(self.port)]
        else:
            listen = [
                *("--port", "0", "--tls-port", str(self.port), "--tls-auth-clients", "no"),
                *("--tls-cert-file", str(self.tls.cert), "--tls-key-file", str(self.tls.key)),
                *("--tls-ca-cert-file", str(self.tls.ca_cert)),
            ]
        self.proc = subprocess.Popen(
            [
                *(self.binary, *listen, "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as raw:
                if self.tls is None:
                    return self._pings(raw)
                context = ssl.create_default_context(cafile=str(self.tls.ca_cert))
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
                    return self._pings(conn)
        except OSError:
            return False

    @staticmethod
    def _pings(conn: socket.socket) -> bool:
        conn.sendall(b"PING\r\n")
        return conn.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def redis_process(tls: ServerCertificate | None = None) -> Iterator[RedisProcess]:
    server = RedisProcess(tls)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextmanager
def redis_server() -> Iterator[str]:
    with redis_process() as server:
        yield server.url
