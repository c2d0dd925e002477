"""SMS texts within one GSM-7 segment (160 characters) where they can be. Pure.

A single character outside GSM-7 (an `á`, a narrow no-break space from a time format) sends the whole SMS
as UCS-2, 70 characters a segment; so letters GSM-7 lacks lose their accent, and the address, the only
part of unbounded length, is shortened when the text would not fit.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

SEGMENT = 160
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7 = frozenset(_BASIC)
# Sent as an escape and the character: two septets each.
GSM7_EXTENDED = frozenset("^{}\\[~]|€")
_SPACES = {"\u00a0", "\u202f", "\u2009", "\u2007"}
_SUBSTITUTES = {
    "\u2026": "...",  # ellipsis
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00b7": "-",  # middle dot
}
ELLIPSIS = "..."
MIN_ADDRESS = 8


def to_gsm7(text: str) -> str:
    """Each character kept if GSM-7 has it, else its unaccented letter or a plain substitute; `?` otherwise."""
    out: list[str] = []
    for char in text:
        if char in GSM7 or char in GSM7_EXTENDED:
            out.append(char)
        elif char in _SPACES:
            out.append(" ")
        elif char in _SUBSTITUTES:
            out.append(_SUBSTITUTES[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base and all(c in GSM7 for c in base) else "?")
    return "".join(out)


def septets(text: str) -> int:
    return sum(2 if char in GSM7_EXTENDED else 1 for char in text)


def fit(render: Callable[[str], str], address: str) -> str:
    """The SMS rendered with the address, shortened if that makes it fit one segment; else the full text
    (a longer SMS, in several segments, rather than one that loses the rest)."""
    text = to_gsm7(render(address))
    over = septets(text) - SEGMENT
    if over <= 0:
        return text
    keep = len(address) - over - len(ELLIPSIS)
    if keep < MIN_ADDRESS:
        return text
    shorter = to_gsm7(render(address[:keep].rstrip(" ,") + ELLIPSIS))
    return shorter if septets(shorter) <= SEGMENT else text
