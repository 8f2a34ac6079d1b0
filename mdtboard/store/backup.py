"""Consistent copies of a SQLite database (the SQLite online backup API)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mdtboard.store.errors import StoreError
from mdtboard.store.outputs import move_into_place


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


def damage(path: Path) -> str | None:
    """``PRAGMA quick_check`` on a SQLite file, read-only: None when it is sound, else
    SQLite's first finding (a damaged page, a broken index)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    return None if rows == ["ok"] else (rows[0] if rows else "no answer")


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
    try:
        move_into_place(tmp, dest)
    except OSError as exc:  # never leave a copy of the data under another name
        tmp.unlink(missing_ok=True)
        raise BackupFailed(f"cannot write {dest}: {exc.strerror or exc}") from exc
    return dest


def automatic_backup(db_path: Path, folder: Path, keep: int, today: str) -> Path | None:
    """Once a day: copy to ``folder/NAME.YYYY-MM-DD.bak``, keep the newest ``keep``.

    Returns the new copy, or None if today's already exists.
    """
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{db_path.stem}.{today}.bak"
    if dest.exists():
        return None
    sqlite_backup(db_path, dest)
    copies = sorted(folder.glob(f"{db_path.stem}.????-??-??.bak"))
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink(missing_ok=True)
    return dest


def backups_folder(db_path: Path) -> Path:
    """Automatic backups live in a "backups" folder beside the database."""
    return db_path.parent / "backups"


def latest_backup(folder: Path, stem: str) -> Path | None:
    copies = sorted(folder.glob(f"{stem}.????-??-??.bak"))
    return copies[-1] if copies else None


def restore(backup: Path, db_path: Path, stamp: str) -> Path | None:
    """Replace ``db_path`` with a checked copy of ``backup``.

    The database being replaced is first copied aside
    (``NAME.replaced-STAMP.bak``); that copy is returned.
    """
    from mdtboard.store.location import inspect_sqlite_file

    if inspect_sqlite_file(backup) is None:  # refuses a foreign or newer file too
        raise BackupFailed(f"{backup} is an empty database; nothing was restored")
    if not integrity_ok(backup):
        raise BackupFailed(f"{backup} failed its integrity check; nothing was restored")
    kept: Path | None = None
    if db_path.exists():
        kept = _unused(db_path.with_name(f"{db_path.name}.replaced-{stamp}.bak"))
        try:
            sqlite_backup(db_path, kept)
        except BackupFailed:
            # A damaged database cannot go through the backup API: keep its bytes as they are.
            import shutil

            shutil.copyfile(db_path, kept)
    staging = db_path.with_name(db_path.name + ".restoring")
    sqlite_backup(backup, staging)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    staging.replace(db_path)
    return kept


def _unused(path: Path) -> Path:
    """``path``, or the same name with -2, -3 … if it is taken (two restores in one
    second must not overwrite the copy the first one kept)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate
