"""Access tokens (JWT, HS256) and opaque refresh tokens.

Signing keys rotate: tokens are signed with the first (current) key and carry its `kid` in the header;
the previous keys are still accepted until the tokens they signed have expired, so a rotation logs no one
out. A key's id is a digest of the key, so every process derives the same id from the same settings.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import jwt

from app.auth.principal import Principal
from app.domain.users import Role
from app.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "walky"
# Verified tokens remembered per process; past this many the memory starts over (a client keeps reusing
# its token for 15 minutes, so the working set is about the number of active clients).
VERIFIED_CACHE_SIZE = 20_000
KID_LENGTH = 16


def key_id(secret: str) -> str:
    """Names a key without revealing it: a SHA-256 prefix of a 32+ character random secret."""
    return hashlib.sha256(secret.encode()).hexdigest()[:KID_LENGTH]


class AccessTokens:
    def __init__(self, keys: str | Sequence[str], ttl_s: int) -> None:
        keys = [keys] if isinstance(keys, str) else list(keys)
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._secret = keys[0]
        self.kid = key_id(keys[0])
        # kid -> secret for every accepted key, the current one included.
        self._keys = {key_id(key): key for key in keys}
        self.ttl_s = ttl_s
        # Token -> (principal, expiry epoch s). Decoding a JWT (parse, HMAC, claim checks) costs about a
        # quarter of a millisecond here and every request and socket event carries one; a token's claims
        # cannot change, so only the expiry needs checking again (revocation is the token version's job,
        # see app/auth/token_versions.py).
        self._verified: dict[str, tuple[Principal, int]] = {}

    def issue(self, principal: Principal, now: datetime) -> str:
        claims: dict[str, Any] = {
            "sub": principal.user_id,
            "role": principal.role.value,
            "iss": ISSUER,
            "typ": "access",
            "iat": int(now.timestamp()),
            "ver": principal.token_version,
            "exp": int((now + timedelta(seconds=self.ttl_s)).timestamp()),
        }
        if principal.business_id:
            claims["businessId"] = principal.business_id
        if principal.worker_id:
            claims["workerId"] = principal.worker_id
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM, headers={"kid": self.kid})

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known[1]:
                return known[0]
            del self._verified[token]
        principal, expires = self._decode(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _decode(self, token: str) -> tuple[Principal, int]:
        try:
            claims = self._verified_claims(token)
            if claims.get("typ") != "access":
                raise Unauthorized("not an access token")
            principal = Principal(
                user_id=str(claims["sub"]),
                role=Role(claims["role"]),
                business_id=claims.get("businessId"),
                worker_id=claims.get("workerId"),
                token_version=_version(claims.get("ver", 0)),
            )
            return principal, int(claims["exp"])
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("access token expired") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise Unauthorized("invalid access token") from exc

    def _verified_claims(self, token: str) -> dict[str, Any]:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is not None:
            secret = self._keys.get(kid) if isinstance(kid, str) else None
            if secret is None:
                raise jwt.InvalidTokenError("signed with an unknown key")
            return self._claims(token, secret)
        # Issued before tokens carried a kid (the first deployment with rotation): any accepted key.
        *earlier, last = self._keys.values()
        for secret in earlier:
            try:
                return self._claims(token, secret)
            except jwt.InvalidSignatureError:
                continue
        return self._claims(token, last)

    @staticmethod
    def _claims(token: str, secret: str) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "role", "exp", "iat"]},
        )
        return claims


def _version(claim: object) -> int:
    # bool is an int subclass; a signed token only carries what issue() wrote, but be strict anyway.
    if not isinstance(claim, int) or isinstance(claim, bool) or not 0 <= claim < 2**53:
        raise ValueError("bad token version")
    return claim


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
