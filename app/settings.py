"""Runtime settings, read from `WALKY_*` environment variables."""

from __future__ import annotations

import math
from collections import Counter
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "walky-development-only-secret-change-me"
MIN_JWT_SECRET_LENGTH = 32
# A production JWT secret must carry at least this many bits by secret_entropy_bits' estimate.
MIN_JWT_SECRET_BITS = 128


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class PaymentsMode(StrEnum):
    STRIPE = "stripe"
    OFFLINE = "offline"


def secret_entropy_bits(secret: str) -> float:
    """Shannon entropy of the secret's own character frequencies times its length.

    An estimate from the string alone: 'a' * 64 scores 0, 32 random hex digits about 105, the 43 characters
    of `secrets.token_urlsafe(32)` about 220. It underrates truly random short secrets, never overrates
    repetitive ones.
    """
    if not secret:
        return 0.0
    length = len(secret)
    per_char = sum(n / length * math.log2(length / n) for n in Counter(secret).values())
    return per_char * length


class Settings(BaseSettings):
    # hide_input_in_errors: a refusal must never print the value it refused (a secret, a URL with a password).
    model_config = SettingsConfigDict(env_prefix="WALKY_", extra="ignore", hide_input_in_errors=True)

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("./var")
    mongodb_url: str | None = None
    mongodb_database: str = "walky"
    redis_url: str | None = None
    redis_key_prefix: str = "walky:"
    jwt_secret: str = DEV_JWT_SECRET
    # Key rotation: the current signing key first, then previous keys still accepted (comma-separated).
    # When set it replaces WALKY_JWT_SECRET.
    jwt_secrets: Annotated[list[str], NoDecode] = Field(default_factory=list, max_length=8)
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
    # Unset: Stripe when WALKY_STRIPE_SECRET_KEY is set, else the offline gateway (refused in production).
    payments: PaymentsMode | None = None
    log_level: str = "info"
    # Error tracking (app/ops/sentry.py): off unless a DSN is set; the release defaults to walky@<version>.
    sentry_dsn: str | None = None
    sentry_release: str | None = Field(default=None, max_length=200)
    shutdown_timeout_s: int = Field(default=8, gt=0)
    # A REST handler still without an answer after this long gets 503 UNAVAILABLE (app/rest/timeout.py).
    request_timeout_s: float = Field(default=10.0, gt=0, le=300)
    # Dispatch: how long a walker has to accept an offer; how often expired offers are swept.
    offer_expiry_s: int = Field(default=20, gt=0)
    dispatch_sweep_s: float = Field(default=2.0, gt=0)
    # Pages (/console, /track): raster tiles in Leaflet's {z}/{x}/{y} notation; empty = no tiles, the map
    # draws its data on a plain background. The default is OpenStreetMap's own server: mind its tile usage
    # policy (light use, attribution shown) and point this at a tile service of your own for real traffic.
    map_tile_url: str = Field(default="https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_length=512)
    map_attribution: str = Field(default="© OpenStreetMap contributors", max_length=256)
    # Accounts and messages. Unset = on in production, off in development.
    require_verified_email: bool | None = None
    # Where links in emails point (the apps open them as universal links).
    public_url: str = "http://127.0.0.1:8000"
    # Where the apps' deep links in push messages start (`walky://bookings/<id>`).
    app_url: str = Field(default="walky://", min_length=1, max_length=256)
    forgot_password_rate_limit: str = "5/hour"
    # Phone verification codes sent, counted per account and per number (a number tried from many accounts).
    phone_code_rate_limit: str = "5/hour"
    smtp_url: str | None = None
    mail_from: str = "Walky <no-reply@walky.invalid>"
    expo_access_token: str | None = None
    # Push goes to Expo only when this or the access token is set; otherwise pushes are logged.
    expo_push_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    # How long a relay holds a message it is sending; a process killed mid-send delays it this long.
    outbox_lease_s: int = Field(default=60, ge=1, le=3600)
    # Claim-send-settle loops per relay: more overlap store writes with provider calls; a process killed
    # mid-burst repeats up to one batch per loop (deduplicated downstream by message id).
    outbox_relay_loops: int = Field(default=4, ge=1, le=16)
    # Media: an S3 bucket when set (credentials from the usual AWS_* variables), else WALKY_DATA_DIR/media.
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    media_url_ttl_s: int = Field(default=300, ge=10, le=7 * 24 * 3600)
    # Objects no media document points to are removed once older than this (an upload under way is younger).
    media_grace_s: int = Field(default=3600, ge=60, le=30 * 24 * 3600)
    media_sweep_s: float = Field(default=600.0, gt=0, le=24 * 3600)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("jwt_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if isinstance(value, str):
            return [secret.strip() for secret in value.split(",") if secret.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_networks(cls, value: object) -> object:
        if isinstance(value, str):
            return [ip_network(item.strip()) for item in value.split(",") if item.strip()]
        return value

    @field_validator(
        "auth_rate_limit",
        "location_rate_limit",
        "api_rate_limit",
        "forgot_password_rate_limit",
        "phone_code_rate_limit",
    )
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            # limits' own message quotes the value; say what is expected instead.
            raise ValueError("not a rate in `limits` notation, e.g. 20/minute") from None
        return value

    @field_validator("map_tile_url")
    @classmethod
    def _valid_tile_url(cls, value: str) -> str:
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise ValueError("WALKY_MAP_TILE_URL must be an http(s) URL such as https://host/{z}/{x}/{y}.png")
        return value

    @model_validator(mode="after")
    def _guards(self) -> Settings:
        problems = self._payments_problems()
        if self.env is Environment.PRODUCTION:
            problems += self._production_problems()
        if problems:
            # One error naming every setting at fault, never a value: the caller prints it as it is.
            raise PydanticCustomError("settings_refused", "\n".join(problems))
        return self

    @property
    def _stripe_configured(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secret)

    def _payments_problems(self) -> list[str]:
        if self.payments is PaymentsMode.STRIPE and not self._stripe_configured:
            return ["WALKY_PAYMENTS=stripe needs WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET"]
        if self.payments is PaymentsMode.OFFLINE and self.stripe_secret_key:
            return ["WALKY_PAYMENTS=offline contradicts WALKY_STRIPE_SECRET_KEY being set: unset one of them"]
        return []

    def _production_problems(self) -> list[str]:
        problems = []
        # Every signing key, the previous ones still accepted included: any of them can sign a token.
        name = "a key of WALKY_JWT_SECRETS" if self.jwt_secrets else "WALKY_JWT_SECRET"
        for key in self.jwt_keys:
            if key == DEV_JWT_SECRET:
                problems.append(f"{name} is the development secret: set a random one in production")
            elif len(key) < MIN_JWT_SECRET_LENGTH or secret_entropy_bits(key) < MIN_JWT_SECRET_BITS:
                problems.append(
                    f"{name} is too weak for production: it needs at least {MIN_JWT_SECRET_LENGTH} characters "
                    f"and {MIN_JWT_SECRET_BITS} bits of entropy (e.g. python -c 'import secrets; "
                    f"print(secrets.token_urlsafe(32))')"
                )
        if not self.mongodb_url:
            problems.append("WALKY_MONGODB_URL is required in production")
        if not self.redis_url:
            problems.append("WALKY_REDIS_URL is required in production")
        if self.payments is not PaymentsMode.OFFLINE and not self._stripe_configured:
            problems.append(
                "WALKY_STRIPE_SECRET_KEY and WALKY_STRIPE_WEBHOOK_SECRET are required in production "
                "(or WALKY_PAYMENTS=offline to take no real money on purpose)"
            )
        return problems

    @property
    def jwt_keys(self) -> list[str]:
        """Signing keys, current first: WALKY_JWT_SECRETS when set, else WALKY_JWT_SECRET alone."""
        return self.jwt_secrets or [self.jwt_secret]

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def verified_email_required(self) -> bool:
        return self.is_production if self.require_verified_email is None else self.require_verified_email

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "walky.sqlite3"

    @property
    def offline_payments(self) -> bool:
        return not self.stripe_secret_key


def describe_errors(exc: ValidationError) -> list[str]:
    """One line per refused setting: its variable name and the reason, never the value it had."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        if error["type"] == "settings_refused":
            lines += error["msg"].splitlines()
        else:
            name = f"WALKY_{str(error['loc'][0]).upper()}" if error["loc"] else "settings"
            lines.append(f"{name}: {error['msg']}")
    return lines
