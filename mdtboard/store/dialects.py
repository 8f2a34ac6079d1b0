"""The few places where SQLite and PostgreSQL want different SQL, behind one API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement


def dialect_of(session: Session) -> str:
    return str(session.get_bind().dialect.name)


def contains_ci(column: Any, pattern: str, dialect: str) -> ColumnElement[bool]:
    """Case-insensitive LIKE with ``\\`` as escape. SQLite's LIKE already ignores ASCII
    case (ILIKE there would only wrap every row in lower()); PostgreSQL needs ILIKE,
    which its trigram indexes serve."""
    if dialect == "sqlite":
        return column.like(pattern, escape="\\")  # type: ignore[no-any-return]
    return column.ilike(pattern, escape="\\")  # type: ignore[no-any-return]


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows that all have the same keys, in the session's transaction.

    SQLite: the statement is compiled once and each value goes through its column
    type's own bind processor, column by column, straight into the driver's
    ``executemany`` (what SQLAlchemy does per row, without building a parameter
    dictionary for every row). Stored values are the same as through ``insert()``.
    Elsewhere, or when the table would add client-side defaults: plain ``insert()``.
    """
    if not rows:
        return
    keys = list(rows[0])
    if dialect_of(session) != "sqlite":
        session.execute(insert(table), list(rows))
        return
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or ())
    if sorted(order) != sorted(keys):  # client-side defaults to fill in: the general path
        session.execute(insert(table), list(rows))
        return
    procs = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in order]
    columns = []
    for key, proc in zip(order, procs, strict=True):
        values = [row[key] for row in rows]
        columns.append(values if proc is None else _processed(proc, values))
    conn.exec_driver_sql(str(compiled), list(zip(*columns, strict=True)))


def _processed(proc: Any, values: list[Any]) -> list[Any]:
    """Each value through the bind processor, once per distinct value in this call (a
    bulk insert repeats its timestamps, choices and dates): equal values of one column
    type bind alike, so the memo cannot change what is stored."""
    memo: dict[Any, Any] = {}
    out = []
    for v in values:
        try:
            bound = memo[v]
        except KeyError:
            bound = memo[v] = proc(v)
        except TypeError:  # unhashable (a JSON value): no memo
            bound = proc(v)
        out.append(bound)
    return out


def insert_returning_ids(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> list[int]:
    """Insert rows; return their new ids in row order.

    SQLite: the writer holds the database lock (BEGIN IMMEDIATE), so new rowids follow
    the current maximum in insertion order: one executemany and one SELECT, far faster
    than RETURNING row by row. Elsewhere: INSERT … RETURNING in parameter order.
    """
    id_col = table.c.id
    if dialect_of(session) != "sqlite":
        stmt = insert(table).returning(id_col, sort_by_parameter_order=True)
        return [int(i) for i in session.execute(stmt, list(rows)).scalars()]
    before = session.execute(select(func.coalesce(func.max(id_col), 0))).scalar_one()
    bulk_insert(session, table, rows)
    ids = [
        int(i)
        for i in session.execute(select(id_col).where(id_col > before).order_by(id_col)).scalars()
    ]
    if len(ids) != len(rows):
        raise RuntimeError("new ids were not assigned in order")
    return ids
