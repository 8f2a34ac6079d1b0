"""Referrals from other systems' files: any common CSV dialect and encoding, .xlsx, and a
hospital's own column names and values (issue 17 part 4). All data is fictional."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mdtboard.domain import histology
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.import_mapping import (
    MONTH_FIRST,
    Mapping,
    guess,
    guess_columns,
    load_profile,
    profile_names,
    save_profile,
)
from mdtboard.services.import_source import SourceError, read_source, sniff_delimiter
from mdtboard.services.importer import ImportInvalid, import_referrals, load, preview
from mdtboard.store.models import AuditEvent, Patient, Referral
from tests.import_files import FIXTURES, hospital_with_ambiguous_dates


def referral_of(ctx: ServiceContext, mrn: str) -> tuple[Patient, Referral]:
    with ctx.db.reader() as s:
        patient = s.execute(select(Patient).where(Patient.mrn == mrn)).scalar_one()
        referral = s.execute(select(Referral).where(Referral.patient_id == patient.id)).scalar_one()
        s.expunge_all()
        return patient, referral


def count_referrals(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(Referral)).scalar_one())


def test_semicolon_windows_1252_file_imports(ctx: ServiceContext) -> None:
    source = load(FIXTURES / "semicolon-windows-1252.csv")
    assert (source.encoding, source.delimiter) == ("windows-1252", ";")
    report = import_referrals(ctx, source)
    assert report.imported == 2
    patient, referral = referral_of(ctx, "FIX1252001")
    assert (patient.family_name, patient.given_name) == ("Fictív-Brühl", "Zoë")
    assert patient.date_of_birth == date(1961, 7, 23)  # 23.07.1961: the day comes first
    assert referral.referrer_name == "Dr Jérôme Façade"
    _, second = referral_of(ctx, "FIX1252002")
    assert second.levels_text == "L2, L4"  # a quoted field holding the delimiter
    assert second.question == 'SBRT oder "konventionell"?'
    assert second.received_at.replace(tzinfo=UTC) == datetime(2026, 11, 17, 9, 30, tzinfo=UTC)


def test_utf16_tab_separated_file_imports(ctx: ServiceContext) -> None:
    source = load(FIXTURES / "utf16-tabs.csv")
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    import_referrals(ctx, source)
    patient, referral = referral_of(ctx, "FIX16002")
    assert (patient.family_name, patient.given_name) == ("Παπαδοπούλου-Demo", "Ελένη")
    assert (referral.histology_key, referral.levels_text) == ("chordoma", "S1–S2")


def test_xlsx_export_imports_with_date_cells_and_its_own_headers(ctx: ServiceContext) -> None:
    source = load(FIXTURES / "referrals.xlsx")
    assert source.kind == "xlsx" and source.sheets == ("Referrals", "Read me")
    report = import_referrals(ctx, source)
    assert report.imported == 2  # the empty sheet row after the table is not a referral
    patient, referral = referral_of(ctx, "FIXX0001")
    assert patient.date_of_birth == date(1962, 5, 17) and patient.sex == "female"
    assert referral.received_at.replace(tzinfo=UTC) == datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    assert (referral.urgency, referral.histology_key) == ("urgent", "met_renal")
    _, myeloma = referral_of(ctx, "FIXX0002")
    assert myeloma.histology_key == "met_myeloma"


def test_xlsx_other_sheet_is_chosen_by_name() -> None:
    data = (FIXTURES / "referrals.xlsx").read_bytes()
    notes = read_source(data, "referrals.xlsx", sheet="Read me")
    assert notes.sheet == "Read me" and notes.header[0].startswith("Fictional")
    with pytest.raises(SourceError, match=r"no sheet named 'Sheet9'.*Referrals, Read me"):
        read_source(data, "referrals.xlsx", sheet="Sheet9")


def test_hospital_columns_and_values_import(ctx: ServiceContext) -> None:
    source = load(FIXTURES / "hospital-columns.csv")
    mapping = guess(source)
    assert mapping.columns["date_of_birth"] == "DOB"
    assert mapping.columns["histology"] == "Diagnosis"
    assert mapping.columns["mrn"] == "Hospital number"
    # 15/11/2026 can only be day-first, so 12/04/1958 is 12 April
    assert mapping.date_order == "dmy"
    import_referrals(ctx, source, mapping=mapping)
    patient, referral = referral_of(ctx, "FIXH0001")
    assert (patient.sex, patient.date_of_birth) == ("female", date(1958, 4, 12))
    assert (referral.histology_key, referral.urgency) == ("met_breast", "urgent")
    _, emergency = referral_of(ctx, "FIXH0002")
    assert (emergency.urgency, emergency.histology_key) == ("mscc", "met_prostate")
    wendy, idem = referral_of(ctx, "FIXH0003")
    assert (wendy.sex, idem.compartment, idem.disease_kind) == ("female", "idem", "primary")


def test_one_bad_row_writes_nothing_and_names_the_row_and_the_files_column(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    text = (FIXTURES / "hospital-columns.csv").read_text().replace("03/06/1950", "31/02/1950")
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    before = count_referrals(ctx)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, bad)
    (error,) = exc.value.report.errors
    assert (error.row, error.column, error.source) == (2, "date_of_birth", "DOB")
    assert str(error).startswith("row 2, column DOB (date_of_birth): ")
    assert count_referrals(ctx) == before


def test_ambiguous_dates_need_the_order_chosen(ctx: ServiceContext) -> None:
    text = hospital_with_ambiguous_dates()
    source = load(text)
    assert guess(source).date_order == ""
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, source)
    assert all("day-first or month-first" in e.message for e in exc.value.report.errors)
    import_referrals(ctx, source, mapping=replace(guess(source), date_order=MONTH_FIRST))
    patient, _ = referral_of(ctx, "FIXH0001")
    assert patient.date_of_birth == date(1958, 12, 4)  # 12/04/1958 month-first


def test_unknown_column_is_refused_until_marked_not_imported(ctx: ServiceContext) -> None:
    text = (FIXTURES / "hospital-columns.csv").read_text().splitlines()
    text = [text[0] + ",Ward"] + [line + ",Ward 7" for line in text[1:]]
    source = load("\n".join(text))
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, source)
    assert [e.column for e in exc.value.report.errors] == ["Ward"]
    mapping = guess(source).ignoring_the_rest(source.header)
    assert mapping.ignored == ("Ward",)
    assert import_referrals(ctx, source, mapping=mapping).imported == 3


def test_a_value_the_catalogue_does_not_know_is_mapped_by_choice(ctx: ServiceContext) -> None:
    text = (FIXTURES / "hospital-columns.csv").read_text().replace("Breast cancer", "Ca br L")
    source = load(text)
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, source)
    assert [(e.row, e.source) for e in exc.value.report.errors] == [(1, "Diagnosis")]
    mapping = guess(source).with_value("histology", "ca BR l", "met_breast")
    import_referrals(ctx, source, mapping=mapping)
    assert referral_of(ctx, "FIXH0001")[1].histology_key == "met_breast"


def test_missing_column_says_how_the_file_was_read() -> None:
    source = load("Hospital number;Surname\nX1;Y\n")
    assert source.delimiter == ";"
    from mdtboard.services.importer import read_rows

    _, errors, _ = read_rows(source)
    assert {e.column for e in errors} >= {"given_name", "levels"}
    assert "semicolon-separated" in errors[0].message and "Surname" in errors[0].message


def test_preview_writes_nothing_and_lists_each_rows_problems(ctx: ServiceContext) -> None:
    text = (FIXTURES / "hospital-columns.csv").read_text().replace(",F,", ",Q,")
    source = load(text)
    before = count_referrals(ctx)
    seen = preview(ctx, source, guess(source))
    assert (seen.rows, seen.valid) == (3, 2)
    assert [(e.row, e.column) for e in seen.errors] == [(1, "sex")]
    assert [n for n, _ in seen.shown] == [1, 2, 3]
    assert seen.shown[0][1]["sex"] == "Q"  # the refused row as the file has it
    assert seen.shown[1][1]["histology"] == histology.label_for("met_prostate")
    assert count_referrals(ctx) == before


def test_profiles_round_trip_are_audited_and_named_safely(ctx: ServiceContext) -> None:
    source = load(FIXTURES / "hospital-columns.csv")
    mapping = guess(source).with_value("histology", "Ca br L", "met_breast")
    save_profile(ctx, "Northmoor PAS export", mapping)
    assert profile_names(ctx.db) == ["Northmoor PAS export"]
    assert load_profile(ctx.db, "Northmoor PAS export") == Mapping.from_json(mapping.to_json())
    assert load_profile(ctx.db, "Northmoor PAS export").translate("histology", "CA BR L") == (
        "met_breast"
    )
    with ctx.db.reader() as s:
        summary = s.execute(
            select(AuditEvent.summary).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()
    assert "Northmoor PAS export" in summary
    with pytest.raises(ValidationError):
        save_profile(ctx, "", mapping)
    with pytest.raises(ServiceError, match="no import profile named 'Other'"):
        load_profile(ctx.db, "Other")


def test_encodings_and_delimiters_are_detected() -> None:
    latin = "mrn,family_name\nA1,Müller\n".encode("latin-1")
    assert read_source(latin, "x.csv").header == ("mrn", "family_name")
    assert "Müller" in next(read_source(latin, "x.csv").records())
    utf16_no_bom = "mrn\tfamily_name\nA1\tŁoś\n".encode("utf-16-le")
    assert list(read_source(utf16_no_bom, "x.csv").records()) == [["A1", "Łoś"]]
    bom8 = "\ufeffmrn;family_name\nA1;Zoë\n".encode()
    assert read_source(bom8, "x.csv").header == ("mrn", "family_name")
    assert sniff_delimiter('a|b|c\n"x|y"|2|3\n') == "|"
    assert sniff_delimiter("mrn;name,with comma;dob\n1;a,b;c\n") == ";"


def test_header_words_map_common_spellings() -> None:
    found = guess_columns(["Patient ID", "Last name", "First name", "Date of Birth", "Gender"])
    assert found == {
        "mrn": "Patient ID",
        "family_name": "Last name",
        "given_name": "First name",
        "date_of_birth": "Date of Birth",
        "sex": "Gender",
    }


def test_cli_imports_with_profile_date_order_and_sheet(demo_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mdtboard", "import-referrals", "--db", str(demo_path), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    missing = cli("--profile", "Nope", str(FIXTURES / "hospital-columns.csv"))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "no import profile named 'Nope'" in missing.stderr
    sheet = cli("--sheet", "Read me", str(FIXTURES / "referrals.xlsx"))
    assert sheet.returncode == 1 and "column" in sheet.stderr
    ok = cli("--date-order", "day-first", str(FIXTURES / "hospital-columns.csv"))
    assert ok.returncode == 0, ok.stderr
    assert "imported 3 of 3" in ok.stdout


def test_gp_columns_are_recognised_and_stored(ctx: ServiceContext, tmp_path: Path) -> None:
    """Issue 18 part 2: the GP's name and practice come in with the referral."""
    path = tmp_path / "with-gp.csv"
    path.write_text(
        "Hospital number,Surname,Forename,DOB,Date referred,Referred by,Priority,Disease,"
        "Diagnosis,Compartment,Spinal levels,Reason for referral,Registered GP,GP practice\n"
        "FIXGP0001,Exampleton,Mary,12/04/1958,15/11/2026,Dr Iris Nowhere,Urgent,Metastatic,"
        "Breast cancer,Extradural,T4,SBRT?,Dr Tamsin Oakridge,Hollowmere Fictional Surgery\n",
        encoding="utf-8",
    )
    source = load(path)
    columns = guess_columns(source.header)
    assert columns["gp_name"] == "Registered GP" and columns["gp_practice"] == "GP practice"
    import_referrals(ctx, source)
    _, referral = referral_of(ctx, "FIXGP0001")
    assert (referral.gp_name, referral.gp_practice) == (
        "Dr Tamsin Oakridge",
        "Hollowmere Fictional Surgery",
    )
