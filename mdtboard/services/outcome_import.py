"""Outcomes from another system's file (issue 19 part 2): the same reader as the referral
import (any common CSV dialect and encoding, or .xlsx), the same all-or-nothing rule.

Columns (header names compared without case, spaces or punctuation):
``mrn`` (or ``case_id``), ``vital_status`` (alive / died, or alive at last contact /
deceased / dead), ``status_on`` (the date of last contact or of death), and optional
``ambulatory_30d``, ``ambulatory_90d`` (ambulatory / non-ambulatory, or yes / no),
``local_recurrence`` and ``retreated`` (yes / no) with ``recurrence_on`` and
``retreated_on``. A row by MRN goes to the patient's newest case with a signed-off
decision. Every row is checked before anything is written; one bad row names its row
and column and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain.followup import Ambulation, OutcomeEntry, VitalStatus, outcome_problems
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.import_source import Source
from mdtboard.services.importer import RowError, _parse_bool, _parse_date, load
from mdtboard.services.permissions import Permission
from mdtboard.store.models import AgendaItem, CaseOutcome, Decision, Patient, Referral

FIELDS = (
    "mrn",
    "case_id",
    "vital_status",
    "status_on",
    "ambulatory_30d",
    "ambulatory_90d",
    "local_recurrence",
    "recurrence_on",
    "retreated",
    "retreated_on",
)
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "mrn": ("mrn", "hospitalnumber", "patientid", "unitnumber"),
    "case_id": ("caseid", "case", "referralid"),
    "vital_status": ("vitalstatus", "status", "alive", "vital"),
    "status_on": ("statuson", "lastcontact", "dateoflastcontact", "dateofdeath", "statusdate",
                  "date"),
    "ambulatory_30d": ("ambulatory30d", "ambulatory30days", "walking30days", "ambulation30d"),
    "ambulatory_90d": ("ambulatory90d", "ambulatory90days", "walking90days", "ambulation90d"),
    "local_recurrence": ("localrecurrence", "recurrence"),
    "recurrence_on": ("recurrenceon", "recurrencedate", "dateofrecurrence"),
    "retreated": ("retreated", "retreatment"),
    "retreated_on": ("retreatedon", "retreatmentdate", "dateofretreatment"),
}  # fmt: skip
_VITAL = {
    "alive": VitalStatus.ALIVE,
    "aliveatlastcontact": VitalStatus.ALIVE,
    "living": VitalStatus.ALIVE,
    "died": VitalStatus.DIED,
    "dead": VitalStatus.DIED,
    "deceased": VitalStatus.DIED,
}
_AMBULATION = {
    "ambulatory": Ambulation.AMBULATORY,
    "yes": Ambulation.AMBULATORY,
    "walking": Ambulation.AMBULATORY,
    "nonambulatory": Ambulation.NON_AMBULATORY,
    "no": Ambulation.NON_AMBULATORY,
    "notambulatory": Ambulation.NON_AMBULATORY,
}


def _word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def columns_of(header: tuple[str, ...]) -> dict[str, int]:
    """Each field's column index, from the header's names (first match wins)."""
    out: dict[str, int] = {}
    words = [_word(h) for h in header]
    for field in FIELDS:
        for i, w in enumerate(words):
            if i not in out.values() and (w == field.replace("_", "") or w in _HEADER_WORDS[field]):
                out[field] = i
                break
    return out


@dataclass(frozen=True)
class OutcomeImport:
    rows: int
    imported: int
    errors: tuple[RowError, ...]


class OutcomeImportInvalid(ValidationError):
    def __init__(self, errors: tuple[RowError, ...]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__({f"row {first.row}, column {first.column}": first.message + more})


def import_outcomes(
    ctx: ServiceContext,
    source: Path | str | Source,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> OutcomeImport:
    """Read, check and store every row in one transaction, or nothing."""
    ctx.require(Permission.FOLLOW_UP_WRITE)
    src = source if isinstance(source, Source) else load(source)
    today = today or datetime.now(UTC).astimezone().date()
    cols = columns_of(src.header)
    missing = [f for f in ("vital_status", "status_on") if f not in cols]
    if "mrn" not in cols and "case_id" not in cols:
        missing.insert(0, "mrn")
    if missing:
        raise ValidationError({"columns": f"the file has no {', '.join(missing)} column"})
    problems: list[tuple[int, str]] = []
    records = list(src.records(problems))
    errors: list[RowError] = [RowError(r, "file", text) for r, text in problems]
    with ctx.unit_of_work() as s:
        parsed: list[tuple[int, int, OutcomeEntry]] = []
        for n, cells in enumerate(records, start=1):
            if not any(c.strip() for c in cells):
                continue
            row = _Row(n, cells, cols, src.header)
            read = row.read(s, today)
            errors += row.errors
            if read is not None:
                parsed.append((n, *read))
            if progress is not None and n % 500 == 0:
                progress(n, len(records))
        seen: dict[int, int] = {}
        for n, referral_id, _o in parsed:
            if referral_id in seen:
                errors.append(RowError(n, "mrn", f"the same case as row {seen[referral_id]}"))
            seen[referral_id] = n
        if errors:
            raise OutcomeImportInvalid(tuple(sorted(errors, key=lambda e: e.row)))
        for _n, referral_id, outcome in parsed:
            stored = s.get(CaseOutcome, referral_id)
            if stored is None:
                stored = CaseOutcome(referral_id=referral_id)
                s.add(stored)
            for name, value in vars(outcome).items():
                setattr(stored, name, value)
        s.flush()
        ctx.audit(
            s,
            "import",
            "case_outcome",
            "",
            f"{len(parsed)} outcomes imported from {src.name}, sha256 {src.digest}",
        )
    if progress is not None:
        progress(len(records), len(records))
    return OutcomeImport(len(records), len(parsed), ())


class _Row:
    """One data row being read: its cells by field, and what is wrong with it."""

    def __init__(
        self, n: int, cells: list[str], cols: dict[str, int], header: tuple[str, ...]
    ) -> None:
        self.n, self.cells, self.cols, self.header = n, cells, cols, header
        self.errors: list[RowError] = []

    def cell(self, field: str) -> str:
        i = self.cols.get(field)
        return self.cells[i].strip() if i is not None and i < len(self.cells) else ""

    def bad(self, field: str, message: str) -> None:
        named = self.header[self.cols[field]] if field in self.cols else ""
        self.errors.append(RowError(self.n, field, message, named))

    def read(self, s: Session, today: date) -> tuple[int, OutcomeEntry] | None:
        referral_id = _referral_of(s, self.cell("mrn"), self.cell("case_id"), self.bad)
        vital = _VITAL.get(_word(self.cell("vital_status")))
        if vital is None:
            self.bad("vital_status", f"use alive or died, not {self.cell('vital_status')!r}")
        dates: dict[str, date | None] = {}
        for field in ("status_on", "recurrence_on", "retreated_on"):
            text = self.cell(field)
            dates[field] = None
            if text:
                try:
                    dates[field] = _parse_date(text)
                except ValueError as exc:
                    self.bad(field, str(exc))
            elif field == "status_on":
                self.bad(field, "give the date of last contact or of death")
        walks: dict[str, str | None] = {}
        for field in ("ambulatory_30d", "ambulatory_90d"):
            text = self.cell(field)
            value = _AMBULATION.get(_word(text)) if text else None
            if text and value is None:
                self.bad(field, f"use ambulatory or non-ambulatory, not {text!r}")
            walks[field] = value.value if value else None
        flags: dict[str, bool] = {}
        for field in ("local_recurrence", "retreated"):
            try:
                flags[field] = _parse_bool(self.cell(field))
            except ValueError as exc:
                self.bad(field, str(exc))
        if self.errors or referral_id is None or vital is None or dates["status_on"] is None:
            return None
        outcome = OutcomeEntry(
            vital_status=vital.value,
            status_on=dates["status_on"],
            ambulatory_30d=walks["ambulatory_30d"],
            ambulatory_90d=walks["ambulatory_90d"],
            local_recurrence=flags["local_recurrence"],
            recurrence_on=dates["recurrence_on"],
            retreated=flags["retreated"],
            retreated_on=dates["retreated_on"],
        )
        r = s.get(Referral, referral_id)
        start = r.treatment_started_at if r is not None else None
        treated = start.astimezone().date() if start else None
        for field, message in outcome_problems(outcome, today, treated).items():
            self.bad(field, message)
        return None if self.errors else (referral_id, outcome)


def _referral_of(s: Session, mrn: str, case_id: str, bad: Callable[[str, str], None]) -> int | None:
    """The case a row belongs to: by case id, or the MRN's newest signed-off case."""
    if case_id:
        if not case_id.isdigit() or s.get(Referral, int(case_id)) is None:
            bad("case_id", f"no case {case_id!r}")
            return None
        return int(case_id)
    if not mrn:
        bad("mrn", "give the hospital number (MRN)")
        return None
    found = s.execute(
        select(Referral.id)
        .join(Patient, Patient.id == Referral.patient_id)
        .join(AgendaItem, AgendaItem.referral_id == Referral.id)
        .join(Decision, Decision.agenda_item_id == AgendaItem.id)
        .where(Patient.mrn == mrn, Decision.status == "signed_off")
        .order_by(Decision.signed_off_at.desc())
        .limit(1)
    ).scalar()
    if found is None:
        bad("mrn", f"no signed-off MDT decision for MRN {mrn}")
    return found
