"""Engine, sessions and opening of an mdtboard database.

One :class:`Database` per open database; a short-lived session per user
action (:meth:`Database.unit_of_work` for writes, :meth:`Database.reader`
for reads). There is no global session. Which database to open
(:func:`resolve_target`) and the checks of a SQLite file made before
SQLAlchemy is loaded live in :mod:`mdtboard.store.location`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import DataError as SADataError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from mdtboard.store import schema
from mdtboard.store.errors import (
    DatabaseMissing,
    DatabaseUnavailable,
    NotAnMdtboardDatabase,
    SchemaTooNew,
    ValueNotStored,
)
from mdtboard.store.location import (
    BUSY_TIMEOUT_MS,
    SQLITE_HEADER,
    Target,
    check_revision,
    check_sqlite_target,
    explain_operational_error,
    inspect_sqlite_file,
    parse_url,
    resolve_target,
    sqlite_url,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "SQLITE_HEADER",
    "Database",
    "Target",
    "check_revision",
    "explain_operational_error",
    "inspect_sqlite_file",
    "make_engine",
    "open_database",
    "resolve_target",
    "sqlite_url",
]


def _install_sqlite_pragmas(engine: Engine, *, encrypted: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (DEFERRED or IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if encrypted:  # a wrong passphrase is reported once, by us, not by SQLCipher's log
            cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    u = parse_url(url)
    if u.get_backend_name() == "sqlite":
        engine = create_engine(
            u,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine, encrypted=u.get_driver_name() == "pysqlcipher")
        return engine
    return create_engine(u, pool_pre_ping=True)


class Database:
    """An open mdtboard database: engine plus session factories."""

    def __init__(self, target: Target | str) -> None:
        self.target = target if isinstance(target, Target) else Target(target)
        self.url = self.target.url
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        write_bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._writer = sessionmaker(bind=write_bind, expire_on_commit=False)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        event.listen(self._writer, "after_commit", _keep_witness)
        event.listen(self._writer, "after_rollback", _drop_witness)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed as a whole on success, else rolled back. On
        PostgreSQL a write waits for a lock at most ``MDTBOARD_BUSY_TIMEOUT_MS`` (as a
        SQLite write does), and a statement runs at most six times that (60 s or more),
        so a blocked write fails in one clear line instead of waiting for ever."""
        session = self._writer()
        try:
            if self.dialect == "postgresql":
                statement_ms = max(6 * BUSY_TIMEOUT_MS, 60_000)
                session.execute(text(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}"))
                session.execute(text(f"SET LOCAL statement_timeout = {int(statement_ms)}"))
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise DatabaseUnavailable(explain_operational_error(exc, self.target.display)) from exc
        except SADataError as exc:  # its message can hold the value: not shown
            session.rollback()
            raise ValueNotStored(
                "the database refused a value (too long, or not valid text); nothing was saved"
            ) from exc
        except SADatabaseError as exc:
            session.rollback()
            if _is_damage(exc):  # a damaged page met by the write: one sentence, no detail
                raise DatabaseUnavailable(
                    explain_operational_error(exc, self.target.display)
                ) from exc
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        except SADatabaseError as exc:
            if _is_damage(exc):
                raise DatabaseUnavailable(
                    explain_operational_error(exc, self.target.display, "read")
                ) from exc
            raise
        finally:
            session.close()  # ends the read transaction; loaded objects stay readable

    def dispose(self) -> None:
        self.engine.dispose()


def _keep_witness(session: Session) -> None:
    """After a commit that appended audit events: this workstation's witness moves on."""
    from mdtboard.store import audit, witness

    pending = session.info.pop(audit.PENDING_WITNESS, None)
    if pending is not None:
        seen, key = pending
        witness.save(key, seen)


def _drop_witness(session: Session) -> None:
    from mdtboard.store import audit

    session.info.pop(audit.PENDING_WITNESS, None)


def _is_damage(exc: SADatabaseError) -> bool:
    text_ = str(exc.orig).lower()
    return "malformed" in text_ or "not a database" in text_


def sync_id_sequences(session: Session, tables: list[str]) -> None:
    """After rows were inserted with explicit ids (bulk demo data), move PostgreSQL's id
    sequences past them. SQLite needs nothing: its next rowid follows the largest."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )


# --- opening --------------------------------------------------------------


def _encrypted_revision(db: Database, path: Path) -> str | None:
    try:
        return _server_revision(db)
    except DatabaseUnavailable as exc:
        db.dispose()
        raise NotAnMdtboardDatabase(
            f"{path} cannot be opened: wrong passphrase, or not an encrypted mdtboard database"
        ) from exc
    except Exception:
        db.dispose()
        raise


def _server_revision(db: Database) -> str | None:
    try:
        with db.engine.connect() as conn:
            has_table = db.engine.dialect.has_table(conn, "alembic_version")
            if not has_table:
                names = db.engine.dialect.get_table_names(conn)
                if names:
                    raise NotAnMdtboardDatabase(
                        f"{db.target.display} holds tables but is not an mdtboard database"
                    )
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).fetchone()
    except SADatabaseError as exc:
        raise DatabaseUnavailable(f"cannot connect to {db.target.display}: {exc.orig}") from exc
    return None if row is None else str(row[0])


def open_database(target: Target, *, create: bool = False, upgrade: bool = True) -> Database:
    """Open an existing mdtboard database, upgrading an older schema.

    A missing SQLite file is an error unless ``create`` (or the target is the
    user's default database, which is created on first use). An older
    schema is copied to a backup beside the file, then upgraded; a newer or
    foreign database is refused and left untouched.
    """
    path = target.sqlite_path
    if path is not None and target.encrypted:
        if not path.exists() and not create:
            raise DatabaseMissing(f"database file not found: {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(target)
        revision = _encrypted_revision(db, path)
        check_revision(revision, str(path))
        if revision is not None and revision != schema.HEAD and upgrade:
            from mdtboard.store import migrate

            migrate.backup_encrypted_before_upgrade(db, path, revision)
        path = None  # no plain-SQLite file operations (backups) on an encrypted file
    elif path is not None:
        revision = check_sqlite_target(target, create=create)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(target)
    else:
        db = Database(target)
        revision = _server_revision(db)
        check_revision(revision, target.display)
    if revision != schema.HEAD:
        if not upgrade:
            db.dispose()
            raise SchemaTooNew(f"{target.display} needs a schema upgrade (at {revision})")
        from mdtboard.store import migrate  # alembic only when needed: keeps start-up light

        if revision is not None and path is not None:
            migrate.backup_before_upgrade(db, path, revision)
        try:
            migrate.upgrade(db)
        except OperationalError as exc:  # read-only, busy, disk full (the copy is kept)
            db.dispose()
            reason = explain_operational_error(exc, target.display)
            raise DatabaseUnavailable(f"{reason} (it needs a schema upgrade first)") from exc
    return db
