"""Which database to open, and what a SQLite file holds, without loading SQLAlchemy.

The desktop app paints its window before the database layer is imported
(``ui.app``); everything it needs to refuse a wrong file first lives here and
uses only the standard library. URL resolution, first match wins: ``--db PATH``
on the command line, ``MDTBOARD_DATABASE_URL`` (any SQLAlchemy URL),
``MDTBOARD_DB`` (a SQLite file path), the default file in the user data folder.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdtboard.store import schema
from mdtboard.store.errors import (
    DatabaseDamaged,
    DatabaseMissing,
    DatabaseUnavailable,
    NotAnMdtboardDatabase,
    SchemaTooNew,
    StoreError,
)
from mdtboard.store.paths import default_db_path

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

PLAIN_SQLITE_PREFIX = "sqlite:///"
SQLITE_HEADER = b"SQLite format 3\x00"


def _busy_timeout_ms(raw: str | None) -> int:
    """``MDTBOARD_BUSY_TIMEOUT_MS``: a whole number of milliseconds; anything else is
    ignored (with the default, 10 s) rather than stopping every command."""
    try:
        value = int(raw) if raw is not None else 10000
    except ValueError:
        return 10000
    return value if 0 <= value <= 600_000 else 10000


#: how long a write waits for another writer before giving up (MDTBOARD_BUSY_TIMEOUT_MS)
BUSY_TIMEOUT_MS = _busy_timeout_ms(os.environ.get("MDTBOARD_BUSY_TIMEOUT_MS"))


@dataclass(frozen=True)
class Target:
    """Which database to open, and whether it is the user's default one."""

    url: str
    is_default: bool = False

    @property
    def sqlite_path(self) -> Path | None:
        database = _plain_sqlite_database(self.url)
        if database is None:
            u = parse_url(self.url)
            if u.get_backend_name() != "sqlite":
                return None
            database = u.database
        if not database or database == ":memory:":
            return None
        return Path(database)

    @property
    def encrypted(self) -> bool:
        """A SQLCipher database (``sqlite+pysqlcipher://:PASSPHRASE@/path``)."""
        if _plain_sqlite_database(self.url) is not None:
            return False
        return parse_url(self.url).get_driver_name() == "pysqlcipher"

    def with_path(self, path: Path) -> Target:
        """The same kind of SQLite database (plain or encrypted) at another path."""
        return Target(parse_url(self.url).set(database=str(path)).render_as_string(False))

    @property
    def display(self) -> str:
        path = self.sqlite_path
        if path is not None:
            return str(path)
        return parse_url(self.url).render_as_string(hide_password=True)


def parse_url(url: str) -> URL:
    """SQLAlchemy's reading of a database URL (loads SQLAlchemy); a string that is not a
    URL is refused in one sentence."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except ArgumentError:
        raise NotAnMdtboardDatabase(
            "MDTBOARD_DATABASE_URL is not a database URL "
            "(for example postgresql+psycopg://user@host/dbname)"
        ) from None


def _plain_sqlite_database(url: str) -> str | None:
    """The database part of a plain ``sqlite:///…`` URL without options, read the way
    SQLAlchemy reads it; None for any other URL (then SQLAlchemy parses it)."""
    if url.startswith(PLAIN_SQLITE_PREFIX) and "?" not in url:
        return url[len(PLAIN_SQLITE_PREFIX) :]
    return None


def sqlite_url(path: Path | str) -> str:
    """The SQLAlchemy URL of a plain SQLite file (what ``URL.create`` renders).

    A ``?`` would start the URL's options, and another file would be opened: refused.
    """
    text = str(Path(path))
    if "?" in text:
        raise StoreError(f"{text}: a database file name cannot contain '?'; rename the file")
    return PLAIN_SQLITE_PREFIX + text


def resolve_target(db: str | None = None, env: Mapping[str, str] | None = None) -> Target:
    env = os.environ if env is None else env
    if db:
        return Target(sqlite_url(db))
    if env.get("MDTBOARD_DATABASE_URL"):
        return Target(env["MDTBOARD_DATABASE_URL"])
    if env.get("MDTBOARD_DB"):
        return Target(sqlite_url(env["MDTBOARD_DB"]))
    return Target(sqlite_url(default_db_path()), is_default=True)


def sqlite_revision(path: Path) -> str | None:
    """Read the schema revision of a SQLite file without changing it.

    Returns None for an empty database. Raises a :class:`StoreError` subclass
    with a one-line message for anything that is not an mdtboard database.
    """
    if not path.exists():
        raise DatabaseMissing(f"database file not found: {path}")
    if path.is_dir():
        raise NotAnMdtboardDatabase(f"{path} is a folder, not an mdtboard database")
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot read {path}: {exc.strerror}") from exc
    if not header:
        # zero bytes: a database still to be made — unless backups of it exist, when it
        # is a database that lost its contents (restore is offered, nothing is created)
        from mdtboard.store.backup import backups_folder, latest_backup

        backup = latest_backup(backups_folder(path), path.stem)
        if backup is not None:
            raise DatabaseDamaged(
                f"{path} is empty (0 bytes) but backups of it exist; the latest is {backup} "
                f"(mdtboard restore {backup})",
                backup,
            )
        return None
    if header != SQLITE_HEADER:
        raise NotAnMdtboardDatabase(f"{path} is not an mdtboard database (not a SQLite file)")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"cannot open {path}: {exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise NotAnMdtboardDatabase(f"{path} is a SQLite file but not an mdtboard database")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if not _damaged(exc):  # a folder it cannot write its journal in, a lock: not damage
            raise DatabaseUnavailable(explain_operational_error(exc, str(path), "read")) from exc
        raise _damaged_error(path, exc) from exc
    except sqlite3.DatabaseError as exc:
        raise _damaged_error(path, exc) from exc
    finally:
        conn.close()
    if row is None:
        raise NotAnMdtboardDatabase(f"{path} has no schema revision; not an mdtboard database")
    return str(row[0])


def _damaged(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def explain_operational_error(exc: BaseException, where: str, action: str = "written") -> str:
    """A sentence a user can act on, for the usual ways a database cannot be written
    (or, ``action="read"``, read): busy, read-only, disk full, damaged, not openable."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return f"{where} is busy: another program or workstation is writing. Try again."
    if "statement timeout" in text:
        return f"{where} took too long to answer (statement timeout); nothing was saved. Try again."
    if "readonly" in text or "read-only" in text or "read only" in text:
        return f"{where} is read-only: check the file and folder permissions."
    if "disk is full" in text or "database or disk is full" in text:
        return f"the disk holding {where} is full: nothing was saved; free some space."
    if "malformed" in text or "not a database" in text:
        return f"{where} is damaged: restore the latest backup (mdtboard restore FILE)."
    if "unable to open" in text:
        return (
            f"{where} cannot be opened: the file must be readable and its folder writable "
            "(SQLite keeps its journal files beside the database)."
        )
    return f"{where} could not be {action} ({type(getattr(exc, 'orig', exc)).__name__})."


def _damaged_error(path: Path, exc: sqlite3.Error) -> DatabaseDamaged:
    from mdtboard.store.backup import backups_folder, latest_backup

    backup = latest_backup(backups_folder(path), path.stem)
    hint = (
        f"; the latest backup is {backup} (mdtboard restore {backup})"
        if backup
        else "; restore it from a backup (mdtboard restore FILE)"
    )
    return DatabaseDamaged(f"{path} is damaged ({exc}){hint}", backup)


def inspect_sqlite_file(path: Path) -> str | None:
    """The schema revision of an mdtboard SQLite file, read without changing it.

    Raises for a missing, foreign or newer file.
    """
    revision = sqlite_revision(path)
    check_revision(revision, str(path))
    return revision


def check_sqlite_target(target: Target, *, create: bool = False) -> str | None:
    """The checked schema revision of a plain SQLite target's file (a missing, foreign,
    damaged or newer file is refused); None for an empty file, or for one that will be
    created (``create``, or the user's default database on first use)."""
    path = target.sqlite_path
    assert path is not None and not target.encrypted
    if not path.exists() and (create or target.is_default):
        return None
    return inspect_sqlite_file(path)


def check_revision(revision: str | None, where: str) -> None:
    if revision is not None and revision not in schema.REVISIONS:
        raise SchemaTooNew(
            f"{where} was written by a newer version of mdtboard (schema {revision}); "
            f"this version understands up to {schema.HEAD}. Please upgrade mdtboard."
        )


#: the umask that makes every new file 0600 and every new folder 0700
PRIVATE_UMASK = 0o077


def private_files() -> None:
    """Files the app creates from now on (the database and its -wal/-shm, backups,
    replaced copies, exports, logs) are readable by the account alone, whatever the
    umask it was started with. POSIX only; a no-op elsewhere."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def open_to_others(database: Path) -> list[str]:
    """The database files another account could read or write (POSIX mode bits), each
    as "NAME (mode 0644)"; empty when they are private or not on POSIX."""
    if os.name != "posix":
        return []
    found = []
    for path in (database, *(Path(f"{database}{s}") for s in ("-wal", "-shm", "-journal"))):
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            continue
        if mode & 0o077:
            found.append(f"{path.name} (mode {mode:04o})")
    return found
