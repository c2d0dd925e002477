"""`python -m app admin create --email E`: make a platform admin account in the configured store.

The password comes from WALKY_ADMIN_PASSWORD when set, else from a prompt (typed twice, not echoed).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from pydantic import ValidationError

from app.auth.passwords import Passwords
from app.clock import SystemClock
from app.composition import build_store_backend
from app.errors import Conflict
from app.settings import Settings
from app.store.store import Store
from app.usecases.admin import AdminAccount, create_admin

PASSWORD_VARIABLE = "WALKY_ADMIN_PASSWORD"


def _password() -> str | None:
    given = os.environ.get(PASSWORD_VARIABLE)
    if given is not None:
        return given
    first = getpass.getpass("Password for the new admin: ")
    if getpass.getpass("Again: ") != first:
        print("walky: the passwords differ", file=sys.stderr)
        return None
    return first


async def _create(settings: Settings, account: AdminAccount) -> str:
    store = Store(build_store_backend(settings))
    await store.setup()
    try:
        user = await create_admin(store, Passwords(), SystemClock(), account)
    finally:
        await store.close()
    return user.id


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app admin", description="Platform admin accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help=f"make an admin account (password: {PASSWORD_VARIABLE} or prompt)")
    create.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"walky: invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    password = _password()
    if password is None:
        return 1
    try:
        account = AdminAccount(email=args.email, password=password)
    except ValidationError as exc:
        # Names the field and the reason, never the value (the password).
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"walky: {reasons}", file=sys.stderr)
        return 1
    try:
        user_id = asyncio.run(_create(settings, account))
    except Conflict as exc:
        print(f"walky: {exc}", file=sys.stderr)
        return 1
    print(f"admin {account.email} created (id {user_id})")
    return 0
