"""Keep the message catalogs in step with the templates: extract, update every language, compile.

    python scripts/messages_catalogs.py            # after changing a template's text or a translation
    python scripts/messages_catalogs.py --init fr  # start a new language: translate locale/fr/.../messages.po

The compiled `.mo` files are committed beside their `.po` and shipped as package data (pyproject.toml), so
an install needs no build step; tests/app/messages/rendering/test_catalogs.py fails when they fall behind.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "app" / "messages" / "rendering" / "locale"
TEMPLATE = LOCALE / "messages.pot"


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--init", metavar="LANG", help="start the catalog of a new language")
    args = parser.parse_args()
    pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), "--no-location", "--sort-output", "--omit-header",
        "-o", str(TEMPLATE), str(ROOT),
    )  # fmt: skip
    if args.init:
        pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALE), "-l", args.init)
    pybabel("update", "-i", str(TEMPLATE), "-d", str(LOCALE), "--no-fuzzy-matching")
    pybabel("compile", "-d", str(LOCALE), "--statistics")


if __name__ == "__main__":
    main()
