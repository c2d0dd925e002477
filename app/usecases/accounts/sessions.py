"""Ending sessions, and proving one is still alive.

`revoke_sessions` is the one way to end sessions: logout, password change, account erasure, and (from other
modules) suspension and password reset call it. An access token is void once its account's token version
moved past the version it carries; every process learns it through the session channel.
"""

from __future__ import annotations

from app.auth.principal import Principal
from app.auth.session_signals import TokensRevoked
from app.composition import Services


async def authenticate(services: Services, token: str) -> Principal:
    """The principal of a valid, unrevoked access token; Unauthorized otherwise."""
    principal = services.access_tokens.verify(token)
    await services.token_versions.check(principal)
    return principal


async def revoke_sessions(services: Services, user_id: str, *, family_id: str | None = None) -> None:
    """End the sessions of `user_id`: every access token issued so far stops working, in every process, and
    the user's open sockets are disconnected.

    Refresh tokens: with `family_id`, only that session's family ends (logout: the user's other devices
    refresh and carry on); without, every family of the user ends. Unknown users are a no-op.
    """
    if family_id is None:
        await services.store.refresh_tokens.revoke_user(user_id)
    else:
        await services.store.refresh_tokens.revoke_family(family_id)
    version = await services.store.users.bump_token_version(user_id)
    if version is not None:
        await services.session_channel.publish(TokensRevoked(user_id, version))
