from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.auth.token_versions import TokenVersions
from app.auth.tokens import AccessTokens
from app.ratelimit import RateLimiter
from app.settings import Settings
from app.store.store import Store
from tests.app.usecases.accounts.helpers import Ports
from tests.support.clocks import MovableClock


@pytest.fixture
def ports(store: Store, tmp_path: Path) -> Ports:
    # Access tokens expire by the wall clock, so this clock starts at the real now.
    clock = MovableClock(datetime.now(UTC))
    settings = Settings(data_dir=tmp_path, _env_file=None)
    ports = Ports(
        store=store,
        clock=clock,
        settings=settings,
        access_tokens=AccessTokens(settings.jwt_keys, settings.access_token_ttl_s),
        token_versions=TokenVersions(store.users.token_version, monotonic=clock.monotonic),
        limiter=RateLimiter(None, now=clock.monotonic),
    )
    # As the composition root does: a revocation raises the cached token version at once.
    ports.session_channel.subscribe(ports.token_versions.on_signal)
    return ports
