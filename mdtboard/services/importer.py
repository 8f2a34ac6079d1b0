"""CSV referral import (all rows validated before anything is written) and CSV export.

The format is documented in ``docs/import-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
from mdtboard.services.import_mapping import (
    CODED_FIELDS,
    FIELDS,
    LABELS,
    REQUIRED,
    Mapping,
    guess,
    guess_histology,
)
from mdtboard.services.import_source import Source, read_source
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

#: the import format's columns (docs/import-format.md), in form order
REQUIRED_COLUMNS = tuple(f for f in FIELDS if f in REQUIRED)
OPTIONAL_COLUMNS = tuple(f for f in FIELDS if f not in REQUIRED)
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


def imported_before(ctx: ServiceContext, digest: str) -> datetime | None:
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
    column: str  # mdtboard's field (the import format's column name)
    message: str
    source: str = ""  # the file's own column name, when the file names it otherwise

    def __str__(self) -> str:
        where = f"{self.source} ({self.column})" if self.source else self.column
        return f"row {self.row}, column {where}: {self.message}"


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


_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_SLASHED_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_TIME_AT_END = re.compile(r"[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
#: English month names, fixed (the calendar module follows the process locale)
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS = (
    {n: i for i, n in enumerate(_MONTH_NAMES, 1)}
    | {n[:3]: i for i, n in enumerate(_MONTH_NAMES, 1)}
    | {"Sept": 9}
)
_NAMED_DATE = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-](\d{4})$")
_ORDER_WORDS = {"dmy": "day-first", "mdy": "month-first"}


def _make_date(y: int, m: int, d: int, text: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None


def _parse_date(text: str, order: str = "") -> date:
    """A date as hospital files write it: ISO (1958-04-12), day or month first with
    / . or - (12/04/1958 — ``order`` "dmy" or "mdy" says which; left unset, a date
    that reads both ways is refused), or with the month's name (12 Apr 1958)."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    if m := _ISO_DATE.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _SLASHED_DATE.match(text):
        a, b, year = int(m[1]), int(m[2]), m[3]
        if len(year) != 4:
            raise ValueError(f"use a four-digit year: {text!r}")
        if order == "dmy" or (not order and a > 12 >= b):
            return _make_date(int(year), b, a, text)
        if order == "mdy" or (not order and b > 12 >= a):
            return _make_date(int(year), a, b, text)
        if a == b:
            return _make_date(int(year), a, a, text)
        if a <= 12 and b <= 12:
            raise ValueError(
                f"{text} could be day-first or month-first: choose the date order "
                "(import wizard, or --date-order)"
            )
        raise ValueError(f"not a date: {text!r}")
    if m := _NAMED_DATE.match(text):
        month = _MONTHS.get(m[2].title())
        if month is not None:
            return _make_date(int(m[3]), month, int(m[1]), text)
    raise ValueError(f"not a date (use YYYY-MM-DD or DD/MM/YYYY): {text!r}")


def _parse_datetime(text: str, order: str = "") -> datetime:
    """A date and time (ISO 8601, or a date as :func:`_parse_date` reads it with an
    optional HH:MM); a time without a zone is UTC."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        clock = _TIME_AT_END.search(text)
        day_text = text[: clock.start()] if clock else text
        try:
            day = _parse_date(day_text, order)
        except ValueError as exc:
            if "day-first" in str(exc) or "four-digit" in str(exc):
                raise
            raise ValueError(
                f"not a date or date-time (use YYYY-MM-DD HH:MM or ISO 8601): {text!r}"
            ) from None
        if clock is None:
            return datetime.combine(day, time(0, 0), tzinfo=UTC)
        hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"not a time of day: {text!r}") from None
        return datetime.combine(day, time(hour, minute, second), tzinfo=UTC)
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
    key = guess_histology(t)
    if key is None:
        raise ValueError(
            f"unknown histology {t!r} (choose its catalogue entry in the import wizard or a "
            "profile; docs/import-format.md lists the keys)"
        )
    return key


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
    ("gp_name", False),
    ("gp_practice", False),
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
    def of(header: Sequence[str], date_order: str = "") -> _Columns:
        have = set(header)
        dated: dict[Callable[..., Any], Callable[[str], Any]] = {}
        if date_order:
            dated = {
                _parse_date: partial(_parse_date, order=date_order),
                _parse_datetime: partial(_parse_datetime, order=date_order),
            }
        return _Columns(
            tuple(c for c in _TEXT_COLUMNS if c[0] in have),
            tuple((c, dated.get(p, p), r) for c, p, r in _PARSED_COLUMNS if c in have),
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
        gp_name=values["gp_name"] or "",
        gp_practice=values["gp_practice"] or "",
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


def _header_problems(source: Source, mapping: Mapping) -> list[RowError]:
    """What stops the file's header from feeding the importer: the first kind found."""
    header = [h for h in source.header if h]
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        return [RowError(0, h, "column appears more than once in the header row") for h in doubled]
    have = set(header)
    missing = [f for f in REQUIRED_COLUMNS if mapping.columns.get(f) not in have]
    if missing:
        shown = "; ".join(header[:12]) + ("; …" if len(header) > 12 else "")
        how = (
            f"read as {source.describe()}; its columns: {shown}"
            if header
            else f"read as {source.describe()}; it has no header row"
        )
        return [
            RowError(0, f, f"no column for {LABELS[f].lower()} ({how})")
            if not mapping.is_identity()
            else RowError(0, f, f"column missing from the header row ({how})")
            for f in missing
        ]
    used = set(mapping.columns.values()) | set(mapping.ignored)
    unknown = [h for h in header if h not in used]
    return [
        RowError(
            0,
            h,
            "unknown column (map it or mark it not imported in the import wizard or a "
            "profile; docs/import-format.md lists mdtboard's columns)",
        )
        for h in unknown
    ]


def read_rows(
    source: Source | str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    mapping: Mapping | None = None,
    refused: dict[int, dict[str, str]] | None = None,
) -> tuple[list[_Row], list[RowError], int]:
    """Parse and validate every row; returns (valid rows, errors, number of data rows).
    ``refused``, when given, collects the first 500 invalid rows' values as read.

    ``mapping`` says which file column feeds each field and how values translate
    (guessed from the file when not given). ``progress(rows read, rows in the file)`` is
    called every few hundred rows, and ``cancelled()`` is asked as often (then
    ImportCancelled: nothing was written)."""
    if isinstance(source, str):
        source = read_source(source.encode("utf-8"), "pasted text")
    if mapping is None:
        mapping = guess(source)
    problems = _header_problems(source, mapping)
    if problems:
        return [], _named(problems, mapping), 0
    index = {h: i for i, h in enumerate(source.header)}
    pairs = [(f, index[c]) for f, c in mapping.columns.items() if c in index]
    coded: list[tuple[str, dict[str, str]]] = [(f, {}) for f, _ in pairs if f in CODED_FIELDS]
    width = len(source.header)
    names = [f for f, _ in pairs]
    pick = itemgetter(*(i for _, i in pairs)) if len(pairs) > 1 else lambda r: (r[pairs[0][1]],)
    layout = _Columns.of([f for f, _ in pairs], mapping.date_order)
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[str, date | None, int]] = {}
    same: dict[tuple[str, ...], int] = {}  # a row's values → the first row that had them
    count = 0
    unreadable: list[tuple[int, str]] = []
    expected = source.expected_rows
    for count, record in enumerate(source.records(unreadable), start=1):
        if count % 500 == 0:
            if cancelled is not None and cancelled():
                raise ImportCancelled("import cancelled; nothing was written")
            if progress is not None:
                progress(count, expected)
        if count > MAX_ROWS:
            errors.append(RowError(count, "", f"more than {MAX_ROWS} rows; split the file"))
            break
        if len(record) > width and any(v.strip() for v in record[width:]):
            errors.append(RowError(count, "", "more values than columns in the header"))
            continue
        if not any(record):
            continue  # an empty line or sheet row
        first = same.setdefault(tuple(record), count)
        if first != count:
            errors.append(RowError(count, "", f"the same as row {first}"))
            continue
        if len(record) < width:
            record += [""] * (width - len(record))
        raw = dict(zip(names, pick(record), strict=True))
        for f, cache_ in coded:
            value = raw[f]
            if value:
                got = cache_.get(value)
                if got is None:
                    got = cache_[value] = mapping.translate(f, value.strip())
                raw[f] = got
        row, row_errors = _parse_row(count, raw, layout)
        errors.extend(row_errors)
        if row is None and refused is not None and len(refused) < 500:
            refused[count] = raw
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
    errors.extend(RowError(n, "", message) for n, message in unreadable)
    return rows, _named(errors, mapping), count


def _named(errors: list[RowError], mapping: Mapping) -> list[RowError]:
    """The errors with the file's own column names beside mdtboard's."""
    return [
        RowError(e.row, e.column, e.message, c)
        if (c := mapping.columns.get(e.column)) is not None and c != e.column
        else e
        for e in errors
    ]


def load(
    source: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Source:
    """A file (CSV in any common dialect and encoding, or .xlsx) or pasted CSV text."""
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise ServiceError(f"cannot read {source}: {exc.strerror}") from exc
        name = source.name
    else:
        data = source.encode("utf-8")
        name = "pasted text"
    return read_source(data, name, encoding=encoding, delimiter=delimiter, sheet=sheet)


@dataclass(frozen=True)
class Preview:
    """What an import would do, before anything is written: the rows as mdtboard reads
    them (the first ``limit``), every problem, and how many rows are valid."""

    rows: int
    valid: int
    shown: tuple[tuple[int, dict[str, Any]], ...]
    errors: tuple[RowError, ...]
    imported_before: datetime | None


def preview(
    ctx: ServiceContext,
    source: Source,
    mapping: Mapping,
    *,
    limit: int = 500,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Preview:
    """Check the file as :func:`import_referrals` would (MRNs against stored patients
    too), writing nothing."""
    ctx.require(Permission.IMPORT)
    refused: dict[int, dict[str, str]] = {}
    rows, errors, total = read_rows(source, progress, cancelled, mapping, refused)
    if rows:
        with ctx.db.reader() as s:
            stored = _stored_patients(s, rows)
            errors = sorted([*errors, *_mrn_conflicts(rows, stored)], key=lambda e: e.row)
        errors = _named(errors, mapping)
    bad = {e.row for e in errors}
    shown = tuple(
        sorted(
            [(r.number, _shown(r)) for r in rows[:limit]]
            + [(n, _as_read(raw)) for n, raw in refused.items()],
        )
    )
    return Preview(
        total,
        sum(1 for r in rows if r.number not in bad),
        shown,
        tuple(errors),
        imported_before(ctx, source.digest),
    )


def _as_read(raw: dict[str, str]) -> dict[str, Any]:
    """An invalid row as the file gives it, so the user can find it."""
    get = raw.get
    name = ", ".join(x for x in ((get("family_name") or "").upper(), get("given_name")) if x)
    return {
        "mrn": get("mrn") or "",
        "patient": name,
        "date_of_birth": get("date_of_birth") or "",
        "sex": get("sex") or "",
        "received_at": get("received_at") or "",
        "urgency": get("urgency") or "",
        "histology": get("histology") or "",
        "levels": get("levels") or "",
    }


def _shown(row: _Row) -> dict[str, Any]:
    """A valid row as the preview shows it (dates as dates: the screen formats them)."""
    p, d = row.patient, row.referral
    return {
        "mrn": p.mrn,
        "patient": f"{p.family_name.upper()}, {p.given_name}",
        "date_of_birth": p.date_of_birth,
        "sex": Sex(p.sex).label,
        "received_at": d.received_at,
        "urgency": Urgency(d.urgency).label,
        "histology": histology.label_for(d.histology_key),
        "levels": levels.format_levels(tuple(d.levels)),
    }


def import_referrals(
    ctx: ServiceContext,
    source: Path | str | Source,
    *,
    mapping: Mapping | None = None,
    valid_rows_only: bool = False,
    allow_same_file: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a referrals file (CSV or .xlsx) in one transaction.

    ``mapping`` maps the file's columns and values to mdtboard's (a saved profile, or
    the wizard's); without one it is guessed from the header. By default nothing is
    written if any row is invalid (raises :class:`ImportInvalid` carrying the full
    report). ``valid_rows_only`` writes the valid rows and reports the others.
    """
    ctx.require(Permission.IMPORT)
    table = source if isinstance(source, Source) else load(source)
    name, digest = table.name, table.digest
    if not allow_same_file:
        when = imported_before(ctx, digest)
        if when is not None:
            raise AlreadyImported(
                f"{name} was imported before ({when:%d %b %Y %H:%M} UTC, sha256 "
                f"{digest[:12]}…): importing it again would add every row twice; "
                "add --allow-same-file to import it anyway"
            )
    # progress runs over both halves: reading and checking the rows, then writing them
    rows, errors, total = read_rows(
        table,
        (lambda n, of: progress(n, 2 * of)) if progress is not None else None,
        cancelled,
        mapping,
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


def _mrn_conflicts(
    rows: Sequence[_Row], existing: dict[str, tuple[int, str, date]]
) -> list[RowError]:
    """Rows whose MRN belongs to a stored patient (``existing``, by MRN) of another name
    or date of birth."""
    return [
        RowError(
            r.number,
            "mrn",
            "this MRN belongs to a patient with a different name or date of birth",
        )
        for r in rows
        if (e := existing.get(r.patient.mrn.strip())) is not None
        and (
            e[1].lower() != r.patient.family_name.strip().lower() or e[2] != r.patient.date_of_birth
        )
    ]


def _stored_patients(s: Session, rows: Sequence[_Row]) -> dict[str, tuple[int, str, date]]:
    mrns = sorted({r.patient.mrn.strip() for r in rows})
    existing: dict[str, tuple[int, str, date]] = {}
    for i in range(0, len(mrns), 900):
        for pid, mrn, family, dob in s.execute(
            select(Patient.id, Patient.mrn, Patient.family_name, Patient.date_of_birth).where(
                Patient.mrn.in_(mrns[i : i + 900])
            )
        ):
            existing[mrn] = (pid, family, dob)
    return existing


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
        existing = _stored_patients(s, rows)
        conflicts = _mrn_conflicts(rows, existing)
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
                        "gp_name": d.gp_name.strip(),
                        "gp_practice": d.gp_practice.strip(),
                        "copy_to": d.copy_to.strip(),
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
