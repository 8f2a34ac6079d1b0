"""Consistent copies of a SQLite database (the SQLite online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mdtboard.store.errors import StoreError


class BackupFailed(StoreError):
    pass


def integrity_ok(path: Path) -> bool:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("PRAGMA integrity_check").fetchone()
        return row is not None and row[0] == "ok"
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def sqlite_backup(source: Path, dest: Path) -> Path:
    """Copy ``source`` to ``dest`` with the backup API, then check the copy.

    The copy is written to a temporary name and renamed only once it passes
    ``integrity_check``, so ``dest`` is never a half-written file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupFailed(f"backup of {source} failed: {exc}") from exc
    finally:
        src.close()
    if not integrity_ok(tmp):
        tmp.unlink(missing_ok=True)
        raise BackupFailed(f"backup copy of {source} failed its integrity check")
    tmp.replace(dest)
    return dest
