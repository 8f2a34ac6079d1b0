"""The worklist CSV export: one service for the GUI and the command line (fictional data)."""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from mdtboard.services import exports, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.services.worklist import CaseQuery
from mdtboard.store.models import AuditEvent


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("-5", "-5"),  # a number stays a number
        ("+44", "+44"),
        ("2026-11-30", "2026-11-30"),  # a date stays a date
        ("Dr Demo", "Dr Demo"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(cell: str, shown: str) -> None:
    assert exports.neutralise(cell) == shown


def test_the_export_is_audited_with_its_sha256_and_carries_no_formula(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    referrals.register_referral(
        ctx,
        PatientInput("CSVINJ01", "=cmd|' /C calc'!A0", "+Eve", date(1970, 1, 1), "female"),
        ReferralInput(
            received_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
            referrer_name='=HYPERLINK("http://example.invalid","click")',
            urgency="routine",
            question="Fictional test of a formula payload",
            disease_kind="metastatic",
            histology_key="met_breast",
            compartment="extradural",
            levels=("T7",),
        ),
    )
    out = tmp_path / "view.csv"
    done = exports.export_worklist(ctx, CaseQuery(), out, replace=False)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][:3] == ["case_id", "patient", "mrn"] and done.rows == len(rows) - 1 > 1
    for row in rows[1:]:
        assert row[0].isdigit()  # the case number stays a number
        assert not any(c[:1] in ("=", "+", "@", "\t", "\r") for c in row), row
    payload = next(r for r in rows if r[2] == "CSVINJ01")
    assert payload[1].startswith("'=") and payload[9].startswith("'=HYPERLINK")
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    assert done.sha256 == sha
    with ctx.db.reader() as s:
        summary = s.execute(
            select(AuditEvent.summary).where(AuditEvent.entity == "worklist")
        ).scalar_one()
    assert sha in summary and "view.csv" in summary


def test_a_cancelled_export_writes_nothing(ctx: ServiceContext, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(exports.ExportCancelled):
        exports.export_worklist(
            ctx, CaseQuery(), folder / "view.csv", replace=False, cancelled=lambda: True
        )
    assert list(folder.iterdir()) == []


def test_the_export_keeps_to_the_output_rule(ctx: ServiceContext, tmp_path: Path) -> None:
    existing = tmp_path / "view.csv"
    existing.write_text("kept (fictional)\n")
    with pytest.raises(ValidationError, match="exists"):
        exports.export_worklist(ctx, CaseQuery(), existing, replace=False)
    assert existing.read_text() == "kept (fictional)\n"
    database = ctx.db.target.sqlite_path
    if database is not None:
        with pytest.raises(ValidationError, match="is the database"):
            exports.export_worklist(ctx, CaseQuery(), database, replace=True)
