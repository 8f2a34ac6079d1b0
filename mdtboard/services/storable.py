"""Text a database can store: one check for every free-text field a user fills in.

SQLite stores any text of any length; PostgreSQL refuses a NUL character in text and
anything longer than a ``VARCHAR(n)``. Both engines must take the same input, so the
services refuse both with a message naming the field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text_problems(model: type[Any], values: Mapping[str, object]) -> dict[str, str]:
    """Problems with the text ``values`` (stored stripped) for ``model``'s columns of the
    same names: a NUL character, or longer than the column holds."""
    problems: dict[str, str] = {}
    columns = model.__table__.c
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            problems[name] = "contains a NUL character, which cannot be stored; remove it"
            continue
        limit = getattr(columns[name].type, "length", None)
        size = len(value.strip())
        if limit is not None and size > limit:
            problems[name] = f"too long: {size} characters, at most {limit}"
    return problems


def input_problems(model: type[Any], data: object) -> dict[str, str]:
    """:func:`text_problems` for every text attribute of the input dataclass ``data``
    that is stored in a column of the same name."""
    from dataclasses import fields

    columns = model.__table__.c
    values = {
        f.name: getattr(data, f.name)
        for f in fields(data)  # type: ignore[arg-type]
        if f.name in columns and isinstance(getattr(data, f.name), str)
    }
    return text_problems(model, values)
