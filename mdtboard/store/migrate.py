"""Alembic, driven from the app's own engine (imported only when needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from mdtboard.store.backup import sqlite_backup
from mdtboard.store.db import Database
from mdtboard.store.paths import migrations_dir


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
    """For autogenerate and ``alembic check``: PostgreSQL's trigram search indexes
    (revision 0004) live outside the models."""
    return not (type_ == "index" and name is not None and name.endswith("_trgm"))


def alembic_config(db: Database | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if db is not None:
        cfg.attributes["engine"] = db.engine
    return cfg


def script_revisions() -> tuple[str, ...]:
    """Every revision in the migrations folder, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return tuple(reversed([rev.revision for rev in script.walk_revisions()]))


def _run(db: Database, fn: str, revision: str) -> None:
    cfg = alembic_config(db)
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            # Batch migrations copy tables; foreign keys are checked afterwards instead.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            cfg.attributes["connection"] = conn
            getattr(command, fn)(cfg, revision)
            conn.commit()
            if db.dialect == "sqlite":
                raw = conn.connection.dbapi_connection
                problems = raw.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
                if problems:
                    raise RuntimeError(f"migration left broken foreign keys: {problems[:3]}")
        finally:
            if db.dialect == "sqlite":
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(db: Database, revision: str = "head") -> None:
    _run(db, "upgrade", revision)


def downgrade(db: Database, revision: str) -> None:
    _run(db, "downgrade", revision)


def backup_before_upgrade(db: Database, path: Path, revision: str) -> Path:
    """Copy the database beside itself before an upgrade; the name holds the old revision."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.schema-{revision}.{stamp}.bak")
    sqlite_backup(path, dest)
    return dest


def backup_encrypted_before_upgrade(db: Database, path: Path, revision: str) -> Path:
    """An encrypted database is copied as it is (still encrypted, same passphrase) once
    its write-ahead log is folded in and every connection is closed."""
    import shutil

    from sqlalchemy import text

    with db.engine.connect() as conn:
        busy = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone()
    db.engine.dispose()
    if busy is not None and busy[0] != 0:  # another program still reads it: no sound copy
        from mdtboard.store.errors import DatabaseUnavailable

        raise DatabaseUnavailable(
            f"{path} is open in another program; close it there, then open it here to "
            "upgrade (a copy is made first)"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.schema-{revision}.{stamp}.bak")
    tmp = dest.with_name(dest.name + ".partial")
    shutil.copyfile(path, tmp)
    tmp.replace(dest)
    return dest
