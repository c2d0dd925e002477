"""The libraries whose internals the code relies on (docs/reliance.md) are pinned to one minor series, and
what is installed is in it: an upgrade that slips past the pin fails here before it fails a client."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PINNED = (
    "fastapi",
    "starlette",
    "uvicorn",
    "websockets",
    "python-socketio",
    "python-engineio",
    "redis",
    "hiredis",
)


def requirement(name: str) -> Requirement:
    with (ROOT / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    found = [r for r in map(Requirement, dependencies) if canonicalize_name(r.name) == canonicalize_name(name)]
    assert len(found) == 1, f"{name} is listed {len(found)} times in pyproject.toml's dependencies"
    return found[0]


def minor_series(requirement: Requirement) -> tuple[Version, Version]:
    """(lower, upper) of a pin `>=X.Y[.Z],<X.(Y+1)`; fails on any other form."""
    specs = {spec.operator: Version(spec.version) for spec in requirement.specifier}
    assert len(requirement.specifier) == 2 and set(specs) == {">=", "<"}, f"{requirement} is not `>=X.Y,<X.Y+1`"
    lower, upper = specs[">="], specs["<"]
    assert upper.release == (lower.major, lower.minor + 1), f"{requirement}: the upper bound is not the next minor"
    return lower, upper


@pytest.mark.parametrize("name", PINNED)
def test_each_relied_on_library_is_pinned_to_one_minor_series(name: str) -> None:
    minor_series(requirement(name))


@pytest.mark.parametrize("name", PINNED)
def test_the_installed_version_is_in_the_pinned_series(name: str) -> None:
    pin = requirement(name)
    installed = importlib.metadata.version(name)
    assert pin.specifier.contains(installed, prereleases=True), (
        f"{name} {installed} is installed but pyproject.toml pins {pin.specifier}: run the tests that "
        "docs/reliance.md names for it, then move the pin"
    )


def test_the_reliance_document_covers_every_pinned_library() -> None:
    text = (ROOT / "docs" / "reliance.md").read_text()
    headings = {line.removeprefix("## ").split()[0] for line in text.splitlines() if line.startswith("## ")}
    missing = [name for name in PINNED if name not in headings]
    assert missing == [], f"docs/reliance.md has no section for {missing}"


def test_every_test_the_document_names_exists() -> None:
    """`file::test`, or `::test` for another test of the file named last, each a test function there."""
    text = (ROOT / "docs" / "reliance.md").read_text()
    current: Path | None = None
    missing = []
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", text):
        if path:
            current = ROOT / path
        assert current is not None, name
        if not re.search(rf"^(async )?def {name}\(", current.read_text(), re.MULTILINE):
            missing.append(f"{current.relative_to(ROOT)}::{name}")
    assert missing == []
