"""CSV import: validate everything first, write all or nothing (fictional data)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mdtboard.services.context import ServiceContext
from mdtboard.services.importer import ImportInvalid, import_referrals
from mdtboard.store.models import AuditEvent, Patient, Referral

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "referrals.csv"


def counts(ctx: ServiceContext) -> tuple[int, int, int]:
    with ctx.db.reader() as s:
        return tuple(  # type: ignore[return-value]
            int(s.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Patient, Referral, AuditEvent)
        )


def test_example_file_imports(ctx: ServiceContext) -> None:
    before = counts(ctx)
    report = import_referrals(ctx, EXAMPLE)
    assert report.written and report.imported == 4 and report.new_patients == 4
    after = counts(ctx)
    assert after == (before[0] + 4, before[1] + 4, before[2] + 1)
    with ctx.db.reader() as s:
        levels = s.execute(
            select(Referral.levels_text).join(Patient).where(Patient.mrn == "IMP0000002")
        ).scalar_one()
    assert levels == "T4–T5"


def test_one_bad_date_writes_nothing_and_names_row_and_column(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text().replace("1949-09-30", "1949-13-45")
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    before = counts(ctx)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, bad)
    errors = exc.value.report.errors
    assert [(e.row, e.column) for e in errors] == [(2, "date_of_birth")]
    assert counts(ctx) == before


def test_valid_rows_only_is_explicit(ctx: ServiceContext, tmp_path: Path) -> None:
    text = EXAMPLE.read_text().replace(",schwannoma,", ",unicornoma,")
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    report = import_referrals(ctx, bad, valid_rows_only=True)
    assert report.imported == 3
    assert [(e.row, e.column) for e in report.errors] == [(3, "histology")]


def test_missing_column_and_unknown_column(ctx: ServiceContext) -> None:
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, "mrn,family_name\nX,Y\n")
    assert {e.column for e in exc.value.report.errors} >= {"given_name", "levels", "question"}
    header = EXAMPLE.read_text().splitlines()[0] + ",shoe_size"
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, header + "\n")
    assert exc.value.report.errors[0].column == "shoe_size"


def test_existing_mrn_with_other_identity_is_refused(ctx: ServiceContext) -> None:
    with ctx.db.reader() as s:
        mrn = s.execute(select(Patient.mrn).limit(1)).scalar_one()
    text = EXAMPLE.read_text().replace("IMP0000001", mrn)
    before = counts(ctx)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, text)
    assert exc.value.report.errors[0].column == "mrn"
    assert counts(ctx) == before


def test_valid_rows_only_skips_an_mrn_clash_and_imports_the_rest(ctx: ServiceContext) -> None:
    with ctx.db.reader() as s:
        mrn = s.execute(select(Patient.mrn).limit(1)).scalar_one()
    text = EXAMPLE.read_text().replace("IMP0000002", mrn)
    before = counts(ctx)
    report = import_referrals(ctx, text, valid_rows_only=True)
    assert report.imported == 3
    assert [(e.row, e.column) for e in report.errors] == [(2, "mrn")]
    assert counts(ctx)[1] == before[1] + 3
    # and without the option, the clash is reported with every other problem, up front
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, text.replace(",schwannoma,", ",unicornoma,"))
    assert [(e.row, e.column) for e in exc.value.report.errors] == [(2, "mrn"), (3, "histology")]


def test_cli_import_success_and_failure(demo_path: Path, tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "mdtboard", "import-referrals", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "MDTBOARD_DB": str(demo_path)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "imported 4 of 4" in ok.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        EXAMPLE.read_text()
        .replace("IMP0000001", "IMP0000009")
        .replace("2026-11-04,Mr", "2026-02-31,Mr")
    )
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    res = subprocess.run(
        [sys.executable, "-m", "mdtboard", "import-referrals", "--db", str(demo_path), str(bad)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert res.returncode == 1
    assert "row 3, column received_at" in res.stderr
    assert "Traceback" not in res.stderr
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before


def _big_file(n: int) -> str:
    lines = EXAMPLE.read_text().splitlines()
    header, row = lines[0], lines[1]
    return "\n".join([header] + [row.replace("IMP0000001", f"BIG{i:07d}") for i in range(n)])


def test_progress_covers_reading_and_writing(ctx: ServiceContext) -> None:
    seen: list[tuple[int, int]] = []
    report = import_referrals(ctx, _big_file(1200), progress=lambda a, b: seen.append((a, b)))
    assert report.imported == 1200
    assert seen and all(0 <= a <= b for a, b in seen)
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)  # it only moves forward
    assert any(a < 1200 for a, _ in seen) and seen[-1][0] == seen[-1][1]  # read, then done


def test_cancel_while_reading_writes_nothing(ctx: ServiceContext) -> None:
    from mdtboard.services.importer import ImportCancelled

    before = counts(ctx)
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return True  # the user pressed Cancel at once

    with pytest.raises(ImportCancelled):
        import_referrals(ctx, _big_file(1200), cancelled=cancelled)
    assert asked and counts(ctx) == before


def _malformed(kind: str) -> str:
    lines = EXAMPLE.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    if kind == "doubled header":
        return "\n".join([header + ",mrn", *(r + ",DUP0000001" for r in rows)]) + "\n"
    if kind == "unterminated quote":  # the rest of the file would vanish into one field
        return "\n".join([header, rows[0].replace(",", ',"', 1), *rows[1:]]) + "\n"
    assert kind == "huge field"
    first = rows[0].split(",", 1)[1]
    return "\n".join([header, f'"{"x" * 200_000}",{first}']) + "\n"


@pytest.mark.parametrize(
    ("kind", "row", "column", "words"),
    [
        ("doubled header", 0, "mrn", "more than once"),
        ("unterminated quote", 1, "", "not readable as CSV"),
        ("huge field", 1, "", "not readable as CSV"),
    ],
)
def test_malformed_csv_is_refused_with_a_reason_and_writes_nothing(
    ctx: ServiceContext, kind: str, row: int, column: str, words: str
) -> None:
    before = counts(ctx)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, _malformed(kind))
    errors = exc.value.report.errors
    assert any(e.row == row and e.column == column and words in e.message for e in errors), [
        str(e) for e in errors
    ]
    assert counts(ctx) == before


def test_rows_ending_in_a_bare_carriage_return_import(ctx: ServiceContext) -> None:
    """Old Mac spreadsheets end rows with \\r alone."""
    report = import_referrals(ctx, "\r".join(EXAMPLE.read_text().splitlines()) + "\r")
    assert report.written and report.imported == 4


HEADER = (
    "mrn,family_name,given_name,date_of_birth,received_at,referrer_name,urgency,"
    "disease_kind,histology,compartment,levels,question,red_flags,mscc_suspected_at"
)


def _row(mrn: str, urgency: str, flags: str, suspected: str = "") -> str:
    return (
        f"{mrn},Fictional,Test,1950-01-01,2026-11-30T08:00:00Z,Dr Demo,{urgency},"
        f"metastatic,met_breast,extradural,T7,Plan?,{flags},{suspected}"
    )


def test_D19_red_flags_set_a_blank_urgency_and_refuse_a_lower_one(ctx: ServiceContext) -> None:
    """reference/scores.md §11 (D19) in the import: known cancer with radicular pain is a
    suspected MSCC; a blank urgency takes the suggestion, a lower one is refused."""
    text = "\n".join(
        [
            HEADER,
            _row("RF00001", "", "cancer_history; radicular_pain", "2026-11-30T07:00:00Z"),
            _row("RF00002", "routine", "cancer_history|radicular_pain"),
            _row("RF00003", "", ""),
            _row("RF00004", "routine", "cancer_history;sore_toe"),
            _row("RF00005", "", "cancer_history;night_pain"),
        ]
    )
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, text)
    problems = {(e.row, e.column): e.message for e in exc.value.report.errors}
    assert set(problems) == {(2, "urgency"), (3, "urgency"), (4, "red_flags")}
    assert "less urgent than the red flags suggest (mscc" in problems[(2, "urgency")]
    assert "sore_toe" in problems[(4, "red_flags")]
    report = import_referrals(ctx, text, valid_rows_only=True)
    assert report.imported == 2
    with ctx.db.reader() as s:
        got = {
            mrn: (str(u), flags, suspected)
            for mrn, u, flags, suspected in s.execute(
                select(
                    Patient.mrn, Referral.urgency, Referral.red_flags, Referral.mscc_suspected_at
                )
                .join(Patient)
                .where(Patient.mrn.in_(["RF00001", "RF00005"]))
            )
        }
    assert got["RF00001"][0] == "mscc" and got["RF00001"][1] == ["radicular_pain", "cancer_history"]
    assert got["RF00001"][2] is not None and got["RF00001"][2].hour == 7
    assert got["RF00005"][0] == "urgent"  # cancer + tumour-type pain, no neurology
