"""`python -m app backup|restore` exit statuses and messages (in-process; the real process runs in
test_backup_under_load.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.__main__ import main


def test_backup_then_restore_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WALKY_DATA_DIR", str(tmp_path / "data"))
    assert main(["backup", str(tmp_path / "b")]) == 1
    assert "there is no store" in capsys.readouterr().err
    monkeypatch.setenv("WALKY_ADMIN_PASSWORD", "correct-horse-battery-1")
    assert main(["admin", "create", "--email", "root@example.com"]) == 0
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert "backed up sqlite store" in capsys.readouterr().out
    monkeypatch.setenv("WALKY_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(["restore", str(tmp_path / "b")]) == 0
    assert "restored sqlite store" in capsys.readouterr().out
    assert (tmp_path / "elsewhere" / "walky.sqlite3").is_file()


def test_restore_of_something_that_is_not_a_backup_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WALKY_DATA_DIR", str(tmp_path / "data"))
    assert main(["restore", str(tmp_path)]) == 1
    assert "not a Walky backup" in capsys.readouterr().err


def test_invalid_configuration_is_exit_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WALKY_ENV", "production")
    monkeypatch.setenv("WALKY_JWT_SECRET", "hunter2-hunter2")
    assert main(["backup", str(tmp_path / "b")]) == 2
    refused = capsys.readouterr().err
    assert "invalid configuration" in refused and "WALKY_JWT_SECRET" in refused
    assert "hunter2" not in refused
