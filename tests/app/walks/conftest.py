"""Walk tests send many fixes a second (a walk replayed fast)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", location_rate_limit="1000/second", _env_file=None)
