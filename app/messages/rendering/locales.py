"""Locales: BCP 47 tags checked against Babel's data, and the gettext catalogs shipped (locale/<lang>/)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

from app.domain.users import DEFAULT_LOCALE

CATALOGS = Path(__file__).parent / "locale"
DOMAIN = "messages"
MAX_TAG_LENGTH = 35


def normalize_locale(tag: str) -> str:
    """The BCP 47 form of a tag Babel knows (`es_mx` -> `es-MX`); ValueError otherwise."""
    if not tag or len(tag) > MAX_TAG_LENGTH:
        raise ValueError(f"a locale is a BCP 47 tag of 1 to {MAX_TAG_LENGTH} characters, such as en or es-MX")
    try:
        # Babel's `root` data and the undetermined `und` name no language a person reads.
        if tag.replace("_", "-").split("-")[0].lower() in {"root", "und"}:
            raise ValueError(tag)
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError) as exc:
        raise ValueError(f"unknown locale {tag!r}: use a BCP 47 tag such as en or es-MX") from exc
    return "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    """For formatting; a tag stored before it was checked falls back to the default."""
    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LOCALE)


@lru_cache(maxsize=64)
def translations(tag: str) -> NullTranslations:
    """The catalog for the tag's language (es-MX reads es); English is the templates' own text."""
    locale = babel_locale(tag)
    return Translations.load(str(CATALOGS), [str(locale), locale.language], DOMAIN)


def shipped_locales() -> tuple[str, ...]:
    """The default and every language with a compiled catalog."""
    found = sorted(path.parent.parent.name for path in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (DEFAULT_LOCALE, *found)
