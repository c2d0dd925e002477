"""`python -m app messages preview [--kind K] [--locale L] [--out DIR]`: every message rendered with sample data.

Writes <out>/<locale>/<kind>.<role>.html (the email's HTML part) and .txt (subject, text part, push, SMS),
and <out>/index.html linking them all, to read or screenshot before a template change ships.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from html import escape
from pathlib import Path

from app.messages.rendering.facts import RecipientRole
from app.messages.rendering.kinds import KINDS
from app.messages.rendering.locales import normalize_locale, shipped_locales
from app.messages.rendering.render import Rendered, render
from app.messages.rendering.samples import SAMPLE_LINKS, sample_for

DEFAULT_OUT = Path("message-previews")


def every_message(kinds: list[str], locales: list[str]) -> Iterator[tuple[str, str, RecipientRole, Rendered]]:
    """(locale, kind, role, rendered) for each kind, each of its roles, each locale: sample data."""
    for locale in locales:
        for kind in kinds:
            for role in KINDS[kind]:
                rendered = render(kind, role, locale, sample_for(kind), SAMPLE_LINKS)
                assert rendered is not None  # every role listed for a kind has its template
                yield locale, kind, role, rendered


def as_text(rendered: Rendered) -> str:
    return (
        f"Subject: {rendered.subject}\n\n{rendered.text}\n"
        f"=== push ===\n{rendered.push_title}\n{rendered.push_body}\n{rendered.app_link}\n\n"
        f"=== sms ({len(rendered.sms)} characters) ===\n{rendered.sms}\n"
    )


def write_previews(out: Path, kinds: list[str], locales: list[str]) -> list[Path]:
    """The preview files written, HTML parts first in each pair."""
    written: list[Path] = []
    for locale, kind, role, rendered in every_message(kinds, locales):
        folder = out / locale
        folder.mkdir(parents=True, exist_ok=True)
        html = folder / f"{kind}.{role.value}.html"
        html.write_text(rendered.html, encoding="utf-8")
        text = html.with_suffix(".txt")
        text.write_text(as_text(rendered), encoding="utf-8")
        written += [html, text]
    links = "\n".join(
        f'<li><a href="{escape(path.relative_to(out).as_posix())}">{escape(path.relative_to(out).as_posix())}</a></li>'
        for path in written
    )
    (out / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><title>Walky messages</title><ul>{links}</ul>\n', encoding="utf-8"
    )
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app messages", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser("preview", help="render every kind for every role and locale to a folder")
    preview.add_argument("--kind", choices=sorted(KINDS), help="only this kind (default: all)")
    preview.add_argument("--locale", help="only this BCP 47 locale (default: every shipped one)")
    preview.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder to write (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        locales = [normalize_locale(args.locale)] if args.locale else list(shipped_locales())
    except ValueError as exc:
        parser.error(str(exc))
    kinds = [args.kind] if args.kind else list(KINDS)
    written = write_previews(args.out, kinds, locales)
    print(f"{len(written) // 2} messages ({len(kinds)} kinds, {len(locales)} locales) in {args.out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
