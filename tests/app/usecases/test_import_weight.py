"""Importing a use case loads no framework, driver or SDK: each capability reaches them only through the ports
it is given, so its module can be read, run and tested on the memory adapters alone.

Each module is imported in a fresh process (forked from one that has imported nothing of the project), since
this test's own process has long loaded everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ["socketio", "engineio", "uvicorn", "starlette", "fastapi", "redis", "stripe", "boto3", "aiosmtplib", "pymongo"]
HEAVY += ["httpx"]

_PROBE = """
import importlib, json, os, sys
heavy, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
# What every use case may load is imported once, before forking, so each child imports only its own part.
for name in ("pydantic", "structlog", "shapely", "h3", "app.usecases.inputs", "app.domain.bookings"):
    importlib.import_module(name)
found = {"(preloaded)": [h for h in heavy if h in sys.modules]}
for name in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        importlib.import_module(name)
        loaded = [h for h in heavy if h in sys.modules]
        os.write(write, json.dumps(loaded).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        found[name] = json.loads(pipe.read() or '["(import failed)"]')
    os.waitpid(pid, 0)
print(json.dumps(found))
"""


def use_case_modules() -> list[str]:
    names = []
    for package in ("app/usecases", "app/dispatch"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_there_are_use_cases_to_weigh() -> None:
    modules = use_case_modules()
    assert "app.usecases.bookings.lifecycle" in modules
    assert "app.usecases.live.ingestion" in modules
    assert "app.dispatch.dispatcher" in modules


def test_importing_a_use_case_loads_no_framework_driver_or_sdk() -> None:
    modules = use_case_modules()
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), json.dumps(modules)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    loaded = json.loads(out.stdout)
    assert set(loaded) == {*modules, "(preloaded)"}
    assert {name: heavy for name, heavy in loaded.items() if heavy} == {}


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: a module known to load Redis is reported."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), json.dumps(["app.live.redis_live_index"])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(out.stdout)
    assert loaded["(preloaded)"] == []
    assert "redis" in loaded["app.live.redis_live_index"]
