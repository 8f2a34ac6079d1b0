"""Text a database can store: one check for every free-text field a user fills in.

SQLite stores any text of any length; PostgreSQL refuses a NUL character in text and
anything longer than a ``VARCHAR(n)``. Both engines must take the same input, so the
services refuse both with a message naming the field, before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import fields
from typing import Any


def text_problems(model: type[Any], values: Mapping[str, object]) -> dict[str, str]:
    """Problems with the text ``values`` (stored stripped) for ``model``'s columns of the
    same names: a NUL character, or longer than the column holds."""
    problems: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, str):
            problem = _problem(value, _limit(model, name))
            if problem:
                problems[name] = problem
    return problems


def holds_nul(*texts: str | None) -> bool:
    """A search for text with a NUL character can match nothing stored (none can be),
    and PostgreSQL refuses it even in a query: such a search returns nothing."""
    return any(t is not None and "\x00" in t for t in texts)


def input_problems(model: type[Any], data: object) -> dict[str, str]:
    """:func:`text_problems` for every text attribute of the input dataclass ``data``
    that is stored in a column of the same name (checked for each imported row: kept
    cheap by working out the fields once per kind of input)."""
    problems: dict[str, str] = {}
    for name, limit in _stored_fields(model, type(data)):
        value = getattr(data, name)
        # the usual case (nothing wrong) costs one test per field, no call
        if isinstance(value, str) and (
            "\x00" in value or (limit is not None and len(value) > limit)
        ):
            problem = _problem(value, limit)
            if problem:
                problems[name] = problem
    return problems


def _problem(value: str, limit: int | None) -> str:
    if "\x00" in value:
        return "contains a NUL character, which cannot be stored; remove it"
    if limit is not None and len(value) > limit and len(value.strip()) > limit:
        return f"too long: {len(value.strip())} characters, at most {limit}"
    return ""


def _limit(model: type[Any], column: str) -> int | None:
    return getattr(model.__table__.c[column].type, "length", None)


_FIELDS: dict[tuple[type[Any], type[Any]], tuple[tuple[str, int | None], ...]] = {}


def _stored_fields(model: type[Any], kind: type[Any]) -> tuple[tuple[str, int | None], ...]:
    key = (model, kind)
    if key not in _FIELDS:
        columns = model.__table__.c
        _FIELDS[key] = tuple(
            (f.name, _limit(model, f.name)) for f in fields(kind) if f.name in columns
        )
    return _FIELDS[key]


# --- invisible and control characters ----------------------------------------------------

#: characters that change how text looks without being seen, or control a terminal:
#: C0/C1 controls, zero-width space and no-break, soft hyphen, bidi marks, embeddings,
#: overrides and isolates (tab, line feed and carriage return are allowed in free text)
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff]"
)
#: an identifier (MRN, national number) may hold none of them, nor tab or line breaks
_NOT_IN_IDENTIFIER = re.compile(_INVISIBLE.pattern[:-1] + "\t\n\r]")


def clean_text(value: str) -> str:
    """Free text as it is stored: NFC-normalised, invisible and control characters
    removed (a name pasted with a bidi override reads as it is stored)."""
    if value.isprintable():  # the usual case: no control or format character at all
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", value))


def identifier_problem(value: str) -> str:
    """Why an identifier (MRN, national number) cannot be stored as typed: an invisible
    or control character would make a second patient that looks identical."""
    found = None if value.isprintable() else _NOT_IN_IDENTIFIER.search(value)
    if found is None:
        return ""
    return f"contains an invisible or control character (U+{ord(found.group()):04X}); remove it"


def normalised_identifier(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFC", value)
