from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import DEV_JWT_SECRET, Environment, Settings


def make(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def test_defaults_are_the_embedded_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WALKY_MONGODB_URL", "WALKY_REDIS_URL", "WALKY_ENV", "WALKY_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.mongodb_url is None and settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.auth_rate_limit == "20/minute"
    assert settings.location_rate_limit == "5/second"
    assert str(settings.sqlite_path).endswith("var/walky.sqlite3")


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALKY_CORS_ORIGINS", "https://app.walky.test, https://ops.walky.test")
    monkeypatch.setenv("WALKY_AUTH_RATE_LIMIT", "5/second")
    monkeypatch.setenv("WALKY_PORT", "9001")
    settings = Settings()
    assert settings.cors_origins == ["https://app.walky.test", "https://ops.walky.test"]
    assert settings.auth_rate_limit == "5/second"
    assert settings.port == 9001


def test_invalid_rate_limit_is_refused() -> None:
    with pytest.raises(ValidationError):
        make(auth_rate_limit="lots")


@pytest.mark.parametrize("secret", [DEV_JWT_SECRET, "short-secret"])
def test_production_refuses_weak_jwt_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="WALKY_JWT_SECRET"):
        make(env="production", jwt_secret=secret, mongodb_url="mongodb://m", redis_url="redis://r")


def test_production_needs_mongo_and_redis() -> None:
    with pytest.raises(ValidationError, match="MONGODB_URL"):
        make(env="production", jwt_secret="x" * 40)


def test_production_with_everything_set() -> None:
    settings = make(env="production", jwt_secret="x" * 40, mongodb_url="mongodb://m:27017", redis_url="redis://r")
    assert settings.is_production


def test_jwt_secrets_come_first_and_jwt_secret_stays_a_single_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert make(jwt_secret="a" * 40).jwt_keys == ["a" * 40]
    monkeypatch.setenv("WALKY_JWT_SECRETS", f" {'n' * 40} , {'o' * 40} ,")
    assert make(jwt_secret="a" * 40).jwt_keys == ["n" * 40, "o" * 40]


@pytest.mark.parametrize("weak", [DEV_JWT_SECRET, "short-secret"])
def test_production_checks_every_rotation_key(monkeypatch: pytest.MonkeyPatch, weak: str) -> None:
    monkeypatch.setenv("WALKY_JWT_SECRETS", f"{'n' * 40},{weak}")
    with pytest.raises(ValidationError, match="WALKY_JWT_SECRETS"):
        make(env="production", jwt_secret="x" * 40, mongodb_url="mongodb://m", redis_url="redis://r")


def test_production_accepts_strong_rotation_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALKY_JWT_SECRETS", f"{'n' * 40},{'o' * 40}")
    assert make(env="production", mongodb_url="mongodb://m", redis_url="redis://r").is_production
