"""Access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt

from app.auth.principal import Principal
from app.domain.users import Role
from app.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "walky"


class AccessTokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, principal: Principal, now: datetime) -> str:
        claims: dict[str, Any] = {
            "sub": principal.user_id,
            "role": principal.role.value,
            "iss": ISSUER,
            "typ": "access",
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl_s)).timestamp()),
        }
        if principal.business_id:
            claims["businessId"] = principal.business_id
        if principal.worker_id:
            claims["workerId"] = principal.worker_id
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["sub", "role", "exp", "iat"]},
            )
            if claims.get("typ") != "access":
                raise Unauthorized("not an access token")
            return Principal(
                user_id=str(claims["sub"]),
                role=Role(claims["role"]),
                business_id=claims.get("businessId"),
                worker_id=claims.get("workerId"),
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("access token expired") from exc
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise Unauthorized("invalid access token") from exc


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
