from __future__ import annotations

import secrets

import pytest
import structlog
from pydantic import ValidationError

from app.service import create_app
from app.settings import DEV_JWT_SECRET, Environment, Settings, describe_errors, secret_entropy_bits

STRONG_SECRET = "Vq3x-9LmZ_r2TkWc8pNd4sYb7HfJg0AeQ1uXo5iK6Rw"
STRIPE = {"stripe_secret_key": "sk_live_walky", "stripe_webhook_secret": "whsec_walky"}
PRODUCTION = {
    "env": "production",
    "jwt_secret": STRONG_SECRET,
    "mongodb_url": "mongodb://m:27017",
    "redis_url": "redis://r",
    **STRIPE,
}


def make(**env: str | None) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[arg-type]


def refusal(**env: str | None) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        make(**env)
    return describe_errors(caught.value)


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


def test_invalid_rate_limit_is_refused_without_echoing_it() -> None:
    assert refusal(auth_rate_limit="hunter2") == [
        "WALKY_AUTH_RATE_LIMIT: Value error, not a rate in `limits` notation, e.g. 20/minute"
    ]


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(DEV_JWT_SECRET, id="development-secret"),
        pytest.param("short-secret", id="short"),
        pytest.param("a" * 64, id="one-letter"),
        pytest.param("abab" * 16, id="two-letters"),
        pytest.param("password" * 4, id="repeated-word"),
    ],
)
def test_production_refuses_weak_jwt_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="WALKY_JWT_SECRET") as caught:
        make(**{**PRODUCTION, "jwt_secret": secret})
    assert secret not in str(caught.value)


def test_secret_entropy_is_judged_from_character_frequencies() -> None:
    assert secret_entropy_bits("") == 0
    assert secret_entropy_bits("a" * 100) == 0
    assert secret_entropy_bits("ab" * 8) == 16
    assert secret_entropy_bits(secrets.token_urlsafe(32)) > 128
    assert secret_entropy_bits(secrets.token_hex(32)) > 128


def test_production_names_every_missing_setting_at_once() -> None:
    lines = refusal(env="production", jwt_secret=STRONG_SECRET)
    assert lines == [
        "WALKY_MONGODB_URL is required in production",
        "WALKY_REDIS_URL is required in production",
        "WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET are required in production "
        "(or WALKY_PAYMENTS=offline to take no real money on purpose)",
    ]


@pytest.mark.parametrize("missing", ["stripe_secret_key", "stripe_webhook_secret"])
def test_production_refuses_to_start_without_stripe_keys(missing: str) -> None:
    lines = refusal(**{**PRODUCTION, missing: None})
    assert len(lines) == 1 and lines[0].startswith("WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET")


def test_production_takes_the_offline_gateway_only_when_told_to() -> None:
    settings = make(**{**PRODUCTION, "stripe_secret_key": None, "stripe_webhook_secret": None, "payments": "offline"})
    assert settings.is_production and settings.offline_payments


def test_offline_payments_in_production_are_logged_loudly_at_start(settings: Settings) -> None:
    offline = settings.model_copy(
        update={"env": Environment.PRODUCTION, "stripe_secret_key": None, "stripe_webhook_secret": None}
    )
    with structlog.testing.capture_logs() as logs:
        create_app(offline)
    loud = [entry for entry in logs if entry["log_level"] == "critical"]
    assert len(loud) == 1 and "WALKY_PAYMENTS=offline" in loud[0]["event"]


def test_payments_mode_must_agree_with_the_stripe_keys() -> None:
    assert refusal(payments="stripe") == [
        "WALKY_PAYMENTS=stripe needs WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET"
    ]
    assert refusal(payments="offline", **STRIPE) == [
        "WALKY_PAYMENTS=offline contradicts WALKY_STRIPE_SECRET_KEY being set: unset one of them"
    ]
    assert not make(payments="stripe", **STRIPE).offline_payments


def test_production_with_everything_set() -> None:
    settings = make(**PRODUCTION)
    assert settings.is_production and not settings.offline_payments
