"""Identity keys: normalised names and document numbers, and custody numbers. Pure functions."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def name_key(*parts: str) -> str:
    """A name without accents, case, punctuation or repeated spaces: "José  Pérez-Ñúñez" and
    "JOSE PEREZ NUNEZ" give the same key."""
    text = " ".join(parts)
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NON_ALNUM.sub(" ", ascii_only).split())


def document_key(number: str) -> str:
    """A document number without spaces, dashes or case: "04567890-1" == "045678901"."""
    return re.sub(r"[^A-Z0-9]", "", number.upper())


def luhn_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def custody_number(year: int, seq: int) -> str:
    """e.g. 2026-000123-4: year, a number within the year, and a check digit that catches a
    mistyped digit or two swapped neighbours."""
    body = f"{year:04d}{seq:06d}"
    return f"{year:04d}-{seq:06d}-{luhn_digit(body)}"


def custody_number_is_valid(value: str) -> bool:
    m = re.fullmatch(r"(\d{4})-(\d{6,})-(\d)", value)
    if not m:
        return False
    return luhn_digit(m.group(1) + m.group(2)) == int(m.group(3))
