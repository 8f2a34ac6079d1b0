"""The case list ("worklist"): filtered, sorted and windowed in SQL.

The GUI asks for one window of rows at a time (:func:`fetch_cases`) and for
the count separately (:func:`count_cases`), so 100,000 cases cost no more to
open than 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mdtboard.domain import histology, levels, mscc
from mdtboard.domain.readiness import DEFAULT_IMAGING_MAX_AGE_DAYS, KEY_SCORES
from mdtboard.domain.vocab import (
    URGENCY_ORDER,
    AgendaStatus,
    MeetingStatus,
    ReferralStatus,
    Urgency,
)
from mdtboard.services.pathway import PathwayStatus, pathways_in
from mdtboard.services.settings import settings_in
from mdtboard.services.storable import holds_nul
from mdtboard.store.db import Database
from mdtboard.store.dialects import contains_ci, dialect_of
from mdtboard.store.models import (
    AgendaItem,
    Assessment,
    Meeting,
    Patient,
    Referral,
    ReferralLevel,
)

SORT_KEYS = (
    "patient",
    "mrn",
    "age",
    "histology",
    "levels",
    "urgency",
    "status",
    "readiness",
    "next_meeting",
    "received",
)


@dataclass(frozen=True)
class CaseQuery:
    search: str = ""
    statuses: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    meeting_id: int | None = None
    readiness: tuple[str, ...] = ()  # "green" / "amber" / "red"
    imaging_max_age_days: int = DEFAULT_IMAGING_MAX_AGE_DAYS
    today: date | None = None
    sort: str = "received"
    descending: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class CaseRow:
    referral_id: int
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date
    disease_kind: str
    histology_key: str
    histology_label: str
    levels_text: str
    urgency: str
    status: str
    received_at: datetime
    referrer: str
    next_meeting_at: datetime | None
    #: the QS56 clocks, for a case on the MSCC pathway (reference/scores.md §11)
    pathway: PathwayStatus | None = None
    #: the readiness light today ("green", "amber", "red"; domain.readiness)
    readiness: str = ""

    @property
    def suspected_mscc(self) -> bool:
        """An MSCC emergency as recorded, or as its red flags suggest."""
        return self.urgency == Urgency.MSCC or (
            self.pathway is not None and self.pathway.suspected_mscc
        )

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _next_meeting_expr() -> Any:
    return (
        select(func.min(Meeting.starts_at))
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.referral_id == Referral.id,
            AgendaItem.status == AgendaStatus.LISTED,
            Meeting.status != MeetingStatus.CLOSED,
        )
        .correlate(Referral)
        .scalar_subquery()
    )


def _histology_label_expr() -> Any:
    whens = {key: h.label for key, h in histology.CATALOGUE.items()}
    whens[histology.AWAITING_BIOPSY] = histology.label_for(histology.AWAITING_BIOPSY)
    return case(whens, value=Referral.histology_key, else_=Referral.histology_key)


_URGENCY_RANK = case(URGENCY_ORDER, value=Referral.urgency, else_=3)
_STATUS_ORDER = {s.value: i for i, s in enumerate(ReferralStatus)}
_WAITING = (ReferralStatus.NEW.value, ReferralStatus.READY.value)


def shown_status_expr(q: CaseQuery) -> Any:
    """The status as people see it (domain.lifecycle.shown_status) in SQL: "ready" is a
    new case whose traffic light is green today, never a stored copy."""
    return case(
        (
            and_(Referral.status.in_(_WAITING), readiness_expr(q) == "green"),
            ReferralStatus.READY.value,
        ),
        (Referral.status.in_(_WAITING), ReferralStatus.NEW.value),
        else_=Referral.status,
    )


def _status_condition(q: CaseQuery) -> ColumnElement[bool]:
    wanted = set(q.statuses)
    waiting = wanted & set(_WAITING)
    if len(waiting) == 1:  # new but not ready, or ready only: the light decides
        shown: ColumnElement[str] = shown_status_expr(q)
        return shown.in_(sorted(wanted))
    stored = wanted | (set(_WAITING) if waiting else set())
    return Referral.status.in_(sorted(stored))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _term_condition(term: str, dialect: str) -> ColumnElement[bool]:
    pattern = _like(term)
    columns = (
        Patient.family_name,
        Patient.given_name,
        Patient.mrn,
        Referral.referrer_name,
        Referral.referrer_organisation,
        Referral.histology_key,
    )
    conditions = [contains_ci(c, pattern, dialect) for c in columns]
    keys = [h.key for h in histology.search(term)]
    if keys:
        conditions.append(Referral.histology_key.in_(keys))
    try:
        wanted = levels.parse_levels(term)
    except ValueError:
        wanted = ()
    if wanted:
        conditions.append(
            exists().where(
                ReferralLevel.referral_id == Referral.id, ReferralLevel.level.in_(wanted)
            )
        )
    return or_(*conditions)


def _filtered(stmt: Select[Any], q: CaseQuery, dialect: str = "sqlite") -> Select[Any]:
    stmt = stmt.join(Patient, Patient.id == Referral.patient_id)
    if holds_nul(q.search):
        return stmt.where(false())
    for term in q.search.split():
        stmt = stmt.where(_term_condition(term, dialect))
    if q.statuses:
        stmt = stmt.where(_status_condition(q))
    if q.urgencies:
        stmt = stmt.where(Referral.urgency.in_(q.urgencies))
    if q.readiness:
        stmt = stmt.where(readiness_expr(q).in_(q.readiness))
    if q.meeting_id is not None:
        stmt = stmt.where(
            exists().where(
                AgendaItem.referral_id == Referral.id, AgendaItem.meeting_id == q.meeting_id
            )
        )
    return stmt


def _has_score(tools: tuple[str, ...]) -> ColumnElement[bool]:
    return exists().where(
        Assessment.referral_id == Referral.id,
        Assessment.tool_id.in_(tools),
        Assessment.complete.is_(True),
    )


def _all_scores(groups: tuple[tuple[str, ...], ...]) -> ColumnElement[bool]:
    return and_(*(_has_score(g) for g in groups))


def readiness_expr(q: CaseQuery) -> Any:
    """The readiness traffic light of ``domain.readiness.assess`` as a SQL expression,
    so the worklist can filter 100,000 cases by it (a test keeps the two in step)."""
    today = q.today or datetime.now(UTC).date()
    cutoff = today - timedelta(days=q.imaging_max_age_days)
    red = or_(
        func.trim(Referral.question) == "",
        Referral.imaging_available.is_(False),
        Referral.imaging_date.is_(None),
        and_(
            Referral.pathology_available.is_(False),
            func.trim(Referral.biopsy_deferral_rationale) == "",
        ),
    )
    scores_ok = case(
        (Referral.compartment == "intramedullary", _all_scores(KEY_SCORES["intramedullary"])),
        (Referral.disease_kind == "metastatic", _all_scores(KEY_SCORES["metastatic"])),
        else_=_all_scores(KEY_SCORES["primary"]),
    )
    amber = or_(
        Referral.imaging_date < cutoff,
        func.trim(Referral.neuro_status) == "",
        scores_ok.is_(False),
    )
    return case((red, "red"), (amber, "amber"), else_="green")


def _order(q: CaseQuery, next_meeting: Any) -> list[Any]:
    columns: dict[str, Any] = {
        "patient": [Patient.family_name, Patient.given_name],
        "mrn": [Patient.mrn],
        # an older date of birth is a greater age
        "age": [Patient.date_of_birth],
        "histology": [_histology_label_expr()],
        "levels": [
            select(func.min(ReferralLevel.ordinal))
            .where(ReferralLevel.referral_id == Referral.id)
            .correlate(Referral)
            .scalar_subquery()
        ],
        "urgency": [_URGENCY_RANK],
        "status": [case(_STATUS_ORDER, value=shown_status_expr(q), else_=99)],
        # not ready first: what needs chasing
        "readiness": [case({"red": 0, "amber": 1, "green": 2}, value=readiness_expr(q))],
        "next_meeting": [next_meeting],
        "received": [Referral.received_at],
    }
    if q.sort not in columns:
        raise ValueError(f"sort: unknown column {q.sort!r}")
    descending = q.descending if q.sort != "age" else not q.descending
    order = [c.desc() if descending else c.asc() for c in columns[q.sort]]
    order.append(Referral.id.desc() if descending else Referral.id.asc())
    return order


def count_cases(db: Database, q: CaseQuery) -> int:
    with db.reader() as session:
        return count_cases_in(session, q)


def count_cases_in(session: Session, q: CaseQuery) -> int:
    stmt = _filtered(select(func.count(Referral.id)).select_from(Referral), q, dialect_of(session))
    return int(session.execute(stmt).scalar_one())


def fetch_cases(db: Database, q: CaseQuery, offset: int, limit: int) -> list[CaseRow]:
    with db.reader() as session:
        return fetch_cases_in(session, q, offset, limit)


def fetch_cases_in(session: Session, q: CaseQuery, offset: int, limit: int) -> list[CaseRow]:
    next_meeting = _next_meeting_expr()
    stmt = select(
        Referral.id,
        Referral.patient_id,
        Patient.family_name,
        Patient.given_name,
        Patient.mrn,
        Patient.date_of_birth,
        Referral.disease_kind,
        Referral.histology_key,
        Referral.levels_text,
        Referral.urgency,
        shown_status_expr(q).label("shown_status"),
        readiness_expr(q).label("light"),
        Referral.received_at,
        Referral.referrer_name,
        Referral.red_flags,
        next_meeting.label("next_meeting_at"),
    ).select_from(Referral)
    stmt = (
        _filtered(stmt, q, dialect_of(session))
        .order_by(*_order(q, next_meeting))
        .offset(offset)
        .limit(limit)
    )
    rows = list(session.execute(stmt))
    # the clocks of the few cases on the MSCC pathway: one more query, for this window only
    on_pathway = [r.id for r in rows if mscc.clocks_apply(str(r.urgency), tuple(r.red_flags or ()))]
    clocks = (
        pathways_in(
            session, session.execute(select(Referral).where(Referral.id.in_(on_pathway))).scalars()
        )
        if on_pathway
        else {}
    )
    return [
        CaseRow(
            referral_id=r.id,
            patient_id=r.patient_id,
            patient_name=f"{r.family_name.upper()}, {r.given_name}",
            mrn=r.mrn,
            date_of_birth=r.date_of_birth,
            disease_kind=str(r.disease_kind),
            histology_key=r.histology_key,
            histology_label=histology.label_for(r.histology_key),
            levels_text=r.levels_text,
            urgency=str(r.urgency),
            status=str(r.shown_status),
            readiness=str(r.light),
            received_at=r.received_at,
            referrer=r.referrer_name,
            next_meeting_at=r.next_meeting_at,
            pathway=clocks.get(r.id),
        )
        for r in rows
    ]


def status_counts(db: Database, today: date | None = None) -> dict[str, int]:
    """Number of referrals per status as people see it ("ready" is a new case whose
    light is green today), plus open MSCC emergencies."""
    with db.reader() as session:
        q = CaseQuery(imaging_max_age_days=settings_in(session).imaging_max_age_days, today=today)
        shown = shown_status_expr(q)
        rows = session.execute(select(shown, func.count()).group_by(shown))
        counts = {str(s): int(n) for s, n in rows}
        counts["mscc_open"] = int(
            session.execute(
                select(func.count()).where(
                    and_(
                        Referral.urgency == Urgency.MSCC,
                        Referral.status.not_in([ReferralStatus.DISCUSSED, ReferralStatus.CLOSED]),
                    )
                )
            ).scalar_one()
        )
    return counts


def sort_keys() -> Sequence[str]:
    return SORT_KEYS
