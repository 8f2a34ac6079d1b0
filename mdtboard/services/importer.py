"""CSV referral import (all rows validated before anything is written) and CSV export.

The format is documented in ``docs/import-format.md``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError

from mdtboard.domain import histology, levels, mscc
from mdtboard.domain.lifecycle import CaseEvent, after
from mdtboard.domain.vocab import (
    URGENCY_ORDER,
    Compartment,
    DiseaseKind,
    Sex,
    Urgency,
)
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.referrals import (
    PatientInput,
    ReferralInput,
    validate_case,
)
from mdtboard.services.storable import clean_text, normalised_identifier
from mdtboard.store.dialects import bulk_insert, insert_returning_ids
from mdtboard.store.models import AuditEvent, Patient, Referral, ReferralLevel
from mdtboard.store.types import utcnow

REQUIRED_COLUMNS = (
    "mrn",
    "family_name",
    "given_name",
    "date_of_birth",
    "received_at",
    "referrer_name",
    "urgency",
    "disease_kind",
    "histology",
    "compartment",
    "levels",
    "question",
)
OPTIONAL_COLUMNS = (
    "sex",
    "national_number",
    "referrer_organisation",
    "primary_site",
    "presenting_problem",
    "neuro_status",
    "neuro_deficit",
    "imaging_date",
    "pathology_date",
    "biopsy_deferral_rationale",
    "red_flags",
    "mscc_suspected_at",
)
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROWS = 200_000

#: map a referral/patient validation field back to the CSV column that feeds it
_FIELD_TO_COLUMN = {
    "histology_key": "histology",
    "imaging_available": "imaging_date",
    "pathology_available": "pathology_date",
}


class ImportCancelled(ServiceError):
    pass


class AlreadyImported(ServiceError):
    """The same file (by SHA-256) was imported before."""


def _imported_before(ctx: ServiceContext, digest: str) -> datetime | None:
    """When a file with this SHA-256 was imported (the import's audit event records it)."""
    with ctx.db.reader() as s:
        return s.execute(
            select(AuditEvent.occurred_at)
            .where(
                AuditEvent.action == "import",
                AuditEvent.entity == "referral",
                AuditEvent.summary.like(f"%sha256 {digest}%"),
            )
            .order_by(AuditEvent.id)
            .limit(1)
        ).scalar_one_or_none()


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row number; the header is row 1 of the file, so file line = row + 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    rows: int
    imported: int
    new_patients: int
    errors: tuple[RowError, ...]
    written: bool
    sha256: str = ""


@dataclass(frozen=True)
class _Row:
    number: int
    patient: PatientInput
    referral: ReferralInput


class ImportInvalid(ValidationError):
    def __init__(self, report: ImportReport) -> None:
        self.report = report
        first = report.errors[0]
        more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
        super().__init__({f"row {first.row}, column {first.column}": first.message + more})


def _parse_date(text: str) -> date:
    text = text.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (use YYYY-MM-DD): {text!r}")


def _parse_datetime(text: str) -> datetime:
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.combine(_parse_date(text), datetime.min.time(), tzinfo=UTC)
        except ValueError:
            raise ValueError(
                f"not a date or date-time (use YYYY-MM-DD or ISO 8601): {text!r}"
            ) from None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00
        raise ValueError(f"date-time out of range: {text!r}") from None


def _parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("", "no", "n", "false", "0"):
        return False
    if t in ("yes", "y", "true", "1"):
        return True
    raise ValueError(f"use yes or no, not {text!r}")


@cache
def _values(enum_cls: Any) -> frozenset[str]:
    return frozenset(m.value for m in enum_cls)


@lru_cache(maxsize=1024)  # a file repeats the same few values in these columns
def _choice(text: str, enum_cls: Any, column: str) -> str:
    t = text.strip().lower().replace(" ", "_").replace("-", "_")
    values = _values(enum_cls)
    if t in values:
        return t
    raise ValueError(f"{column} must be one of {', '.join(sorted(values))}; got {text!r}")


@lru_cache(maxsize=1024)
def _histology_key(text: str) -> str:
    t = text.strip()
    if not t:
        raise ValueError("histology is required (a catalogue key, label, or 'awaiting_biopsy')")
    if t.lower().replace(" ", "_") == histology.AWAITING_BIOPSY:
        return histology.AWAITING_BIOPSY
    if t in histology.CATALOGUE:
        return t
    for h in histology.CATALOGUE.values():
        if t.casefold() in {h.label.casefold(), *(s.casefold() for s in h.synonyms)}:
            return h.key
    raise ValueError(f"unknown histology {t!r} (see docs/import-format.md for the keys)")


def _sex(text: str) -> str:
    return _choice(text, Sex, "sex")


def _urgency(text: str) -> str:
    return _choice(text, Urgency, "urgency")


_RED_FLAG_SPLIT = re.compile(r"[;|,]")
_RED_FLAG_KEYS = frozenset(f.key for f in mscc.RED_FLAGS)


@lru_cache(maxsize=1024)
def _red_flags(text: str) -> tuple[str, ...]:
    """ "cancer_history; limb_weakness" → the keys in checklist order (DOMAIN.md §3)."""
    keys = {k.strip().lower() for k in _RED_FLAG_SPLIT.split(text) if k.strip()}
    unknown = sorted(keys - _RED_FLAG_KEYS)
    if unknown:
        raise ValueError(f"unknown red flag {unknown[0]!r} (see docs/import-format.md)")
    return tuple(f.key for f in mscc.RED_FLAGS if f.key in keys)


def _disease_kind(text: str) -> str:
    return _choice(text, DiseaseKind, "disease_kind")


def _compartment(text: str) -> str:
    return _choice(text, Compartment, "compartment")


#: text columns: (column, required)
_TEXT_COLUMNS: tuple[tuple[str, bool], ...] = (
    ("mrn", True),
    ("family_name", True),
    ("given_name", True),
    ("referrer_name", True),
    ("question", True),
    ("national_number", False),
    ("referrer_organisation", False),
    ("primary_site", False),
    ("presenting_problem", False),
    ("neuro_status", False),
    ("biopsy_deferral_rationale", False),
)
_IDENTIFIERS = frozenset({"mrn", "national_number"})
#: parsed columns: (column, parser, required); a parser raises ValueError with the message
_PARSED_COLUMNS: tuple[tuple[str, Callable[[str], Any], bool], ...] = (
    ("date_of_birth", _parse_date, True),
    ("received_at", _parse_datetime, True),
    ("imaging_date", _parse_date, False),
    ("pathology_date", _parse_date, False),
    ("sex", _sex, False),
    ("urgency", _urgency, False),  # may be left to the red flags (checked below)
    ("red_flags", _red_flags, False),
    ("mscc_suspected_at", _parse_datetime, False),
    ("disease_kind", _disease_kind, True),
    ("compartment", _compartment, True),
    ("histology", _histology_key, True),
    ("levels", levels.parse_levels, True),
    ("neuro_deficit", _parse_bool, False),
)


@dataclass(frozen=True)
class _Columns:
    """The columns of one file's header, worked out once: a row's loop then visits only
    the columns the file has (absent optional ones are None from the start)."""

    text: tuple[tuple[str, bool], ...]
    parsed: tuple[tuple[str, Callable[[str], Any], bool], ...]
    absent: dict[str, None]

    @staticmethod
    def of(header: Sequence[str]) -> _Columns:
        have = set(header)
        return _Columns(
            tuple(c for c in _TEXT_COLUMNS if c[0] in have),
            tuple(c for c in _PARSED_COLUMNS if c[0] in have),
            dict.fromkeys(c for c in ALL_COLUMNS if c not in have),
        )


def _parse_row(
    number: int, raw: dict[str, str], columns: _Columns
) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = dict(columns.absent)
    get = raw.get
    for column, required in columns.text:
        text = (get(column) or "").strip()
        if not text and required:
            errors.append(RowError(number, column, "is required"))
        # identifiers are checked as given (an invisible character is refused by
        # validate_patient); free text is stored without one
        values[column] = (
            (normalised_identifier(text) if column in _IDENTIFIERS else clean_text(text).strip())
            if text
            else None
        )
    for column, parse, required in columns.parsed:
        text = (get(column) or "").strip()
        if not text:
            if required:
                errors.append(RowError(number, column, "is required"))
            values[column] = None
            continue
        try:
            values[column] = parse(text)
        except ValueError as exc:
            errors.append(RowError(number, column, str(exc)))
            values[column] = None
    flags = values["red_flags"] or ()
    if values["urgency"] is None and not flags:
        if not any(e.column == "urgency" for e in errors):
            errors.append(RowError(number, "urgency", "is required (or give the red_flags)"))
    else:
        values["urgency"] = _urgency_with_flags(number, values["urgency"], flags, errors)
    if errors:
        return None, errors
    patient = PatientInput(
        mrn=values["mrn"],
        family_name=values["family_name"],
        given_name=values["given_name"],
        date_of_birth=values["date_of_birth"],
        sex=values["sex"] or Sex.UNKNOWN.value,
        national_number=values["national_number"] or "",
    )
    referral = ReferralInput(
        received_at=values["received_at"],
        referrer_name=values["referrer_name"],
        referrer_organisation=values["referrer_organisation"] or "",
        urgency=values["urgency"],
        question=values["question"],
        presenting_problem=values["presenting_problem"] or "",
        disease_kind=values["disease_kind"],
        primary_site=values["primary_site"] or "",
        histology_key=values["histology"],
        compartment=values["compartment"],
        levels=tuple(values["levels"]),
        neuro_status=values["neuro_status"] or "",
        neuro_deficit=bool(values["neuro_deficit"]),
        imaging_available=values["imaging_date"] is not None,
        imaging_date=values["imaging_date"],
        pathology_available=values["pathology_date"] is not None,
        pathology_date=values["pathology_date"],
        biopsy_deferral_rationale=values["biopsy_deferral_rationale"] or "",
        red_flags=flags,
        mscc_suspected_at=values["mscc_suspected_at"],
    )
    problems = validate_case(patient, referral)
    for fld, message in problems.items():
        errors.append(RowError(number, _FIELD_TO_COLUMN.get(fld, fld), message))
    return (None if errors else _Row(number, patient, referral)), errors


def _urgency_with_flags(
    number: int, given: str | None, flags: tuple[str, ...], errors: list[RowError]
) -> str | None:
    """The row's urgency: as given, or as the red flags suggest when left blank. A given
    urgency below the suggestion is refused: an MSCC emergency imported as routine would
    be missed (reference/scores.md §11, NG234 §1.2)."""
    if not flags:
        return given
    suggestion = mscc.suggest_urgency(flags)
    if given is None:
        return suggestion.urgency.value
    if URGENCY_ORDER[suggestion.urgency.value] < URGENCY_ORDER[given]:
        errors.append(
            RowError(
                number,
                "urgency",
                f"{given} is less urgent than the red flags suggest "
                f"({suggestion.urgency.value}: {suggestion.reasons[0]})",
            )
        )
    return given


def _csv_records(reader: csv.DictReader[str], errors: list[RowError]) -> Iterator[dict[str, Any]]:
    """The reader's rows; a row the csv module cannot read (a stray quote at the end, a
    bare carriage return, a huge field) ends the file with one error naming the row."""
    number = 0
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(number + 1, "", f"not readable as CSV ({exc})"))
            return
        number += 1
        yield raw


def read_rows(
    text: str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[list[_Row], list[RowError], int]:
    """Parse and validate every row; returns (valid rows, errors, number of data rows).

    ``progress(rows read, rows in the file)`` is called every few hundred rows, and
    ``cancelled()`` is asked as often (then ImportCancelled: nothing was written)."""
    expected = max(1, text.count("\n") - 1)
    # strict: an unterminated quote is an error, not a field that swallows the next rows
    # newline=None: rows may end in \r\n, \n or a bare \r (old Mac spreadsheets)
    reader = csv.DictReader(io.StringIO(text, newline=None), strict=True)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [RowError(0, "", f"the header row is not readable as CSV ({exc})")], 0
    doubled = sorted({h for h in header if header.count(h) > 1})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in ALL_COLUMNS]
    header_problems = (
        (doubled, "column appears more than once in the header row"),
        (missing, "column missing from the header row"),
        (unknown, "unknown column (see docs/import-format.md)"),
    )
    for columns, message in header_problems:  # the first kind found is reported
        if columns:
            return [], [RowError(0, c, message) for c in columns], 0
    reader.fieldnames = header
    layout = _Columns.of(header)
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[str, date | None, int]] = {}
    same: dict[tuple[str, ...], int] = {}  # a row's values → the first row that had them
    count = 0
    for count, raw in enumerate(_csv_records(reader, errors), start=1):
        if count % 500 == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            if progress is not None:
                progress(count, expected)
        if count > MAX_ROWS:
            errors.append(RowError(count, "", f"more than {MAX_ROWS} rows; split the file"))
            break
        if None in raw:
            errors.append(RowError(count, "", "more values than columns in the header"))
            continue
        first = same.setdefault(tuple(raw.values()), count)
        if first != count:
            errors.append(RowError(count, "", f"the same as row {first}"))
            continue
        row, row_errors = _parse_row(count, raw, layout)
        errors.extend(row_errors)
        if row is not None:
            key = row.patient.mrn.strip()
            ident = (row.patient.family_name.strip().lower(), row.patient.date_of_birth, count)
            if key in seen and seen[key][:2] != ident[:2]:
                errors.append(
                    RowError(
                        count,
                        "mrn",
                        f"same MRN as row {seen[key][2]} but a different name or date of birth",
                    )
                )
                continue
            seen.setdefault(key, ident)
            rows.append(row)
    return rows, errors, count


def import_referrals(
    ctx: ServiceContext,
    source: Path | str,
    *,
    valid_rows_only: bool = False,
    allow_same_file: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a referrals CSV in one transaction.

    By default nothing is written if any row is invalid (raises
    :class:`ImportInvalid` carrying the full report). ``valid_rows_only``
    writes the valid rows and reports the others.
    """
    ctx.require(Permission.IMPORT)
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise ServiceError(f"cannot read {source}: {exc.strerror}") from exc
        name = source.name
    else:
        data = source.encode("utf-8")
        name = "pasted text"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ServiceError(f"{name} is not UTF-8 text (byte {exc.start})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if not allow_same_file:
        when = _imported_before(ctx, digest)
        if when is not None:
            raise AlreadyImported(
                f"{name} was imported before ({when:%d %b %Y %H:%M} UTC, sha256 "
                f"{digest[:12]}…): importing it again would add every row twice; "
                "add --allow-same-file to import it anyway"
            )
    # progress runs over both halves: reading and checking the rows, then writing them
    rows, errors, total = read_rows(
        text,
        (lambda n, of: progress(n, 2 * of)) if progress is not None else None,
        cancelled,
    )
    if any(e.row == 0 for e in errors) or not rows:
        report = ImportReport(total, 0, 0, tuple(errors), False, digest)
        if errors:
            raise ImportInvalid(report)
        return report
    # The MRN check against stored patients happens in the write transaction, before
    # anything is written, and its problems are reported with the others.
    write_progress = (
        (lambda done, of: progress(total + done * total // max(1, of), 2 * total))
        if progress is not None
        else None
    )
    try:
        imported, new_patients, errors = _write(
            ctx, rows, name, digest, write_progress, cancelled, errors, total, valid_rows_only
        )
    except IntegrityError as exc:
        # another workstation registered one of these MRNs while the file was checked
        raise ServiceError(
            f"{name}: a patient in this file was registered on another workstation while it "
            "was imported; nothing was imported — import it again to see which row"
        ) from exc
    return ImportReport(total, imported, new_patients, tuple(errors), True, digest)


def _write(
    ctx: ServiceContext,
    rows: Sequence[_Row],
    name: str,
    digest: str,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
    errors: list[RowError],
    total: int,
    valid_rows_only: bool,
) -> tuple[int, int, list[RowError]]:
    now = utcnow()
    chunk = 2000
    # Core inserts on the tables: plain executemany, no ORM unit-of-work bookkeeping
    patients = cast(Table, Patient.__table__)
    referral_levels = cast(Table, ReferralLevel.__table__)
    with ctx.unit_of_work() as s:
        mrns = sorted({r.patient.mrn.strip() for r in rows})
        existing: dict[str, tuple[int, str, date]] = {}
        for i in range(0, len(mrns), 900):
            for pid, mrn, family, dob in s.execute(
                select(Patient.id, Patient.mrn, Patient.family_name, Patient.date_of_birth).where(
                    Patient.mrn.in_(mrns[i : i + 900])
                )
            ):
                existing[mrn] = (pid, family, dob)
        conflicts = [
            RowError(
                r.number,
                "mrn",
                "this MRN belongs to a patient with a different name or date of birth",
            )
            for r in rows
            if (e := existing.get(r.patient.mrn.strip())) is not None
            and (
                e[1].lower() != r.patient.family_name.strip().lower()
                or e[2] != r.patient.date_of_birth
            )
        ]
        if conflicts or errors:
            errors = sorted([*errors, *conflicts], key=lambda e: e.row)
            clashing = {e.row for e in conflicts}
            rows = [r for r in rows if r.number not in clashing]
            if not valid_rows_only or not rows:
                raise ImportInvalid(ImportReport(total, 0, 0, tuple(errors), False, digest))
        new_patients = []
        for r in rows:
            mrn = r.patient.mrn.strip()
            if mrn in existing:
                continue
            existing[mrn] = (0, r.patient.family_name, r.patient.date_of_birth or date.min)
            new_patients.append(
                {
                    "mrn": mrn,
                    "family_name": r.patient.family_name.strip(),
                    "given_name": r.patient.given_name.strip(),
                    "date_of_birth": r.patient.date_of_birth,
                    "sex": r.patient.sex,
                    "national_number": r.patient.national_number.strip() or None,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = {mrn: e[0] for mrn, e in existing.items() if e[0]}
        for i in range(0, len(new_patients), chunk):
            part_p = new_patients[i : i + chunk]
            for row_p, pid in zip(part_p, insert_returning_ids(s, patients, part_p), strict=True):
                ids[str(row_p["mrn"])] = pid
        done = 0
        for i in range(0, len(rows), chunk):
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            part = rows[i : i + chunk]
            referral_rows = []
            for r in part:
                d = r.referral
                lv = tuple(sorted(set(d.levels), key=levels.index))
                referral_rows.append(
                    {
                        "patient_id": ids[r.patient.mrn.strip()],
                        "received_at": d.received_at,
                        "referrer_name": d.referrer_name.strip(),
                        "referrer_organisation": d.referrer_organisation.strip(),
                        "urgency": d.urgency,
                        "presenting_problem": d.presenting_problem.strip(),
                        "question": d.question.strip(),
                        "disease_kind": d.disease_kind,
                        "primary_site": d.primary_site.strip(),
                        "histology_key": d.histology_key,
                        "compartment": d.compartment,
                        "levels_text": levels.format_levels(lv),
                        "neuro_status": d.neuro_status.strip(),
                        "neuro_deficit": d.neuro_deficit,
                        "imaging_available": d.imaging_available,
                        "imaging_date": d.imaging_date,
                        "pathology_available": d.pathology_available,
                        "pathology_date": d.pathology_date,
                        "biopsy_deferral_rationale": d.biopsy_deferral_rationale.strip(),
                        "dexamethasone_omitted_reason": "",
                        "red_flags": list(d.red_flags) or None,
                        "mscc_suspected_at": d.mscc_suspected_at,
                        "status": after(None, CaseEvent.IMPORTED),
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            new_ids = insert_returning_ids(s, cast(Table, Referral.__table__), referral_rows)
            level_rows = [
                {"referral_id": rid, "level": lvl, "ordinal": levels.index(lvl)}
                for rid, r in zip(new_ids, part, strict=True)
                for lvl in sorted(set(r.referral.levels), key=levels.index)
            ]
            bulk_insert(s, referral_levels, level_rows)
            done += len(part)
            if progress is not None:
                progress(done, len(rows))
        ctx.audit(
            s,
            "import",
            "referral",
            "",
            f"imported {len(rows)} referrals ({len(new_patients)} new patients) from {name}, "
            f"sha256 {digest}",
        )
    return len(rows), len(new_patients), errors
