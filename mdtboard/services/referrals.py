"""Registering and editing referrals ("cases") and their patients."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain import differential, histology, levels, mscc
from mdtboard.domain.lifecycle import CaseEvent, after
from mdtboard.domain.vocab import (
    Compartment,
    DiseaseKind,
    Sex,
    Urgency,
)
from mdtboard.services import assessments
from mdtboard.services.assessments import ScoreChange
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.readiness import move, shown_status_in
from mdtboard.services.storable import (
    clean_text,
    holds_nul,
    identifier_problem,
    input_problems,
    normalised_identifier,
)
from mdtboard.store.db import Database
from mdtboard.store.models import Patient, Referral, ReferralLevel

MRN_MAX = 32
#: no date recorded for a referral is earlier (0001-01-01 is a common placeholder in exports)
EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class PatientInput:
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date | None
    sex: str = Sex.UNKNOWN.value
    national_number: str = ""


@dataclass(frozen=True)
class ReferralInput:
    received_at: datetime | None
    referrer_name: str
    urgency: str
    question: str
    disease_kind: str
    histology_key: str
    compartment: str
    levels: tuple[str, ...] = ()
    referrer_organisation: str = ""
    #: the patient's GP (a copy of the outcome letter goes to them)
    gp_name: str = ""
    gp_practice: str = ""
    #: other recipients of the outcome letter, one per line
    copy_to: str = ""
    presenting_problem: str = ""
    primary_site: str = ""
    neuro_status: str = ""
    neuro_deficit: bool = False
    imaging_available: bool = False
    imaging_date: date | None = None
    pathology_available: bool = False
    pathology_date: date | None = None
    biopsy_deferral_rationale: str = ""
    mscc_suspected_at: datetime | None = None
    mri_at: datetime | None = None
    dexamethasone_started_at: datetime | None = None
    dexamethasone_omitted_reason: str = ""
    treatment_started_at: datetime | None = None
    #: DOMAIN.md §3 red flags (domain.mscc keys), in checklist order
    red_flags: tuple[str, ...] = ()
    #: DOMAIN.md §8 differential checklist: (item key, answer) pairs
    differential: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PatientView:
    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    sex: str
    national_number: str
    version: int

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"


@dataclass(frozen=True)
class CaseDetail:
    id: int
    patient: PatientView
    data: ReferralInput
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def levels_text(self) -> str:
        return levels.format_levels(self.data.levels)


def _today() -> date:
    return datetime.now(UTC).date()


def validate_patient(p: PatientInput) -> dict[str, str]:
    problems = input_problems(Patient, p)
    for name in ("mrn", "national_number"):
        if name not in problems and (problem := identifier_problem(getattr(p, name))):
            problems[name] = problem
    mrn = p.mrn.strip()
    if not mrn:
        problems["mrn"] = "hospital number (MRN) is required"
    elif len(mrn) > MRN_MAX:
        problems["mrn"] = f"hospital number is longer than {MRN_MAX} characters"
    if not p.family_name.strip():
        problems["family_name"] = "family name is required"
    if not p.given_name.strip():
        problems["given_name"] = "given name is required"
    if p.date_of_birth is None:
        problems["date_of_birth"] = "date of birth is required"
    elif p.date_of_birth > _today():
        problems["date_of_birth"] = "date of birth is in the future"
    elif p.date_of_birth.year < 1900:
        problems["date_of_birth"] = "date of birth is before 1900"
    if p.sex not in _SEXES:
        problems["sex"] = f"unknown value {p.sex!r}"
    return problems


_SEXES = frozenset(s.value for s in Sex)
_ALLOWED: dict[Any, frozenset[str]] = {
    e: frozenset(m.value for m in e) for e in (Urgency, DiseaseKind, Compartment)
}


def _check_choice(problems: dict[str, str], name: str, value: str, allowed: Any) -> None:
    if value not in _ALLOWED[allowed]:
        problems[name] = f"unknown value {value!r}"


_RED_FLAG_KEYS = frozenset(f.key for f in mscc.RED_FLAGS)
#: workstation clocks differ a little: a pathway time this far ahead is still accepted
_CLOCK_SLACK = timedelta(minutes=10)


def validate_referral(r: ReferralInput) -> dict[str, str]:
    problems = input_problems(Referral, r)
    now = datetime.now(UTC)
    if r.received_at is None:
        problems["received_at"] = "date received is required"
    elif r.received_at.tzinfo is None:
        problems["received_at"] = "date received needs a time zone"
    elif r.received_at > now:
        problems["received_at"] = "date received is in the future"
    elif r.received_at.year < EARLIEST_YEAR:
        problems["received_at"] = f"date received is before {EARLIEST_YEAR}"
    if not r.referrer_name.strip():
        problems["referrer_name"] = "referrer is required"
    if not r.question.strip():
        problems["question"] = "the question for the MDT is required"
    _check_choice(problems, "urgency", r.urgency, Urgency)
    _check_choice(problems, "disease_kind", r.disease_kind, DiseaseKind)
    _check_choice(problems, "compartment", r.compartment, Compartment)
    if r.histology_key != histology.AWAITING_BIOPSY and r.histology_key not in histology.CATALOGUE:
        problems["histology_key"] = f"unknown histology {r.histology_key!r}"
    unknown = [k for k in r.red_flags if k not in _RED_FLAG_KEYS]
    if unknown:
        problems["red_flags"] = f"unknown red flag {unknown[0]!r}"
    if r.differential:
        try:
            differential.validate_differential(dict(r.differential))
        except ValueError as exc:
            problems["differential"] = str(exc)
    if not r.levels:
        problems["levels"] = "select at least one spinal level"
    else:
        for lv in r.levels:
            if lv not in levels.LEVELS:
                problems["levels"] = f"unknown spinal level {lv!r}"
                break
    for name in ("imaging_date", "pathology_date"):
        value = getattr(r, name)
        if value is not None and value > _today():
            problems[name] = "date is in the future"
        elif value is not None and value.year < EARLIEST_YEAR:
            problems[name] = f"date is before {EARLIEST_YEAR}"
    if r.imaging_available and r.imaging_date is None:
        problems["imaging_date"] = "give the date of the imaging"
    if r.pathology_available and r.pathology_date is None:
        problems["pathology_date"] = "give the date of the pathology report"
    for name in ("mscc_suspected_at", "mri_at", "dexamethasone_started_at", "treatment_started_at"):
        value = getattr(r, name)
        if value is not None and value.tzinfo is None:
            problems[name] = "time needs a time zone"
        elif value is not None and value > now + _CLOCK_SLACK:
            problems[name] = "time is in the future"
        elif value is not None and value.year < EARLIEST_YEAR:
            problems[name] = f"time is before {EARLIEST_YEAR}"
    return problems


def patient_view(p: Patient) -> PatientView:
    return PatientView(
        id=p.id,
        mrn=p.mrn,
        family_name=p.family_name,
        given_name=p.given_name,
        date_of_birth=p.date_of_birth,
        sex=str(p.sex),
        national_number=p.national_number or "",
        version=p.version,
    )


def _input_of(r: Referral) -> ReferralInput:
    values = {f.name: getattr(r, f.name) for f in fields(ReferralInput) if f.name not in _LISTS}
    for name in ("urgency", "disease_kind", "compartment"):
        values[name] = str(values[name])
    return ReferralInput(
        levels=tuple(lv.level for lv in r.levels),
        red_flags=tuple(r.red_flags or ()),
        differential=tuple(sorted((r.differential or {}).items())),
        **values,
    )


#: fields stored as related rows or JSON rather than one column value
_LISTS = ("levels", "red_flags", "differential")


def _detail(s: Session, r: Referral) -> CaseDetail:
    return CaseDetail(
        id=r.id,
        patient=patient_view(r.patient),
        data=_input_of(r),
        status=shown_status_in(s, r),
        version=r.version,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def _apply(s: Session, row: Referral, data: ReferralInput) -> list[str]:
    """Copy input onto the row; return the names of fields that changed."""
    changed: list[str] = []
    for f in fields(ReferralInput):
        if f.name in _LISTS:
            continue
        value = getattr(data, f.name)
        if isinstance(value, str):
            value = clean_text(value).strip()
        if getattr(row, f.name, None) != value:
            setattr(row, f.name, value)
            changed.append(f.name)
    flags = [f.key for f in mscc.RED_FLAGS if f.key in set(data.red_flags)]
    if (row.red_flags or []) != flags:
        row.red_flags = flags or None
        changed.append("red_flags")
    given = differential.validate_differential(dict(data.differential))
    recorded = given if any(v != "not_considered" for v in given.values()) else None
    if row.differential != recorded:
        row.differential = recorded
        changed.append("differential")
    ordered = tuple(sorted(set(data.levels), key=levels.index))
    if tuple(lv.level for lv in row.levels) != ordered:
        row.levels = [ReferralLevel(level=lv, ordinal=levels.index(lv)) for lv in ordered]
        row.levels_text = levels.format_levels(ordered)
        changed.append("levels")
    return changed


def find_patient_by_mrn(db: Database, mrn: str) -> PatientView | None:
    if holds_nul(mrn):
        return None
    with db.reader() as s:
        p = s.execute(select(Patient).where(Patient.mrn == mrn.strip())).scalar_one_or_none()
        return patient_view(p) if p else None


def likely_duplicates(
    db: Database, family_name: str, given_name: str, date_of_birth: date, exclude_mrn: str = ""
) -> list[PatientView]:
    """Patients with the same name and date of birth, ignoring case in any alphabet
    (compared here: SQLite's lower() only folds A-Z, so "ÇELIK" would not match "Çelik")."""
    if holds_nul(family_name, given_name, exclude_mrn):
        return []
    family, given = family_name.strip().casefold(), given_name.strip().casefold()
    with db.reader() as s:
        born_that_day = s.execute(
            select(Patient).where(
                Patient.date_of_birth == date_of_birth, Patient.mrn != exclude_mrn.strip()
            )
        ).scalars()
        return [
            patient_view(p)
            for p in born_that_day
            if p.family_name.casefold() == family and p.given_name.casefold() == given
        ]


def validate_case(patient: PatientInput, data: ReferralInput) -> dict[str, str]:
    """Every problem with a patient and their referral, the dates of both included."""
    problems = {**validate_patient(patient), **validate_referral(data)}
    born, received = patient.date_of_birth, data.received_at
    if "date_of_birth" not in problems and born and received and born > received.date():
        problems["date_of_birth"] = "date of birth is after the referral date"
    return problems


def register_referral(
    ctx: ServiceContext,
    patient: PatientInput,
    data: ReferralInput,
    scores: Sequence[ScoreChange] = (),
) -> CaseDetail:
    """Register a referral, creating the patient if the MRN is new, and the scores
    entered on the form with it: one transaction, one audit event for the referral —
    or nothing at all.

    An existing MRN must match the patient's name and date of birth; a
    mismatch is refused rather than silently attached to someone else.
    """
    ctx.require(Permission.REFERRAL_WRITE)
    if scores:
        ctx.require(Permission.ASSESSMENT_WRITE)
    problems = validate_case(patient, data)
    if problems:
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        mrn = normalised_identifier(patient.mrn.strip())
        p = s.execute(select(Patient).where(Patient.mrn == mrn)).scalar_one_or_none()
        if p is None:
            p = Patient(
                mrn=mrn,
                family_name=clean_text(patient.family_name).strip(),
                given_name=clean_text(patient.given_name).strip(),
                date_of_birth=patient.date_of_birth,
                sex=patient.sex,
                national_number=normalised_identifier(patient.national_number.strip()) or None,
            )
            s.add(p)
            s.flush()
            ctx.audit(s, "create", "patient", p.id, f"patient registered (MRN record {p.id})")
        elif (
            p.family_name.lower() != patient.family_name.strip().lower()
            or p.date_of_birth != patient.date_of_birth
        ):
            raise ValidationError(
                {
                    "mrn": "this hospital number belongs to a patient with a different name or "
                    "date of birth"
                }
            )
        row = Referral(patient=p, status=after(None, CaseEvent.REGISTERED))
        _apply(s, row, data)
        s.add(row)
        s.flush()
        _, summaries = assessments.record_changes_in(s, ctx, row, scores)
        ctx.audit(
            s,
            "create",
            "referral",
            row.id,
            f"referral registered for patient {p.id} (status {row.status.value})"
            + (f"; scores: {'; '.join(summaries)}" if summaries else ""),
        )
        return _detail(s, row)


def update_referral(
    ctx: ServiceContext,
    referral_id: int,
    expected_version: int,
    data: ReferralInput,
    scores: Sequence[ScoreChange] = (),
) -> CaseDetail:
    """Save the edited referral and the scores changed on its form: one transaction,
    one audit event — or nothing at all. A referral or a score changed by someone else
    since the form read it (``expected_version``, each change's own version) raises
    Conflict; nothing is overwritten."""
    ctx.require(Permission.REFERRAL_WRITE)
    if scores:
        ctx.require(Permission.ASSESSMENT_WRITE)
    problems = validate_referral(data)
    if problems:
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        row = s.get(Referral, referral_id)
        if row is None:
            raise NotFound(f"case {referral_id} does not exist")
        if row.version != expected_version:
            raise Conflict(
                f"case {referral_id} was changed by someone else since you opened it",
                entity="referral",
                entity_id=referral_id,
            )
        born = row.patient.date_of_birth
        if data.received_at is not None and born > data.received_at.date():
            raise ValidationError({"received_at": "the referral date is before the birth date"})
        changed = _apply(s, row, data)
        if move(row, CaseEvent.EDITED):
            changed.append(f"status → {row.status.value}")
        if changed:
            s.flush()
        _, summaries = assessments.record_changes_in(s, ctx, row, scores)
        parts = [f"changed: {', '.join(changed)}"] if changed else []
        if summaries:
            parts.append(f"scores: {'; '.join(summaries)}")
        if parts:
            ctx.audit(s, "update", "referral", row.id, "; ".join(parts))
        return _detail(s, row)


def get_case(db: Database, referral_id: int) -> CaseDetail:
    with db.reader() as s:
        row = s.get(Referral, referral_id)
        if row is None:
            raise NotFound(f"case {referral_id} does not exist")
        return _detail(s, row)


def as_dict(data: ReferralInput) -> dict[str, Any]:
    return asdict(data)


def record_differential(
    ctx: ServiceContext, referral_id: int, answers: dict[str, str]
) -> dict[str, str]:
    """The differential diagnosis checklist (DOMAIN.md §8) for one referral."""
    ctx.require(Permission.REFERRAL_WRITE)
    try:
        complete = differential.validate_differential(answers)
    except ValueError as exc:
        raise ValidationError({"differential": str(exc)}) from exc
    with ctx.unit_of_work() as s:
        row = s.get(Referral, referral_id)
        if row is None:
            raise NotFound(f"case {referral_id} does not exist")
        row.differential = complete
        s.flush()
        ctx.audit(
            s,
            "update",
            "referral",
            referral_id,
            "differential: " + ", ".join(f"{k}={v}" for k, v in complete.items()),
        )
    return complete
