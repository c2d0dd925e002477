"""Access tokens: verified tokens are remembered, but never past their expiry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import jwt
import pytest

from app.auth import tokens
from app.auth.principal import Principal
from app.domain.users import Role
from app.errors import Unauthorized

WORKER = Principal("u1", Role.WORKER, "b1", "w1")


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    now = datetime.now(UTC)
    token = access.issue(WORKER, now)
    assert access.verify(token) == WORKER
    assert access.verify(token) == WORKER  # from memory
    later = now.timestamp() + 61
    monkeypatch.setattr("app.auth.tokens.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _FrozenDatetime(later))
    with pytest.raises(Unauthorized, match="expired"):
        access.verify(token)


def test_a_forged_token_is_refused_every_time() -> None:
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    forged = tokens.AccessTokens("t" * 40, ttl_s=60).issue(WORKER, datetime.now(UTC))
    for _ in range(2):
        with pytest.raises(Unauthorized, match="invalid"):
            access.verify(forged)


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 3)
    access = tokens.AccessTokens("s" * 40, ttl_s=60)
    now = datetime.now(UTC)
    issued = [access.issue(Principal(f"u{i}", Role.OWNER), now) for i in range(5)]
    assert [access.verify(token).user_id for token in issued] == [f"u{i}" for i in range(5)]
    assert len(access._verified) <= 3


class _FrozenDatetime:
    """Stands in for `datetime` inside PyJWT, so its own expiry check sees the same later time."""

    def __init__(self, epoch_s: float) -> None:
        self._moment = datetime.fromtimestamp(epoch_s, tz=UTC)

    def now(self, tz: object = None) -> datetime:
        return self._moment

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)


OLD_KEY = "old-" + "k" * 40
NEW_KEY = "new-" + "n" * 40


def test_tokens_name_the_key_that_signed_them() -> None:
    access = tokens.AccessTokens([NEW_KEY, OLD_KEY], ttl_s=60)
    token = access.issue(WORKER, datetime.now(UTC))
    assert jwt.get_unverified_header(token)["kid"] == tokens.key_id(NEW_KEY) == access.kid
    assert tokens.key_id(NEW_KEY) != tokens.key_id(OLD_KEY)
    assert NEW_KEY not in access.kid


def test_a_token_signed_with_a_previous_key_is_still_accepted() -> None:
    before = tokens.AccessTokens(OLD_KEY, ttl_s=60).issue(WORKER, datetime.now(UTC))
    rotated = tokens.AccessTokens([NEW_KEY, OLD_KEY], ttl_s=60)
    assert rotated.verify(before) == WORKER


def test_a_retired_key_is_refused() -> None:
    before = tokens.AccessTokens(OLD_KEY, ttl_s=60).issue(WORKER, datetime.now(UTC))
    with pytest.raises(Unauthorized, match="invalid"):
        tokens.AccessTokens(NEW_KEY, ttl_s=60).verify(before)


def test_a_known_kid_with_a_forged_signature_is_refused() -> None:
    access = tokens.AccessTokens([NEW_KEY, OLD_KEY], ttl_s=60)
    claims = jwt.decode(access.issue(WORKER, datetime.now(UTC)), NEW_KEY, algorithms=["HS256"], issuer="walky")
    forged = jwt.encode(claims, "forger-" + "f" * 40, algorithm="HS256", headers={"kid": tokens.key_id(OLD_KEY)})
    with pytest.raises(Unauthorized, match="invalid"):
        access.verify(forged)


@pytest.mark.parametrize("kid", ["unknown", 7, ["a", "list"]])
def test_an_unknown_kid_is_refused(kid: object) -> None:
    access = tokens.AccessTokens(NEW_KEY, ttl_s=60)
    _, payload, _ = access.issue(WORKER, datetime.now(UTC)).split(".")
    # PyJWT only writes string kids; a hand-made header can hold anything.
    header = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": kid}).encode()).rstrip(b"=").decode()
    signing_input = f"{header}.{payload}"
    signature = hmac.new(NEW_KEY.encode(), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    with pytest.raises(Unauthorized, match="invalid"):
        access.verify(token)


def test_tokens_from_before_kids_are_accepted_under_any_listed_key() -> None:
    # Issued by the release before rotation existed: no kid header at all.
    plain = tokens.AccessTokens(OLD_KEY, ttl_s=60)
    claims = jwt.decode(plain.issue(WORKER, datetime.now(UTC)), OLD_KEY, algorithms=["HS256"], issuer="walky")
    legacy = jwt.encode(claims, OLD_KEY, algorithm="HS256")
    assert "kid" not in jwt.get_unverified_header(legacy)
    assert tokens.AccessTokens([NEW_KEY, OLD_KEY], ttl_s=60).verify(legacy) == WORKER
    with pytest.raises(Unauthorized, match="invalid"):
        tokens.AccessTokens(NEW_KEY, ttl_s=60).verify(legacy)


def test_no_key_at_all_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="signing key"):
        tokens.AccessTokens([], ttl_s=60)
