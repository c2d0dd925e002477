"""`python -m app admin create --email E` as a real process against the embedded SQLite store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.domain.users import Role
from app.settings import Settings
from app.store.sqlite.backend import SqliteBackend
from app.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "admin-pass-1"


def _admin(
    data_dir: Path, *args: str, password: str | None = PASSWORD, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALKY_")}
    env["WALKY_DATA_DIR"] = str(data_dir)
    if password is not None:
        env["WALKY_ADMIN_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "app", "admin", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )


async def test_admin_create_writes_an_admin_to_the_configured_store(tmp_path: Path) -> None:
    made = _admin(tmp_path, "create", "--email", "Root@Example.com")
    assert made.returncode == 0, made.stderr
    assert "root@example.com" in made.stdout

    again = _admin(tmp_path, "create", "--email", "root@example.com")
    assert again.returncode == 1 and "already exists" in again.stderr

    store = Store(SqliteBackend(Settings(data_dir=tmp_path, _env_file=None).sqlite_path))
    await store.setup()
    try:
        user = await store.users.by_email("root@example.com")
    finally:
        await store.close()
    assert user is not None and user.role is Role.ADMIN and user.password_hash != PASSWORD


def test_admin_create_refuses_a_weak_password_without_echoing_it(tmp_path: Path) -> None:
    weak = _admin(tmp_path, "create", "--email", "root@example.com", password="zq1")
    assert weak.returncode == 1
    assert "password" in weak.stderr and "zq1" not in weak.stderr
    bad_email = _admin(tmp_path, "create", "--email", "not-an-email")
    assert bad_email.returncode == 1 and "email" in bad_email.stderr
    assert _admin(tmp_path, "create").returncode == 2  # argparse: --email is required


def test_admin_create_prompts_for_the_password_twice(tmp_path: Path) -> None:
    # Without a terminal, getpass reads the answers from standard input.
    differ = _admin(
        tmp_path, "create", "--email", "root@example.com", password=None, stdin="admin-pass-1\nother-pass-2\n"
    )
    assert differ.returncode == 1 and "differ" in differ.stderr
    made = _admin(tmp_path, "create", "--email", "root@example.com", password=None, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert made.returncode == 0, made.stderr
