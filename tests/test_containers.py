"""Docker cannot run here, so check what the container files pass to the app."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def resolve(value: str, supplied: dict[str, str]) -> str:
    # Docker compose substitution: ${NAME:?msg} must be supplied, ${NAME:-default} falls back unless supplied.
    value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", secrets.token_urlsafe(32), value)
    return re.sub(r"\$\{([A-Z_]+):-([^}]*)\}", lambda m: supplied.get(m[1], m[2]), value)


STRIPE_KEYS = {"WALKY_STRIPE_SECRET_KEY": "sk_live_walky", "WALKY_STRIPE_WEBHOOK_SECRET": "whsec_walky"}


@pytest.mark.parametrize(
    ("supplied", "offline"),
    [(STRIPE_KEYS, False), ({"WALKY_PAYMENTS": "offline"}, True)],
    ids=["stripe", "offline-on-purpose"],
)
def test_compose_environment_is_valid_production_settings(
    monkeypatch: pytest.MonkeyPatch, supplied: dict[str, str], offline: bool
) -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert set(services) == {"api", "mongo", "redis"}
    env = services["api"]["environment"]
    for name in env:
        assert name.startswith("WALKY_")
        assert name.removeprefix("WALKY_").lower() in Settings.model_fields, f"{name} is not a setting"
    for name, value in env.items():
        monkeypatch.setenv(name, resolve(str(value), supplied))
    settings = Settings()
    assert settings.is_production and settings.offline_payments is offline
    assert settings.mongodb_url == "mongodb://mongo:27017/?maxPoolSize=50"
    assert settings.redis_url == "redis://redis:6379/0"


def test_compose_services_have_healthchecks_and_volumes() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert services["mongo"]["image"] == "mongo:7" and services["redis"]["image"] == "redis:7"
    for name in ("mongo", "redis"):
        assert "healthcheck" in services[name]
        assert services[name]["volumes"]
        assert services["api"]["depends_on"][name]["condition"] == "service_healthy"
    assert "${WALKY_JWT_SECRET:?" in services["api"]["environment"]["WALKY_JWT_SECRET"]


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    assert re.search(r"^USER walky$", text, re.MULTILINE)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'CMD ["python", "-m", "app"]' in text
    env_names = re.findall(r"(WALKY_[A-Z_]+)=", text)
    assert env_names and all(n.removeprefix("WALKY_").lower() in Settings.model_fields for n in env_names)
