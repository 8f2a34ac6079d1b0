"""The SQLite bulk-insert path stores exactly what a plain ``insert()`` stores.

All data here is fictional.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select, text

from mdtboard.store.db import Database
from mdtboard.store.dialects import bulk_insert, insert_returning_ids
from mdtboard.store.models import Patient, Referral, ReferralLevel

PATIENTS = cast(Table, Patient.__table__)
REFERRALS = cast(Table, Referral.__table__)
LEVELS = cast(Table, ReferralLevel.__table__)


def _patients(prefix: str) -> list[dict[str, Any]]:
    plus_five = timezone(timedelta(hours=5, minutes=30))
    return [
        {
            "mrn": f"{prefix}{i:04d}",
            "family_name": name,
            "given_name": "Fictional",
            "date_of_birth": date(1931 + i, 1 + i % 12, 1 + i % 28),
            "sex": sex,
            "national_number": nn,
            "version": 1,
            "created_at": datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
            "updated_at": datetime(2026, 3, 29, 7, 0, i, tzinfo=plus_five),
        }
        for i, (name, sex, nn) in enumerate(
            [
                ("Łukasiewicz-Ñúñez", "female", None),
                ("Ødegård", "male", "FAKE 123"),
                ("Μαρία", "unknown", ""),
                ("O'Quill", "other", None),
            ]
        )
    ]


def _raw(db: Database, table: str, where: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with db.reader() as s:
        return [tuple(r) for r in s.execute(text(f"SELECT * FROM {table} WHERE {where}"), params)]


def test_bulk_insert_stores_what_insert_stores(demo_db: Database) -> None:
    with demo_db.unit_of_work() as s:
        s.execute(insert(PATIENTS), _patients("PLAIN"))
        bulk_insert(s, PATIENTS, _patients("BULK"))
    plain = _raw(demo_db, "patients", "mrn LIKE :p ORDER BY mrn", {"p": "PLAIN%"})
    bulk = _raw(demo_db, "patients", "mrn LIKE :p ORDER BY mrn", {"p": "BULK%"})
    assert len(plain) == len(bulk) == 4
    with demo_db.reader() as s:
        names = list(s.execute(select(PATIENTS)).keys())
    skip = {names.index("id"), names.index("mrn")}
    for a, b in zip(plain, bulk, strict=True):
        assert [v for k, v in enumerate(a) if k not in skip] == [
            v for k, v in enumerate(b) if k not in skip
        ]
    with demo_db.reader() as s:
        stored = s.execute(select(Patient.updated_at).where(Patient.mrn == "BULK0001")).scalar_one()
    assert stored == datetime(2026, 3, 29, 1, 30, 1, tzinfo=UTC)  # 07:00 at +05:30, in UTC
    if demo_db.dialect == "sqlite":  # the text SQLite's DATETIME has always stored
        raw = _raw(demo_db, "patients", "mrn = :m", {"m": "BULK0000"})[0]
        assert raw[names.index("created_at")] == "2026-03-29 01:30:15.123456"
        assert raw[names.index("updated_at")] == "2026-03-29 01:30:00.000000"


def test_bulk_insert_refuses_naive_times_and_writes_nothing(demo_db: Database) -> None:
    rows = _patients("NAIVE")
    rows[2]["created_at"] = datetime(2026, 3, 29, 12, 0)  # no time zone
    with pytest.raises(Exception, match="naive datetime"), demo_db.unit_of_work() as s:
        bulk_insert(s, PATIENTS, rows)
    assert _raw(demo_db, "patients", "mrn LIKE :p", {"p": "NAIVE%"}) == []


def test_ids_come_back_in_row_order_and_client_defaults_are_filled(demo_db: Database) -> None:
    with demo_db.unit_of_work() as s:
        pids = insert_returning_ids(s, PATIENTS, _patients("ORDER"))
        now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        referral = {
            "received_at": now,
            "referrer_name": "Dr Fictional Referrer",
            "urgency": "routine",
            "presenting_problem": "",
            "question": "Fictional question?",
            "disease_kind": "metastatic",
            "primary_site": "",
            "histology_key": "met_breast",
            "compartment": "extradural",
            "levels_text": "T7",
            "neuro_status": "",
            "neuro_deficit": False,
            "imaging_available": False,
            "pathology_available": False,
            "biopsy_deferral_rationale": "",
            "dexamethasone_omitted_reason": "",
            "status": "new",
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }  # no referrer_organisation: the model's default ("") must still be written
        rids = insert_returning_ids(s, REFERRALS, [{**referral, "patient_id": p} for p in pids])
        bulk_insert(s, LEVELS, [{"referral_id": r, "level": "T7", "ordinal": 13} for r in rids])
    with demo_db.reader() as s:
        mrns = dict(s.execute(select(Patient.id, Patient.mrn).where(Patient.id.in_(pids))).all())
        refs = s.execute(
            select(Referral.id, Referral.patient_id, Referral.referrer_organisation).where(
                Referral.id.in_(rids)
            )
        ).all()
        level_count = s.execute(
            select(ReferralLevel.referral_id).where(ReferralLevel.referral_id.in_(rids))
        ).all()
    assert [mrns[p] for p in pids] == [f"ORDER{i:04d}" for i in range(4)]
    assert sorted((r.id, r.patient_id) for r in refs) == sorted(zip(rids, pids, strict=True))
    assert {r.referrer_organisation for r in refs} == {""}
    assert len(level_count) == 4
