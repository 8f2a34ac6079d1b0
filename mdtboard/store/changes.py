"""Telling other workstations that something changed.

Every service transaction writes an audit event; the audit module calls
:func:`announce` in that same transaction. On PostgreSQL that is a NOTIFY,
delivered when the transaction commits; on SQLite nothing needs sending, as
``PRAGMA data_version`` changes whenever another connection commits.
:class:`ChangeWatcher` is the cheap, non-blocking check a window polls.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from mdtboard.store.db import Database

CHANNEL = "mdtboard_changes"


def announce(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class ChangeWatcher:
    """``changed()`` is True once after someone (another process, or another connection
    of this one) committed a change since the previous call."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._last_version: int | None = None
        path = db.target.sqlite_path
        if db.dialect == "sqlite" and path is not None and not db.target.encrypted:
            self._sqlite = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            self._last_version = self._data_version()
        elif db.dialect == "postgresql":
            import psycopg

            # A connection of its own, outside the pool, in autocommit, to LISTEN on.
            args, kwargs = db.engine.dialect.create_connect_args(db.engine.url)
            conn = psycopg.connect(*args, **{**kwargs, "autocommit": True})
            conn.execute(f"LISTEN {CHANNEL}")
            self._pg = conn

    def _data_version(self) -> int:
        assert self._sqlite is not None
        return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        if self._sqlite is not None:
            try:
                version = self._data_version()
            except sqlite3.Error:
                return False
            if version != self._last_version:
                self._last_version = version
                return True
            return False
        if self._pg is not None:
            try:
                seen = False
                for _note in self._pg.notifies(timeout=0.0, stop_after=64):
                    seen = True
                return seen
            except Exception:  # a dropped connection must not take the window down
                return False
        return False

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            try:
                self._pg.close()
            finally:
                self._pg = None
