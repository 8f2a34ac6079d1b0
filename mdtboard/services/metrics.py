"""How the board performs over a period (issue 19 parts 4-5): every figure is an
aggregate computed in SQL (counts, sums, and medians and 90th percentiles by window
functions), so a 100,000-case database is never loaded into Python.

The period holds the meetings that start on its days (local dates, inclusive). Rates
are between 0 and 1, or None when nothing was there to count. Medians are the mean
of the two middle values; the 90th percentile is the nearest rank (the value at rank
ceil(0.9 n)). Durations from a date to a timestamp count the date as midnight UTC.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, and_, case, cast, distinct, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from mdtboard.domain import treatments
from mdtboard.domain.followup import ImplementationStatus
from mdtboard.domain.vocab import (
    CORE_ROLES,
    AgendaStatus,
    AttendanceStatus,
    DecisionStatus,
    MeetingStatus,
    Role,
)
from mdtboard.services.errors import ValidationError
from mdtboard.store.db import Database
from mdtboard.store.dialects import dialect_of
from mdtboard.store.models import (
    AgendaItem,
    Attendance,
    Decision,
    DiscussionTime,
    FollowUp,
    FollowUpItem,
    Meeting,
    Member,
    Modality,
    Referral,
)

#: QS56 statements 3 and 6 (reference/scores.md §11): 24 hours
DAY = 1.0


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of some durations, and how many there were."""

    n: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class RoleAttendance:
    role: str
    label: str
    expected: int  # attendance rows of this role (one per member per meeting)
    present: int
    apologies: int
    meetings_with_role: int  # meetings where someone of this role was present
    rate: float | None  # present / expected


@dataclass(frozen=True)
class PersonAttendance:
    name: str
    role: str
    listed: int
    present: int
    rate: float | None


@dataclass(frozen=True)
class MsccMeasures:
    """QS56 on the cases with a suspected MSCC (urgency "mscc") discussed in the period."""

    cases: int
    mri_within_24h: int
    mri_timed: int
    plan_within_24h: int
    plan_timed: int
    treatment_within_24h: int
    treatment_timed: int

    @property
    def mri_rate(self) -> float | None:
        return _rate(self.mri_within_24h, self.mri_timed)

    @property
    def plan_rate(self) -> float | None:
        return _rate(self.plan_within_24h, self.plan_timed)

    @property
    def treatment_rate(self) -> float | None:
        return _rate(self.treatment_within_24h, self.treatment_timed)


@dataclass(frozen=True)
class Metrics:
    start: date
    end: date
    meetings: int
    meetings_held: int
    meetings_quorate: int
    cases_listed: int
    cases_new: int
    cases_relisted: int
    #: listed as standard of care under a protocol (issue 19 part 7)
    cases_standard_of_care: int
    discussed: int
    deferred: int
    withdrawn: int
    not_reached: int
    prospective: int  # discussed before any treatment started (CoC 2.5)
    decisions_signed: int
    implemented: int
    partly_implemented: int
    not_implemented: int
    implementation_pending: int
    referral_to_discussion_days: Spread
    signoff_to_treatment_days: Spread
    seconds_per_case: Spread
    by_role: tuple[RoleAttendance, ...]
    by_person: tuple[PersonAttendance, ...]
    mscc: MsccMeasures

    @property
    def quorum_rate(self) -> float | None:
        return _rate(self.meetings_quorate, self.meetings_held)

    @property
    def discussed_rate(self) -> float | None:
        return _rate(self.discussed, self.cases_listed)

    @property
    def deferred_rate(self) -> float | None:
        return _rate(self.deferred, self.cases_listed)

    @property
    def prospective_rate(self) -> float | None:
        return _rate(self.prospective, self.discussed)

    @property
    def implemented_rate(self) -> float | None:
        """Implemented as made, among the decisions whose follow-up is complete."""
        known = self.implemented + self.partly_implemented + self.not_implemented
        return _rate(self.implemented, known)

    @property
    def cases_per_meeting(self) -> float | None:
        return self.cases_listed / self.meetings if self.meetings else None

    def as_json(self) -> dict[str, Any]:
        """The figures as ``mdtboard report metrics --json`` prints them (README keys)."""
        out: dict[str, Any] = {
            "period": {"from": self.start.isoformat(), "to": self.end.isoformat()},
            "meetings": {
                "count": self.meetings,
                "held": self.meetings_held,
                "quorate": self.meetings_quorate,
                "quorum_rate": self.quorum_rate,
            },
            "cases": {
                "listed": self.cases_listed,
                "new": self.cases_new,
                "relisted": self.cases_relisted,
                "standard_of_care": self.cases_standard_of_care,
                "per_meeting": self.cases_per_meeting,
                "discussed": self.discussed,
                "deferred": self.deferred,
                "withdrawn": self.withdrawn,
                "not_reached": self.not_reached,
                "discussed_rate": self.discussed_rate,
                "deferred_rate": self.deferred_rate,
                "prospective": self.prospective,
                "prospective_rate": self.prospective_rate,
            },
            "decisions": {
                "signed_off": self.decisions_signed,
                "implemented": self.implemented,
                "partly_implemented": self.partly_implemented,
                "not_implemented": self.not_implemented,
                "pending": self.implementation_pending,
                "implemented_rate": self.implemented_rate,
            },
            "days_referral_to_discussion": asdict(self.referral_to_discussion_days),
            "days_signoff_to_treatment": asdict(self.signoff_to_treatment_days),
            "seconds_per_case": asdict(self.seconds_per_case),
            "attendance_by_role": [asdict(r) for r in self.by_role],
            "attendance_by_person": [asdict(p) for p in self.by_person],
            "mscc_qs56": {
                **asdict(self.mscc),
                "mri_rate": self.mscc.mri_rate,
                "plan_rate": self.mscc.plan_rate,
                "treatment_rate": self.mscc.treatment_rate,
            },
        }
        return out


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's local days as UTC instants [from, to)."""
    if end < start:
        raise ValidationError({"to": "the end of the period is before its start"})
    tz = datetime.now(UTC).astimezone().tzinfo
    lo = datetime.combine(start, time(0), tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(UTC)
    return lo, hi


def _days(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """``later - earlier`` in days, as SQL, for timestamps or dates."""
    if dialect == "sqlite":
        days: ColumnElement[float] = func.julianday(later) - func.julianday(earlier)
        return days
    seconds = cast(func.extract("epoch", later) - func.extract("epoch", earlier), Float)
    return seconds / 86400.0  # type: ignore[return-value]


def spread(s: Session, values: Any) -> Spread:
    """Median and 90th percentile of a one-column subquery ``values`` (column ``v``),
    by window functions: the rows stay in the database."""
    ranked = (
        select(
            values.c.v.label("v"),
            func.row_number().over(order_by=values.c.v).label("rn"),
            func.count().over().label("n"),
        )
        .where(values.c.v.is_not(None))
        .subquery()
    )
    n = ranked.c.n
    middle = or_(ranked.c.rn == (n + 1) // 2, ranked.c.rn == (n + 2) // 2)
    row = s.execute(
        select(
            func.max(n),
            func.avg(case((middle, ranked.c.v))),
            func.max(case((ranked.c.rn == (9 * n + 9) // 10, ranked.c.v))),
        )
    ).one()
    count = int(row[0] or 0)
    if not count:
        return Spread(0, None, None)
    return Spread(count, float(row[1]), float(row[2]))


def _in_period(lo: datetime, hi: datetime) -> ColumnElement[bool]:
    return and_(Meeting.starts_at >= lo, Meeting.starts_at < hi)


def compute(db: Database, start: date, end: date) -> Metrics:
    """Every figure of the period, in a fixed number of queries."""
    lo, hi = period_bounds(start, end)
    period = _in_period(lo, hi)
    held = Meeting.status.in_((MeetingStatus.IN_PROGRESS.value, MeetingStatus.CLOSED.value))
    with db.reader() as s:
        dialect = dialect_of(s)
        meetings, meetings_held = s.execute(
            select(func.count(), func.coalesce(func.sum(case((held, 1), else_=0)), 0)).where(period)
        ).one()
        core = [r.value for r in CORE_ROLES]
        quorate_meetings = (
            select(Attendance.meeting_id)
            .join(Member, Member.id == Attendance.member_id)
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(
                period,
                held,
                Attendance.status == AttendanceStatus.PRESENT.value,
                Member.role.in_(core),
            )
            .group_by(Attendance.meeting_id)
            .having(func.count(distinct(Member.role)) == len(core))
            .subquery()
        )
        meetings_quorate = s.execute(select(func.count()).select_from(quorate_meetings)).scalar()
        # the cases: one row per agenda item of the period's meetings
        status = AgendaItem.status
        treated_before = and_(
            Referral.treatment_started_at.is_not(None),
            Referral.treatment_started_at < Meeting.starts_at,
        )
        discussed = status == AgendaStatus.DISCUSSED.value
        counts = s.execute(
            select(
                func.count(),
                func.sum(case((AgendaItem.relisted_from_id.is_(None), 1), else_=0)),
                func.sum(case((discussed, 1), else_=0)),
                func.sum(case((status == AgendaStatus.DEFERRED.value, 1), else_=0)),
                func.sum(case((status == AgendaStatus.WITHDRAWN.value, 1), else_=0)),
                func.sum(case((and_(status == AgendaStatus.LISTED.value, held), 1), else_=0)),
                func.sum(case((and_(discussed, ~treated_before), 1), else_=0)),
                func.sum(case((AgendaItem.protocol_id.is_not(None), 1), else_=0)),
            )
            .select_from(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Referral, Referral.id == AgendaItem.referral_id)
            .where(period)
        ).one()
        listed, new, n_discussed, deferred, withdrawn, not_reached, prospective, soc = (
            int(x or 0) for x in counts
        )
        decisions = _implementation(s, period)
        to_discussion = spread(
            s,
            select(_days(Meeting.starts_at, Referral.received_at, dialect).label("v"))
            .select_from(AgendaItem)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Referral, Referral.id == AgendaItem.referral_id)
            .where(period, discussed)
            .subquery(),
        )
        first_start = (
            select(FollowUp.decision_id, func.min(FollowUpItem.started_on).label("started"))
            .join(FollowUpItem, FollowUpItem.followup_id == FollowUp.id)
            .where(FollowUpItem.started_on.is_not(None))
            .group_by(FollowUp.decision_id)
            .subquery()
        )
        to_treatment = spread(
            s,
            select(_days(first_start.c.started, Decision.signed_off_at, dialect).label("v"))
            .select_from(Decision)
            .join(first_start, first_start.c.decision_id == Decision.id)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(period, Decision.status == DecisionStatus.SIGNED_OFF.value)
            .subquery(),
        )
        per_case = spread(
            s,
            select(cast(DiscussionTime.seconds, Float).label("v"))
            .join(AgendaItem, AgendaItem.id == DiscussionTime.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(period, DiscussionTime.seconds > 0)
            .subquery(),
        )
        by_role, by_person = _attendance(s, period, held)
        mscc = _mscc(s, period, dialect)
    return Metrics(
        start=start,
        end=end,
        meetings=int(meetings or 0),
        meetings_held=int(meetings_held or 0),
        meetings_quorate=int(meetings_quorate or 0),
        cases_listed=listed,
        cases_new=new,
        cases_relisted=listed - new,
        cases_standard_of_care=soc,
        discussed=n_discussed,
        deferred=deferred,
        withdrawn=withdrawn,
        not_reached=not_reached,
        prospective=prospective,
        decisions_signed=decisions[0],
        implemented=decisions[1],
        partly_implemented=decisions[2],
        not_implemented=decisions[3],
        implementation_pending=decisions[4],
        referral_to_discussion_days=to_discussion,
        signoff_to_treatment_days=to_treatment,
        seconds_per_case=per_case,
        by_role=by_role,
        by_person=by_person,
        mscc=mscc,
    )


def _implementation(s: Session, period: ColumnElement[bool]) -> tuple[int, int, int, int, int]:
    """(signed off, implemented, partly, not implemented, pending) over the period's
    current signed-off decisions, classified in SQL as domain.followup.implementation
    does: pending while any planned treatment has no settled status."""
    given = (ImplementationStatus.STARTED.value, ImplementationStatus.COMPLETED.value)
    per_modality = (
        select(
            Modality.decision_id.label("decision_id"),
            case((FollowUpItem.status.in_(given), 1), else_=0).label("given"),
            case((FollowUpItem.status == ImplementationStatus.NOT_GIVEN.value, 1), else_=0).label(
                "not_given"
            ),
        )
        .select_from(Modality)
        .outerjoin(FollowUpItem, FollowUpItem.modality_id == Modality.id)
        .subquery()
    )
    per_decision = (
        select(
            Decision.id.label("id"),
            func.count(per_modality.c.decision_id).label("planned"),
            func.coalesce(func.sum(per_modality.c.given), 0).label("given"),
            func.coalesce(func.sum(per_modality.c.not_given), 0).label("not_given"),
        )
        .select_from(Decision)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .outerjoin(per_modality, per_modality.c.decision_id == Decision.id)
        .where(period, Decision.status == DecisionStatus.SIGNED_OFF.value)
        .group_by(Decision.id)
        .subquery()
    )
    d = per_decision.c
    pending = d.given + d.not_given < d.planned
    row = s.execute(
        select(
            func.count(),
            func.sum(case((and_(~pending, d.not_given == 0), 1), else_=0)),
            func.sum(case((and_(~pending, d.not_given > 0, d.given > 0), 1), else_=0)),
            func.sum(case((and_(~pending, d.not_given > 0, d.given == 0), 1), else_=0)),
            func.sum(case((pending, 1), else_=0)),
        ).select_from(per_decision)
    ).one()
    a, b, c, e, f = (int(x or 0) for x in row)
    return a, b, c, e, f


def _attendance(
    s: Session, period: ColumnElement[bool], held: ColumnElement[bool]
) -> tuple[tuple[RoleAttendance, ...], tuple[PersonAttendance, ...]]:
    present = Attendance.status == AttendanceStatus.PRESENT.value
    apologies = Attendance.status == AttendanceStatus.APOLOGIES.value
    base = (
        select()
        .select_from(Attendance)
        .join(Member, Member.id == Attendance.member_id)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        # a guest was never expected: not counted for or against a role
        .where(period, held, Attendance.status != AttendanceStatus.GUEST.value)
    )
    roles = s.execute(
        base.add_columns(
            Member.role,
            func.count(),
            func.sum(case((present, 1), else_=0)),
            func.sum(case((apologies, 1), else_=0)),
            func.count(distinct(case((present, Attendance.meeting_id)))),
        ).group_by(Member.role)
    ).all()
    by_role = {str(r[0]): r for r in roles}
    role_rows = []
    for role in Role:
        r = by_role.get(role.value)
        expected, here, away, meetings = (int(x or 0) for x in r[1:]) if r else (0, 0, 0, 0)
        role_rows.append(
            RoleAttendance(
                role.value, role.label, expected, here, away, meetings, _rate(here, expected)
            )
        )
    people = s.execute(
        base.add_columns(
            Member.name,
            Member.role,
            func.count(),
            func.sum(case((present, 1), else_=0)),
        )
        .group_by(Member.id, Member.name, Member.role)
        .order_by(Member.role, Member.name)
    ).all()
    person_rows = tuple(
        PersonAttendance(str(n), str(r), int(k), int(p or 0), _rate(int(p or 0), int(k)))
        for n, r, k, p in people
    )
    return tuple(role_rows), person_rows


def _mscc(s: Session, period: ColumnElement[bool], dialect: str) -> MsccMeasures:
    """QS56 statements 3 and 6 (scores.md §11) for the suspected-MSCC cases discussed
    in the period: MRI and plan within 24 hours of the suspicion; for a plan of
    radiotherapy without surgery, treatment within 24 hours of the decision to treat. A
    clock counts only when both its times are known."""
    r = Referral

    def clock(later: Any, earlier: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        """(met, timed): within 24 hours, and both times known."""
        timed = and_(later.is_not(None), earlier.is_not(None))
        return and_(timed, _days(later, earlier, dialect) <= literal(DAY)), timed

    def counted(met: ColumnElement[bool], timed: ColumnElement[bool]) -> tuple[Any, Any]:
        return func.sum(case((met, 1), else_=0)), func.sum(case((timed, 1), else_=0))

    cases = (
        select(r.id)
        .join(AgendaItem, AgendaItem.referral_id == r.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(period, r.urgency == "mscc", AgendaItem.status == AgendaStatus.DISCUSSED.value)
        .distinct()
        .subquery()
    )
    # statement 6 is about radiotherapy for MSCC not suitable for surgery: the cases whose
    # signed-off plan holds radiotherapy and no surgery
    group = {k: kind.group for k, kind in treatments.MODALITY_KINDS.items()}

    def planned(g: str) -> ColumnElement[bool]:
        return (
            select(Modality.id)
            .join(Decision, Decision.id == Modality.decision_id)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .where(
                AgendaItem.referral_id == r.id,
                Decision.status == DecisionStatus.SIGNED_OFF.value,
                Modality.kind.in_([k for k, kind_group in group.items() if kind_group == g]),
            )
            .exists()
        )

    rt_only = and_(planned("radiotherapy"), ~planned("surgery"))
    rt_met, rt_timed = clock(r.treatment_started_at, r.plan_agreed_at)
    row = s.execute(
        select(
            func.count(),
            *counted(*clock(r.mri_at, r.mscc_suspected_at)),
            *counted(*clock(r.plan_agreed_at, r.mscc_suspected_at)),
            *counted(and_(rt_only, rt_met), and_(rt_only, rt_timed)),
        )
        .select_from(r)
        .join(cases, cases.c.id == r.id)
    ).one()
    values = [int(x or 0) for x in row]
    return MsccMeasures(*values)
