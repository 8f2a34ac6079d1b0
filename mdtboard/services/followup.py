"""Closing the loop (issue 19 parts 1-2): was each signed-off decision carried out, and
what became of the patient.

A follow-up belongs to one signed-off decision (an amendment is a new decision with
its own follow-up) and holds one entry per planned modality. It is recorded by
coordinators and clinicians, versioned, and audited in the same transaction; the
sealed decision itself is never touched. The "follow-up due" list is worked out in
SQL: signed-off decisions older than the setting's days with a modality still
without a status, and cases flagged to come back to the MDT.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from mdtboard.domain import treatments
from mdtboard.domain.followup import (
    DeviationReason,
    Implementation,
    ImplementationStatus,
    ItemEntry,
    OutcomeEntry,
    implementation,
    item_problems,
    outcome_problems,
)
from mdtboard.domain.vocab import DecisionStatus
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.settings import settings_in
from mdtboard.services.storable import clean_text, text_problems
from mdtboard.store.db import Database
from mdtboard.store.models import (
    AgendaItem,
    CaseOutcome,
    Decision,
    FollowUp,
    FollowUpItem,
    Meeting,
    Modality,
    Patient,
    Referral,
)

#: statuses that say what happened (a modality "not started" is still awaited)
_SETTLED = (
    ImplementationStatus.STARTED.value,
    ImplementationStatus.COMPLETED.value,
    ImplementationStatus.NOT_GIVEN.value,
)


@dataclass(frozen=True)
class FollowUpItemView:
    modality_id: int
    kind: str
    description: str
    status: str | None  # None: nothing recorded yet
    started_on: date | None
    completed_on: date | None
    reason: str | None
    reason_text: str


@dataclass(frozen=True)
class FollowUpView:
    decision_id: int
    referral_id: int
    patient_name: str
    mrn: str
    signed_off_at: datetime | None
    items: tuple[FollowUpItemView, ...]
    bring_back: bool
    note: str
    recorded_by: str
    #: 0 while nothing is recorded: pass it back as ``expected_version``
    version: int
    updated_at: datetime | None

    @property
    def implementation(self) -> Implementation:
        return implementation(i.status for i in self.items)


def _decision(s: Session, decision_id: int) -> Decision:
    d = s.get(Decision, decision_id)
    if d is None:
        raise NotFound(f"decision {decision_id} does not exist")
    return d


def _followup_of(s: Session, decision_id: int) -> FollowUp | None:
    return s.execute(
        select(FollowUp).where(FollowUp.decision_id == decision_id)
    ).scalar_one_or_none()


def _view(d: Decision, f: FollowUp | None) -> FollowUpView:
    by_modality = {i.modality_id: i for i in f.items} if f else {}
    items = []
    for m in d.modalities:
        i = by_modality.get(m.id)
        items.append(
            FollowUpItemView(
                modality_id=m.id,
                kind=m.kind,
                description=treatments.describe_modality(m.kind, dict(m.details)),
                status=str(i.status) if i else None,
                started_on=i.started_on if i else None,
                completed_on=i.completed_on if i else None,
                reason=str(i.reason) if i and i.reason else None,
                reason_text=i.reason_text if i else "",
            )
        )
    p = d.agenda_item.referral.patient
    return FollowUpView(
        decision_id=d.id,
        referral_id=d.agenda_item.referral_id,
        patient_name=f"{p.family_name.upper()}, {p.given_name}",
        mrn=p.mrn,
        signed_off_at=d.signed_off_at,
        items=tuple(items),
        bring_back=f.bring_back if f else False,
        note=f.note if f else "",
        recorded_by=f.recorded_by if f else "",
        version=f.version if f else 0,
        updated_at=f.updated_at if f else None,
    )


def get_followup(db: Database, decision_id: int) -> FollowUpView:
    with db.reader() as s:
        d = _decision(s, decision_id)
        return _view(d, _followup_of(s, decision_id))


def record_followup(
    ctx: ServiceContext,
    decision_id: int,
    items: Mapping[int, ItemEntry],
    *,
    expected_version: int,
    bring_back: bool = False,
    note: str = "",
    outcome: OutcomeEntry | None = None,
    outcome_version: int = 0,
    today: date | None = None,
) -> FollowUpView:
    """Record what happened to each planned modality (``items`` by modality id; one not
    given keeps its earlier entry) and, with ``outcome``, what became of the patient:
    one transaction with its audit events, all or nothing."""
    ctx.require(Permission.FOLLOW_UP_WRITE)
    today = today or datetime.now(UTC).astimezone().date()
    problems: dict[str, str] = dict(text_problems(FollowUp, {"note": note}))
    with ctx.unit_of_work() as s:
        d = _decision(s, decision_id)
        if d.status != DecisionStatus.SIGNED_OFF:
            why = "a draft" if d.status == DecisionStatus.DRAFT else "superseded by an amendment"
            raise ValidationError(
                {"decision": f"decision {decision_id} is {why}: follow up the signed-off one"}
            )
        modalities = {m.id: m for m in d.modalities}
        for n, (modality_id, entry) in enumerate(items.items(), start=1):
            m = modalities.get(modality_id)
            if m is None:
                problems[f"item {n}"] = f"modality {modality_id} is not part of this decision"
                continue
            words = treatments.describe_modality(m.kind, dict(m.details))
            for name, text in item_problems(entry, today).items():
                problems[f"{words}: {name}"] = text
            problems.update(text_problems(FollowUpItem, {"reason_text": entry.reason_text}))
        referral = d.agenda_item.referral
        if outcome is not None:
            problems.update(outcome_problems(outcome, today, _treated_on(referral)))
        if problems:
            raise ValidationError(problems)
        f = _followup_of(s, decision_id)
        if (f.version if f else 0) != expected_version:
            raise Conflict(
                "the follow-up changed since you opened it; review it first",
                entity="followup",
                entity_id=f.id if f else decision_id,
            )
        if f is None:
            f = FollowUp(decision_id=decision_id)
            s.add(f)
        f.bring_back = bring_back
        f.note = clean_text(note).strip()
        f.recorded_by = ctx.actor.username
        existing = {i.modality_id: i for i in f.items}
        for modality_id, entry in items.items():
            row = existing.get(modality_id)
            if row is None:
                row = FollowUpItem(modality_id=modality_id)
                f.items.append(row)
            row.status = ImplementationStatus(entry.status)
            row.started_on = entry.started_on
            row.completed_on = entry.completed_on
            row.reason = DeviationReason(entry.reason) if entry.reason else None
            row.reason_text = clean_text(entry.reason_text).strip()
        s.flush()
        view = _view(d, f)
        summary = "; ".join(
            f"{i.description}: {i.status or 'not recorded'}"
            + (f" ({i.reason})" if i.reason else "")
            for i in view.items
        )
        if bring_back:
            summary += "; to bring back to the MDT"
        ctx.audit(s, "followup", "decision", decision_id, f"{view.mrn}: {summary}")
        if outcome is not None:
            _outcome_in(s, ctx, referral, outcome, outcome_version)
        return view


# --- the follow-up due list -------------------------------------------------------


@dataclass(frozen=True)
class FollowUpDue:
    decision_id: int
    referral_id: int
    patient_name: str
    mrn: str
    signed_off_at: datetime
    meeting_starts_at: datetime
    modalities: int
    settled: int
    bring_back: bool

    def days_since(self, now: datetime) -> int:
        return (now - self.signed_off_at).days

    @property
    def reason(self) -> str:
        if self.bring_back:
            return "to bring back to the MDT"
        if self.settled == 0:
            return "no follow-up recorded"
        return f"{self.modalities - self.settled} of {self.modalities} treatments without status"


def followup_due(
    db: Database, *, now: datetime | None = None, days: int | None = None, limit: int = 5000
) -> list[FollowUpDue]:
    """Signed-off decisions at least ``days`` (the setting) old with a planned modality
    still without a status, and every case flagged to come back to the MDT; oldest first.
    Counted in SQL, one query."""
    now = now or datetime.now(UTC)
    with db.reader() as s:
        wait = days if days is not None else settings_in(s).followup_days
        planned = (
            select(Modality.decision_id, func.count().label("n"))
            .group_by(Modality.decision_id)
            .subquery()
        )
        settled = (
            select(FollowUp.decision_id, func.count(FollowUpItem.id).label("n"))
            .join(FollowUpItem, FollowUpItem.followup_id == FollowUp.id)
            .where(FollowUpItem.status.in_(_SETTLED))
            .group_by(FollowUp.decision_id)
            .subquery()
        )
        n_planned = func.coalesce(planned.c.n, 0)
        n_settled = func.coalesce(settled.c.n, 0)
        bring_back = func.coalesce(FollowUp.bring_back, False)
        rows = s.execute(
            select(
                Decision.id,
                Referral.id,
                Patient.family_name,
                Patient.given_name,
                Patient.mrn,
                Decision.signed_off_at,
                Meeting.starts_at,
                n_planned,
                n_settled,
                bring_back,
            )
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .join(Referral, Referral.id == AgendaItem.referral_id)
            .join(Patient, Patient.id == Referral.patient_id)
            .outerjoin(planned, planned.c.decision_id == Decision.id)
            .outerjoin(settled, settled.c.decision_id == Decision.id)
            .outerjoin(FollowUp, FollowUp.decision_id == Decision.id)
            .where(
                Decision.status == DecisionStatus.SIGNED_OFF,
                or_(
                    bring_back.is_(True),
                    and_(
                        Decision.signed_off_at <= now - timedelta(days=wait),
                        n_settled < n_planned,
                    ),
                ),
            )
            .order_by(case((bring_back.is_(True), 0), else_=1), Decision.signed_off_at)
            .limit(limit)
        ).all()
    return [
        FollowUpDue(
            decision_id=r[0],
            referral_id=r[1],
            patient_name=f"{r[2].upper()}, {r[3]}",
            mrn=r[4],
            signed_off_at=r[5],
            meeting_starts_at=r[6],
            modalities=int(r[7]),
            settled=int(r[8]),
            bring_back=bool(r[9]),
        )
        for r in rows
    ]


# --- outcomes ---------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeView:
    referral_id: int
    entry: OutcomeEntry | None  # None: nothing recorded
    version: int
    updated_at: datetime | None


def get_outcome(db: Database, referral_id: int) -> OutcomeView:
    with db.reader() as s:
        if s.get(Referral, referral_id) is None:
            raise NotFound(f"case {referral_id} does not exist")
        o = s.get(CaseOutcome, referral_id)
        if o is None:
            return OutcomeView(referral_id, None, 0, None)
        return OutcomeView(referral_id, _entry(o), o.version, o.updated_at)


def _entry(o: CaseOutcome) -> OutcomeEntry:
    return OutcomeEntry(
        vital_status=str(o.vital_status),
        status_on=o.status_on,
        ambulatory_30d=str(o.ambulatory_30d) if o.ambulatory_30d else None,
        ambulatory_90d=str(o.ambulatory_90d) if o.ambulatory_90d else None,
        local_recurrence=o.local_recurrence,
        recurrence_on=o.recurrence_on,
        retreated=o.retreated,
        retreated_on=o.retreated_on,
    )


def _treated_on(r: Referral) -> date | None:
    return r.treatment_started_at.astimezone().date() if r.treatment_started_at else None


def _outcome_in(
    s: Session, ctx: ServiceContext, r: Referral, entry: OutcomeEntry, expected_version: int
) -> CaseOutcome:
    o = s.get(CaseOutcome, r.id)
    if (o.version if o else 0) != expected_version:
        raise Conflict(
            "the outcome changed since you opened it; review it first",
            entity="case_outcome",
            entity_id=r.id,
        )
    if o is None:
        o = CaseOutcome(referral_id=r.id)
        s.add(o)
    for name, value in vars(entry).items():
        setattr(o, name, value)
    s.flush()
    ctx.audit(
        s,
        "outcome",
        "referral",
        r.id,
        f"{entry.vital_status} on {entry.status_on.isoformat()}"
        + (f"; ambulatory at 30 days: {entry.ambulatory_30d}" if entry.ambulatory_30d else "")
        + (f"; at 90 days: {entry.ambulatory_90d}" if entry.ambulatory_90d else "")
        + (f"; local recurrence {entry.recurrence_on}" if entry.local_recurrence else "")
        + (f"; re-treated {entry.retreated_on}" if entry.retreated else ""),
    )
    return o


def record_outcome(
    ctx: ServiceContext,
    referral_id: int,
    entry: OutcomeEntry,
    *,
    expected_version: int,
    today: date | None = None,
) -> OutcomeView:
    """Record (or correct) what became of the patient; audited in the same transaction."""
    ctx.require(Permission.FOLLOW_UP_WRITE)
    today = today or datetime.now(UTC).astimezone().date()
    with ctx.unit_of_work() as s:
        r = s.get(Referral, referral_id)
        if r is None:
            raise NotFound(f"case {referral_id} does not exist")
        problems = outcome_problems(entry, today, _treated_on(r))
        if problems:
            raise ValidationError(problems)
        o = _outcome_in(s, ctx, r, entry, expected_version)
        return OutcomeView(referral_id, _entry(o), o.version, o.updated_at)
