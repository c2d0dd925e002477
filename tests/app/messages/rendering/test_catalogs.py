"""The catalogs: a translation is a file, complete and compiled, and a locale is a checked BCP 47 tag."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from app.messages.rendering.locales import CATALOGS, normalize_locale, shipped_locales

ROOT = Path(__file__).resolve().parents[4]


def test_spanish_ships_and_every_message_is_translated() -> None:
    assert shipped_locales() == ("en", "es")
    with (CATALOGS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    untranslated = [message.id for message in catalog if message.id and not message.string]
    assert untranslated == []
    assert not [message.id for message in catalog if message.id and message.fuzzy]


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    """Run scripts/messages_catalogs.py after editing a .po: the shipped .mo must say the same."""
    folder = CATALOGS / "es" / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, shipped = read_po(po), read_mo(mo)
    compiled = BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    assert {m.id: m.string for m in read_mo(compiled) if m.id} == {m.id: m.string for m in shipped if m.id}


def test_the_template_is_in_step_with_the_templates() -> None:
    """A new or changed sentence in a template: run scripts/messages_catalogs.py and translate it."""
    with (CATALOGS / "messages.pot").open("rb") as pot:
        extracted = {message.id for message in read_po(pot) if message.id}
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    current = {
        found[2]
        for found in extract_from_dir(str(ROOT), method_map, options_map)
        if isinstance(found[2], str) and found[0].startswith("app/messages/rendering")
    }
    assert current == extracted


@pytest.mark.parametrize(("tag", "canonical"), [("en", "en"), ("es", "es"), ("es-mx", "es-MX"), ("pt_BR", "pt-BR")])
def test_locales_are_stored_in_their_bcp47_form(tag: str, canonical: str) -> None:
    assert normalize_locale(tag) == canonical


@pytest.mark.parametrize("tag", ["", "xx", "english", "es-!!", "root", "und", "e" * 40])
def test_unknown_locales_are_refused(tag: str) -> None:
    with pytest.raises(ValueError, match="locale"):
        normalize_locale(tag)
