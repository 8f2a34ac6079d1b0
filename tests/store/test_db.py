"""Engine settings, UTC timestamps, optimistic locking and the audit chain."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from mdtboard.store import audit
from mdtboard.store.db import Database, Target, open_database, resolve_target, sqlite_url
from mdtboard.store.models import AuditEvent, Patient


def test_sqlite_pragmas_on_every_connection(empty_db: Database) -> None:
    with empty_db.reader() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
        assert s.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000


def test_url_resolution_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"MDTBOARD_DB": "env.db", "MDTBOARD_DATABASE_URL": "sqlite:///url.db"}
    assert resolve_target("cli.db", env).sqlite_path is not None
    assert str(resolve_target("cli.db", env).sqlite_path) == "cli.db"
    assert resolve_target(None, env).url == "sqlite:///url.db"
    assert str(resolve_target(None, {"MDTBOARD_DB": "env.db"}).sqlite_path) == "env.db"
    default = resolve_target(None, {})
    assert default.is_default and default.sqlite_path is not None
    assert default.sqlite_path.name == "mdtboard.db"


def _patient(mrn: str = "T0001") -> Patient:
    return Patient(
        mrn=mrn,
        family_name="Testperson",
        given_name="Fictional",
        date_of_birth=date(1960, 2, 29),
        sex="female",
    )


def test_timestamps_stored_in_utc_and_returned_aware(empty_db: Database) -> None:
    plus_two = timezone(timedelta(hours=2))
    with empty_db.unit_of_work() as s:
        p = _patient()
        p.created_at = datetime(2026, 3, 1, 12, 0, tzinfo=plus_two)
        s.add(p)
    with empty_db.reader() as s:
        raw = s.execute(text("SELECT created_at FROM patients")).scalar_one()
        loaded = s.execute(select(Patient)).scalar_one()
    assert str(raw).startswith("2026-03-01 10:00:00")
    assert loaded.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert loaded.created_at.tzinfo is not None


def test_naive_datetime_is_refused(empty_db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), empty_db.unit_of_work() as s:
        p = _patient()
        p.created_at = datetime(2026, 3, 1, 12, 0)
        s.add(p)
    with empty_db.reader() as s:
        assert s.execute(select(Patient)).first() is None


def test_optimistic_locking_refuses_a_stale_update(empty_db: Database) -> None:
    with empty_db.unit_of_work() as s:
        s.add(_patient())
    with empty_db.reader() as s1:
        stale = s1.execute(select(Patient)).scalar_one()
    with empty_db.unit_of_work() as s2:
        s2.execute(select(Patient)).scalar_one().given_name = "First"
    with pytest.raises(StaleDataError), empty_db.unit_of_work() as s3:
        p = s3.merge(stale, load=False)
        p.given_name = "Second"
    with empty_db.reader() as s:
        fresh = s.execute(select(Patient)).scalar_one()
    assert fresh.given_name == "First"
    assert fresh.version == 2


def test_unit_of_work_rolls_back_everything_on_error(empty_db: Database) -> None:
    with pytest.raises(RuntimeError), empty_db.unit_of_work() as s:
        s.add(_patient("A1"))
        s.flush()
        audit.record(s, user="t", action="create", entity="patient", entity_id=1)
        raise RuntimeError("boom")
    with empty_db.reader() as s:
        assert s.execute(select(Patient)).first() is None
        assert s.execute(select(AuditEvent)).first() is None


def _events(db: Database) -> list[AuditEvent]:
    with db.reader() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())


def test_audit_chain_verifies_and_detects_edits_and_deletions(empty_db: Database) -> None:
    key = audit.load_key()
    for n in range(5):
        with empty_db.unit_of_work() as s:
            audit.record(
                s,
                user="u",
                action="update",
                entity="referral",
                entity_id=n,
                summary=f"change {n} — Zoë",
            )
    report = audit.verify_chain(_events(empty_db), key)
    assert report.ok and report.checked == 5

    path = empty_db.target.sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    drop_append_only_triggers(conn)  # as someone with the sqlite3 shell could
    conn.execute("UPDATE audit_events SET summary = 'forged' WHERE id = 3")
    conn.commit()
    report = audit.verify_chain(_events(empty_db), key)
    assert not report.ok and report.first_bad_id == 3

    conn.execute("DELETE FROM audit_events WHERE id = 3")
    conn.commit()
    conn.close()
    report = audit.verify_chain(_events(empty_db), key)
    assert not report.ok and report.first_bad_id == 4
    assert "missing" in report.problem


def test_audit_chain_fails_with_another_key(empty_db: Database) -> None:
    with empty_db.unit_of_work() as s:
        audit.record(s, user="u", action="create", entity="x")
    assert not audit.verify_chain(_events(empty_db), b"k" * 32).ok


def test_deleting_the_newest_event_is_detected_by_the_head(empty_db: Database) -> None:
    key = audit.load_key()
    for n in range(3):
        with empty_db.unit_of_work() as s:
            audit.record(s, user="u", action="update", entity="x", entity_id=n)
    with empty_db.reader() as s:
        assert audit.verify_database(s, key).ok
    path = empty_db.target.sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    drop_append_only_triggers(conn)
    conn.execute("DELETE FROM audit_events WHERE id = 3")
    conn.commit()
    with empty_db.reader() as s:
        report = audit.verify_database(s, key)
    assert not report.ok and "missing" in report.problem
    conn.execute("UPDATE audit_head SET last_id = 2")
    conn.commit()
    conn.close()
    with empty_db.reader() as s:
        report = audit.verify_database(s, key)
    assert not report.ok and "altered" in report.problem


def drop_append_only_triggers(conn: sqlite3.Connection) -> None:
    """What someone with the sqlite3 shell can do: the triggers go first."""
    for trigger in (
        "audit_events_no_update",
        "audit_events_no_delete",
        "audit_head_no_delete",
        "audit_head_forward_only",
    ):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def test_the_database_refuses_to_change_or_delete_audit_events(demo_db: Database) -> None:
    from sqlalchemy.exc import DBAPIError

    statements = [
        "UPDATE audit_events SET summary = 'forged'",
        "DELETE FROM audit_events",
    ]
    if demo_db.dialect == "postgresql":
        statements.append("TRUNCATE audit_events")
    for sql in statements:
        with pytest.raises(DBAPIError, match="append-only"), demo_db.unit_of_work() as s:
            s.execute(text(sql))
    with demo_db.reader() as s:
        assert audit.verify_database(s, audit.load_key()).ok


def test_an_emptied_trail_is_caught_when_records_remain(demo_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    drop_append_only_triggers(conn)
    conn.execute("DELETE FROM audit_events")
    conn.execute("DELETE FROM audit_head")
    conn.commit()
    conn.close()
    db = open_database(Target(sqlite_url(demo_path)))
    try:
        with db.reader() as s:
            report = audit.verify_database(s, audit.load_key())
    finally:
        db.dispose()
    assert not report.ok and "empty" in report.problem


def test_a_file_name_with_a_question_mark_is_refused_not_misread(tmp_path: Path) -> None:
    """A '?' starts a URL's options: the app would open another file ('a' for 'a?b.db')."""
    from mdtboard.store.errors import StoreError

    odd = tmp_path / "a?b.db"
    with pytest.raises(StoreError, match=r"cannot contain '\?'"):
        resolve_target(str(odd), {})
    with pytest.raises(StoreError, match=r"cannot contain '\?'"):
        resolve_target(None, {"MDTBOARD_DB": str(odd)})
    assert not (tmp_path / "a").exists() and not odd.exists()
