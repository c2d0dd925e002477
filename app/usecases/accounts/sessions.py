"""Ending sessions, and proving one is still alive.

`revoke_sessions` is the one way to end sessions: logout, password change, account erasure, and (from other
modules) suspension and password reset call it. An access token is void once its account's token version
moved past the version it carries; every process learns it through the session channel.
"""

from __future__ import annotations

from typing import Protocol

from app.auth.principal import Principal
from app.auth.session_signals import SessionChannel, TokensRevoked
from app.auth.token_versions import TokenVersions
from app.auth.tokens import AccessTokens
from app.store.store import Store


class SessionPorts(Protocol):
    """What proving and ending sessions read (`app.composition.Services` has them all)."""

    @property
    def access_tokens(self) -> AccessTokens: ...
    @property
    def token_versions(self) -> TokenVersions: ...
    @property
    def store(self) -> Store: ...
    @property
    def session_channel(self) -> SessionChannel: ...


async def authenticate(ports: SessionPorts, token: str) -> Principal:
    """The principal of a valid, unrevoked access token; Unauthorized otherwise."""
    principal = ports.access_tokens.verify(token)
    await ports.token_versions.check(principal)
    return principal


async def revoke_sessions(ports: SessionPorts, user_id: str, *, family_id: str | None = None) -> None:
    """End the sessions of `user_id`: every access token issued so far stops working, in every process, and
    the user's open sockets are disconnected.

    Refresh tokens: with `family_id`, only that session's family ends (logout: the user's other devices
    refresh and carry on); without, every family of the user ends. Unknown users are a no-op.
    """
    if family_id is None:
        await ports.store.refresh_tokens.revoke_user(user_id)
    else:
        await ports.store.refresh_tokens.revoke_family(family_id)
    version = await ports.store.users.bump_token_version(user_id)
    if version is not None:
        await ports.session_channel.publish(TokensRevoked(user_id, version))
