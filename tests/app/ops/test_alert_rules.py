"""deploy/prometheus/alerts.yml passes `promtool check rules` and its unit tests (`promtool test rules`).

promtool comes from Debian's `prometheus` package (`scripts/bootstrap --test` installs it). Without it the
tests skip, except in CI (CI=true), where a missing promtool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.server_process import ROOT

RULES = ROOT / "deploy" / "prometheus"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is missing in CI: install Debian's prometheus package (scripts/bootstrap --test)")
        pytest.skip("promtool is not installed (Debian package prometheus)")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], cwd=RULES, capture_output=True, text=True, timeout=60, check=False)


def test_alert_rules_are_valid() -> None:
    checked = run("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_alert_rules_pass_their_unit_tests() -> None:
    tested = run("test", "rules", "alerts.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_objective_has_an_alert() -> None:
    rules = (RULES / "alerts.yml").read_text()
    for alert in (
        "WalkyInstanceDown",
        "WalkyAvailabilityBudgetBurn",
        "WalkyErrorRateHigh",
        "WalkyRestLatencyHigh",
        "WalkyFixFanoutLatencyHigh",
    ):
        assert f"alert: {alert}" in rules
        assert f"alertname: {alert}" in (RULES / "alerts.test.yml").read_text()
