"""Runtime settings, read from `WALKY_*` environment variables."""

from __future__ import annotations

from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "walky-development-only-secret-change-me"
MIN_JWT_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WALKY_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("./var")
    mongodb_url: str | None = None
    mongodb_database: str = "walky"
    redis_url: str | None = None
    redis_key_prefix: str = "walky:"
    jwt_secret: str = DEV_JWT_SECRET
    access_token_ttl_s: int = Field(default=15 * 60, gt=0)
    refresh_token_ttl_s: int = Field(default=7 * 24 * 3600, gt=0)
    # NoDecode: a plain comma-separated list is friendlier in a shell than a JSON array.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    auth_rate_limit: str = "20/minute"
    location_rate_limit: str = "5/second"
    # Every REST request but /healthz, /readyz and /metrics: per user with a valid token, else per client IP.
    api_rate_limit: str = "600/minute"
    # Peers whose X-Forwarded-For is believed (load balancers, reverse proxies); CIDR list, comma-separated.
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1/128")]
    )
    # A worker whose last socket closed stays online this long, so a flaky network does not flap them.
    presence_grace_s: int = Field(default=60, ge=0)
    login_max_failures: int = Field(default=5, gt=0)
    login_lockout_s: int = Field(default=15 * 60, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    hsts: bool = False
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    log_level: str = "info"
    shutdown_timeout_s: int = Field(default=8, gt=0)
    # Dispatch: how long a walker has to accept an offer; how often expired offers are swept.
    offer_expiry_s: int = Field(default=20, gt=0)
    dispatch_sweep_s: float = Field(default=2.0, gt=0)
    # Pages (/console, /track): raster tiles in Leaflet's {z}/{x}/{y} notation; empty = no tiles, the map
    # draws its data on a plain background. The default is OpenStreetMap's own server: mind its tile usage
    # policy (light use, attribution shown) and point this at a tile service of your own for real traffic.
    map_tile_url: str = Field(default="https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_length=512)
    map_attribution: str = Field(default="© OpenStreetMap contributors", max_length=256)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [ip_network(item.strip()) for item in value.split(",") if item.strip()]
        return value

    @field_validator("auth_rate_limit", "location_rate_limit", "api_rate_limit")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        from limits import parse

        parse(value)
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _valid_tile_url(cls, value: str) -> str:
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise ValueError("WALKY_MAP_TILE_URL must be an http(s) URL such as https://host/{z}/{x}/{y}.png")
        return value

    @model_validator(mode="after")
    def _production_guards(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < MIN_JWT_SECRET_LENGTH:
                raise ValueError(
                    f"WALKY_JWT_SECRET must be set to a random secret of at least "
                    f"{MIN_JWT_SECRET_LENGTH} characters in production"
                )
            if not self.mongodb_url or not self.redis_url:
                raise ValueError("production needs WALKY_MONGODB_URL and WALKY_REDIS_URL")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "walky.sqlite3"
