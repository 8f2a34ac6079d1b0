"""Encryption at rest with SQLCipher: created, migrated, opened; unreadable without the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip(
    "sqlcipher3", reason="the encryption extra (sqlcipher3-binary) is not installed"
)


def url(path: Path, passphrase: str) -> str:
    return f"sqlite+pysqlcipher://:{passphrase}@/{path}"


def mdt(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "MDTBOARD_DATABASE_URL": database_url},
    )


def test_encrypted_database_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "secret.db"
    made = mdt("demo", "--cases", "12", database_url=url(path, "correct horse"))
    assert made.returncode == 0, made.stderr
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"DEMO0000001" not in raw and b"alembic_version" not in raw
    ok = mdt("check", database_url=url(path, "correct horse"))
    assert ok.returncode == 0 and "schema" in ok.stdout and "12 referrals" in ok.stdout
    verify = mdt("audit", "verify", database_url=url(path, "correct horse"))
    assert verify.returncode == 0, verify.stderr
    wrong = mdt("check", database_url=url(path, "battery staple"))
    assert wrong.returncode == 1
    assert wrong.stderr.strip().splitlines() == [
        f"mdtboard: error: {path} cannot be opened: wrong passphrase, or not an encrypted "
        "mdtboard database"
    ]
    backup = mdt("backup", "--to", str(tmp_path / "b.db"), database_url=url(path, "correct horse"))
    assert backup.returncode == 1 and "encrypted" in backup.stderr


def test_migrations_run_on_an_encrypted_database(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from mdtboard.store import migrate, schema
    from mdtboard.store.db import Target, open_database

    db = open_database(Target(url(tmp_path / "m.db", "pw")), create=True)
    try:
        migrate.downgrade(db, schema.REVISIONS[0])
        migrate.upgrade(db)
        assert "referrals" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_an_older_encrypted_database_is_copied_encrypted_before_its_upgrade(
    tmp_path: Path,
) -> None:
    import sqlcipher3

    from mdtboard.store import migrate, schema
    from mdtboard.store.db import Target, open_database

    path = tmp_path / "old.db"
    db = open_database(Target(url(path, "pw")), create=True)
    migrate.downgrade(db, schema.REVISIONS[-2])
    db.dispose()
    again = open_database(Target(url(path, "pw")))  # upgrades to the current schema
    again.dispose()
    backups = list(tmp_path.glob(f"old.db.schema-{schema.REVISIONS[-2]}.*.bak"))
    assert len(backups) == 1
    assert not backups[0].read_bytes().startswith(b"SQLite format 3")  # still encrypted
    conn = sqlcipher3.connect(str(backups[0]))
    conn.execute("PRAGMA key = 'pw'")
    assert (
        conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        == (schema.REVISIONS[-2])
    )
    conn.close()
