"""The client's IP address behind trusted proxies, written into the ASGI scope for everything downstream.

A proxy appends the address it saw to `X-Forwarded-For`, so only the entries added by our own proxies can
be believed: walk the list from the right, past every trusted hop, and the first untrusted address is the
client (anything further left was written by the client itself). A peer that is not a trusted proxy is
the client, whatever it claims. uvicorn's own proxy-header handling is off (app/__main__.py) so this is the
only place that decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


def _parse(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: IPv4Address | IPv6Address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def client_ip(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The client behind `peer`; `forwarded_for` holds the X-Forwarded-For header values in order."""
    current = _parse(peer)
    if current is None or not _trusted(current, trusted):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A trusted proxy passed on something that is no address: stop at that proxy.
            break
        current = address
        if not _trusted(address, trusted):
            break
    return str(current)


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = list(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and self.trusted:
            forwarded = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
            if forwarded:
                scope = {**scope, "client": (client_ip(client[0], forwarded, self.trusted), client[1])}
        await self.app(scope, receive, send)
