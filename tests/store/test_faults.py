"""Faults: a busy, full or damaged database gives a clear message and no partial write."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceUnavailable
from mdtboard.services.referrals import PatientInput, ReferralInput, register_referral
from mdtboard.store import db as dbmod
from mdtboard.store.db import Target, open_database, sqlite_url
from mdtboard.store.errors import NotAnMdtboardDatabase
from mdtboard.store.models import AuditEvent, Patient

PATIENT = PatientInput("FAULT0001", "Faultline", "Fictional", date(1970, 1, 1))
REFERRAL = ReferralInput(
    received_at=datetime(2026, 11, 1, tzinfo=UTC),
    referrer_name="Dr Fault",
    urgency="routine",
    question="Q?",
    disease_kind="primary",
    histology_key="schwannoma",
    compartment="idem",
    levels=("L4",),
)


def counts(ctx: ServiceContext) -> tuple[int, int]:
    with ctx.db.reader() as s:
        return (
            int(s.execute(select(func.count(Patient.id))).scalar_one()),
            int(s.execute(select(func.count(AuditEvent.id))).scalar_one()),
        )


@pytest.mark.sqlite_only
def test_locked_database_gives_a_clear_message(
    ctx: ServiceContext, demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 200)
    fast = open_database(Target(sqlite_url(demo_path)))
    fast_ctx = ServiceContext(fast, ctx.actor)
    blocker = sqlite3.connect(demo_path, timeout=0.1)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        before = counts(ctx)
        with pytest.raises(ServiceUnavailable, match="busy"):
            register_referral(fast_ctx, PATIENT, REFERRAL)
    finally:
        blocker.rollback()
        blocker.close()
    assert counts(ctx) == before
    register_referral(fast_ctx, PATIENT, REFERRAL)  # usable again once the lock is gone
    fast.dispose()


@pytest.mark.sqlite_only
def test_full_disk_gives_a_clear_message_and_no_partial_write(ctx: ServiceContext) -> None:
    before = counts(ctx)

    @event.listens_for(ctx.db.engine, "connect")
    def tiny(dbapi_conn: sqlite3.Connection, _rec: object) -> None:
        size = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {size}")

    ctx.db.engine.dispose()  # new connections get the limit
    from dataclasses import replace

    big = replace(REFERRAL, presenting_problem="long history " * 40_000)  # needs new pages
    with pytest.raises(ServiceUnavailable, match="full"):
        register_referral(ctx, PATIENT, big)
    event.remove(ctx.db.engine, "connect", tiny)
    ctx.db.engine.dispose()
    assert counts(ctx) == before


def test_truncated_database_is_reported_as_damaged(demo_path: Path) -> None:
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[: len(data) // 3])
    with pytest.raises(NotAnMdtboardDatabase, match=r"damaged|not an mdtboard"):
        db = open_database(Target(sqlite_url(demo_path)))
        with db.reader() as s:
            s.execute(select(func.count(Patient.id))).scalar_one()


def test_read_only_message() -> None:
    class Fake(Exception):
        orig = sqlite3.OperationalError("attempt to write a readonly database")

    assert "read-only" in dbmod.explain_operational_error(Fake(), "x.db")


def test_damaged_database_names_the_latest_backup(demo_path: Path) -> None:
    from mdtboard.store.backup import automatic_backup, backups_folder, restore
    from mdtboard.store.errors import DatabaseDamaged

    copy = automatic_backup(demo_path, backups_folder(demo_path), 3, "2026-11-24")
    assert copy is not None
    assert automatic_backup(demo_path, backups_folder(demo_path), 3, "2026-11-24") is None
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):
        automatic_backup(demo_path, backups_folder(demo_path), 3, day)
    kept = sorted(p.name for p in backups_folder(demo_path).iterdir())
    assert kept == ["demo.2026-11-25.bak", "demo.2026-11-26.bak", "demo.2026-11-27.bak"]
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[:4096] + b"\0" * (len(data) - 4096))
    with pytest.raises(DatabaseDamaged) as exc:
        open_database(Target(sqlite_url(demo_path)))
    latest = backups_folder(demo_path) / "demo.2026-11-27.bak"
    assert exc.value.latest_backup == latest and str(latest) in str(exc.value)
    kept_copy = restore(latest, demo_path, "T")
    assert kept_copy is not None and kept_copy.exists()
    db = open_database(Target(sqlite_url(demo_path)))
    with db.reader() as s:
        assert s.execute(select(func.count(Patient.id))).scalar_one() == 40
    db.dispose()
