"""`python -m app backup|restore` as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.server_process import ROOT


def run_cli(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
