"""Outcomes imported from a file (issue 19 part 2): same reader as the referrals, all or
nothing, each problem named by row and column. Fictional demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from mdtboard.services import followup
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.outcome_import import OutcomeImportInvalid, columns_of, import_outcomes
from mdtboard.store.models import AgendaItem, CaseOutcome, Decision, Patient, Referral

TODAY = date(2026, 12, 2)


def decided(ctx: ServiceContext, n: int) -> list[tuple[int, str]]:
    """(case id, MRN) of signed-off cases without a recorded outcome."""
    with ctx.db.reader() as s:
        rows = s.execute(
            select(Referral.id, Patient.mrn)
            .join(Patient, Patient.id == Referral.patient_id)
            .join(AgendaItem, AgendaItem.referral_id == Referral.id)
            .join(Decision, Decision.agenda_item_id == AgendaItem.id)
            .outerjoin(CaseOutcome, CaseOutcome.referral_id == Referral.id)
            .where(Decision.status == "signed_off", CaseOutcome.referral_id.is_(None))
            .order_by(Referral.id)
        ).all()
    assert len(rows) >= n
    return [(int(r[0]), str(r[1])) for r in rows[:n]]


def test_the_header_words_of_other_systems_are_recognised() -> None:
    cols = columns_of(("Hospital number", "Vital status", "Date of last contact",
                       "Walking 30 days", "Recurrence", "Recurrence date"))  # fmt: skip
    assert cols == {
        "mrn": 0,
        "vital_status": 1,
        "status_on": 2,
        "ambulatory_30d": 3,
        "local_recurrence": 4,
        "recurrence_on": 5,
    }


def test_a_file_of_outcomes_is_stored(ctx: ServiceContext, tmp_path: Path) -> None:
    (a, mrn_a), (b, mrn_b) = decided(ctx, 2)
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "Hospital number;Vital status;Date of last contact;Recurrence;Recurrence date\n"
        f"{mrn_a};Alive;2026-12-01;no;\n"
        f"{mrn_b};Deceased;2026-11-30;yes;2026-11-28\n",
        encoding="utf-8",
    )
    done = import_outcomes(ctx, path, today=TODAY)
    assert (done.rows, done.imported) == (2, 2)
    first = followup.get_outcome(ctx.db, a).entry
    second = followup.get_outcome(ctx.db, b).entry
    assert first is not None and (first.vital_status, first.status_on) == (
        "alive",
        date(2026, 12, 1),
    )
    assert second is not None and second.vital_status == "died"
    assert second.local_recurrence and second.recurrence_on == date(2026, 11, 28)


def test_one_bad_row_writes_nothing_and_names_row_and_column(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    (a, mrn_a), (_b, mrn_b) = decided(ctx, 2)
    path = tmp_path / "bad.csv"
    path.write_text(
        "mrn,vital_status,status_on\n"
        f"{mrn_a},alive,2026-12-01\n"
        f"{mrn_b},resting,2026-12-01\n"
        "NOPE0000001,alive,2026-12-01\n"
        f"{mrn_a},died,2027-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(OutcomeImportInvalid) as e:
        import_outcomes(ctx, path, today=TODAY)
    shown = [str(x) for x in e.value.errors]
    assert any(t.startswith("row 2, column vital_status") and "resting" in t for t in shown)
    assert any(t.startswith("row 3, column mrn") and "no signed-off" in t for t in shown)
    assert any(t.startswith("row 4, column status_on") and "future" in t for t in shown)
    assert followup.get_outcome(ctx.db, a).entry is None  # nothing written
    with pytest.raises(ValidationError, match="no vital_status"):
        (tmp_path / "cols.csv").write_text("mrn,status_on\nX,2026-01-01\n", encoding="utf-8")
        import_outcomes(ctx, tmp_path / "cols.csv", today=TODAY)


def test_the_command_line_imports_outcomes(demo_path: Path, tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(demo_path)
    mrn = conn.execute(
        "SELECT p.mrn FROM patients p JOIN referrals r ON r.patient_id = p.id "
        "JOIN agenda_items i ON i.referral_id = r.id JOIN decisions d ON d.agenda_item_id = i.id "
        "WHERE d.status = 'signed_off' ORDER BY d.id LIMIT 1"
    ).fetchone()[0]
    conn.close()
    path = tmp_path / "o.csv"
    path.write_text(f"mrn,vital_status,status_on\n{mrn},alive,2026-12-01\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mdtboard", "import-outcomes", "--db", str(demo_path), *args],
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env=dict(os.environ),
        )  # fmt: skip

    done = run(str(path))
    assert done.returncode == 0, done.stderr
    assert "imported 1 outcomes of 1 rows" in done.stdout
    path.write_text(f"mrn,vital_status,status_on\n{mrn},maybe,2026-12-01\n", encoding="utf-8")
    bad = run(str(path))
    assert bad.returncode == 1
    assert "row 1, column vital_status" in bad.stderr and "nothing imported" in bad.stderr
