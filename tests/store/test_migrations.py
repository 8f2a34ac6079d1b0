"""Migrations: pytest-alembic's standard checks plus mdtboard's opening rules."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import Engine, inspect

from mdtboard.store import migrate, schema
from mdtboard.store.db import Target, make_engine, open_database, sqlite_url
from mdtboard.store.errors import DatabaseMissing, NotAnMdtboardDatabase, SchemaTooNew
from mdtboard.store.models import Base
from mdtboard.store.paths import migrations_dir


@pytest.fixture
def alembic_config() -> Config:
    return migrate.alembic_config()


@pytest.fixture
def alembic_engine(tmp_path: Path) -> Engine:
    return make_engine(sqlite_url(tmp_path / "alembic.db"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_known_revisions_match_the_migrations_folder() -> None:
    assert migrate.script_revisions() == schema.REVISIONS
    assert (migrations_dir() / "env.py").is_file()


def test_fresh_upgrade_creates_every_model_table(tmp_path: Path) -> None:
    db = open_database(Target(sqlite_url(tmp_path / "new.db")), create=True)
    try:
        tables = set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_down_to_base_and_up_again(tmp_path: Path) -> None:
    db = open_database(Target(sqlite_url(tmp_path / "ud.db")), create=True)
    try:
        migrate.downgrade(db, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(db)
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_newer_schema_is_refused_and_file_untouched(demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = sha256(demo_path)
    with pytest.raises(SchemaTooNew, match="newer version of mdtboard"):
        open_database(Target(sqlite_url(demo_path)))
    assert sha256(demo_path) == before


def test_text_file_is_refused_and_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list, not a database\n")
    before = sha256(notes)
    with pytest.raises(NotAnMdtboardDatabase, match="not an mdtboard database"):
        open_database(Target(sqlite_url(notes)))
    assert sha256(notes) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = sha256(other)
    with pytest.raises(NotAnMdtboardDatabase):
        open_database(Target(sqlite_url(other)))
    assert sha256(other) == before


def test_missing_file_is_an_error_unless_created(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing, match="not found"):
        open_database(Target(sqlite_url(tmp_path / "absent.db")))
    assert not (tmp_path / "absent.db").exists()


def test_default_database_is_created_on_first_use(tmp_path: Path) -> None:
    target = Target(sqlite_url(tmp_path / "sub" / "default.db"), is_default=True)
    db = open_database(target)
    db.dispose()
    assert (tmp_path / "sub" / "default.db").is_file()


def test_backup_before_upgrade_keeps_old_revision_in_name(demo_path: Path) -> None:
    db = open_database(Target(sqlite_url(demo_path)))
    try:
        backup = migrate.backup_before_upgrade(db, demo_path, "0001")
    finally:
        db.dispose()
    assert backup.parent == demo_path.parent
    assert ".schema-0001." in backup.name
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM referrals").fetchone()[0] == 40
    finally:
        conn.close()


FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures").glob("schema-*.db"))


def test_there_is_a_fixture_for_every_past_revision() -> None:
    have = {p.stem.removeprefix("schema-") for p in FIXTURES}
    assert have == set(schema.REVISIONS[:-1])


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_old_database_is_backed_up_then_upgraded(fixture: Path, tmp_path: Path) -> None:
    import shutil

    old_revision = fixture.stem.removeprefix("schema-")
    path = tmp_path / "old.db"
    shutil.copyfile(fixture, path)
    before = sha256(path)
    db = open_database(Target(sqlite_url(path)))
    try:
        with db.reader() as s:
            from sqlalchemy import text

            assert s.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
                schema.HEAD
            )
            assert s.execute(text("SELECT count(*) FROM referrals")).scalar_one() >= 1
            assert s.execute(text("SELECT count(*) FROM decisions")).scalar_one() >= 1
    finally:
        db.dispose()
    backups = list(tmp_path.glob(f"old.db.schema-{old_revision}.*.bak"))
    assert len(backups) == 1
    assert (
        sha256(backups[0]) != ""
        and sqlite3.connect(backups[0])
        .execute("SELECT version_num FROM alembic_version")
        .fetchone()[0]
        == old_revision
    )
    assert before != sha256(path)


def test_0010_turns_a_stored_ready_into_new(tmp_path: Path) -> None:
    """Revision 0010 (issue 16 part 3): "ready" is derived when read, never stored."""
    import shutil

    path = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "fixtures" / "schema-0009.db", path)
    conn = sqlite3.connect(path)
    try:
        stored_ready = conn.execute("SELECT id FROM referrals WHERE status = 'ready'").fetchall()
        stored_new = conn.execute("SELECT id FROM referrals WHERE status = 'new'").fetchall()
    finally:
        conn.close()
    assert stored_ready, "the fixture keeps cases stored as ready"
    db = open_database(Target(sqlite_url(path)))
    try:
        with db.reader() as s:
            from sqlalchemy import text

            rows = {i: st for i, st in s.execute(text("SELECT id, status FROM referrals"))}
    finally:
        db.dispose()
    assert "ready" not in rows.values()
    assert {rows[i] for (i,) in stored_ready + stored_new} == {"new"}


def test_0011_gives_existing_referrals_an_empty_gp_and_goes_back_down(tmp_path: Path) -> None:
    """Revision 0011 (issue 18 part 2): GP name, practice and other letter recipients."""
    import shutil

    from mdtboard.store import migrate

    path = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "fixtures" / "schema-0010.db", path)
    db = open_database(Target(sqlite_url(path)))
    try:
        with db.reader() as s:
            from sqlalchemy import text

            rows = s.execute(text("SELECT gp_name, gp_practice, copy_to FROM referrals")).all()
            assert rows and set(rows) == {("", "", "")}
        migrate.downgrade(db, "0010")
        with db.reader() as s:
            columns = {r[1] for r in s.execute(text("PRAGMA table_info(referrals)"))}
        assert not columns & {"gp_name", "gp_practice", "copy_to"}
        assert "referrer_organisation" in columns
    finally:
        db.dispose()
