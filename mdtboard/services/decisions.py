"""Meeting mode use cases: attendance and quorum, drafts, sign-off, amendments, close.

A signed-off decision is final. A correction is an amendment: a new
revision with its reason, author and time; every earlier revision stays
readable (status ``amended``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain import treatments
from mdtboard.domain.lifecycle import CaseEvent
from mdtboard.domain.vocab import (
    CORE_ROLES,
    AgendaStatus,
    AttendanceStatus,
    DecisionStatus,
    Intent,
    MeetingStatus,
    Role,
    quorum_missing,
)
from mdtboard.services import assessments, seals
from mdtboard.services.assessments import AssessmentView
from mdtboard.services.assessments import ScoreChange as ScoreChange  # re-exported
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.meetings import open_meeting, relist_in
from mdtboard.services.permissions import Permission
from mdtboard.services.protocols import protocol_view
from mdtboard.services.readiness import move
from mdtboard.services.storable import input_problems, text_problems
from mdtboard.store import audit
from mdtboard.store.db import Database
from mdtboard.store.models import (
    Action,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    Member,
    Modality,
    Referral,
)
from mdtboard.store.types import utcnow


@dataclass(frozen=True)
class ModalityInput:
    kind: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str
    due_date: date | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class DecisionInput:
    intent: str | None = None
    plan_text: str = ""
    rationale: str = ""
    dissent: str = ""
    dissent_by: str = ""
    patient_preferences: str = ""
    patient_informed: bool = False
    clinical_trial: str = ""
    #: shown back to the client; the service computes it from the stored scores on save
    noms_band: str | None = None
    fit_for_surgery: bool | None = None
    #: NOMS inputs the MDT chose itself (None: from the histology / the SINS answers)
    noms_oncologic: str | None = None
    noms_mechanical_pain: bool | None = None
    modalities: tuple[ModalityInput, ...] = ()
    actions: tuple[ActionInput, ...] = ()


@dataclass(frozen=True)
class DecisionView:
    id: int
    agenda_item_id: int
    revision: int
    status: str
    data: DecisionInput
    quorate: bool | None
    signed_off_by: str
    signed_off_at: datetime | None
    amendment_reason: str
    supersedes_id: int | None
    version: int
    updated_at: datetime
    #: the seal as printed documents carry it (seals.short_code); "" for a draft
    seal_code: str = ""

    @property
    def is_final(self) -> bool:
        return self.status != DecisionStatus.DRAFT


@dataclass(frozen=True)
class AttendanceView:
    member_id: int
    name: str
    role: str
    status: str


@dataclass(frozen=True)
class Quorum:
    quorate: bool
    missing_roles: tuple[str, ...]

    def text(self) -> str:
        if self.quorate:
            return "Quorate: every core role is present"
        labels = ", ".join(Role(r).label for r in self.missing_roles)
        return f"NOT QUORATE — missing: {labels}"


@dataclass(frozen=True)
class CloseSummary:
    discussed: tuple[int, ...]
    deferred: tuple[int, ...]
    withdrawn: tuple[int, ...]
    undiscussed: tuple[int, ...]
    #: the agenda items relisted on ``relisted_to`` (by close_and_relist)
    relisted: tuple[int, ...] = ()
    relisted_to: int | None = None

    @property
    def open_cases(self) -> tuple[int, ...]:
        """The cases that still need a meeting: deferred or not reached."""
        return self.deferred + self.undiscussed


def to_view(d: Decision) -> DecisionView:
    return DecisionView(
        id=d.id,
        agenda_item_id=d.agenda_item_id,
        revision=d.revision,
        status=str(d.status),
        data=DecisionInput(
            intent=str(d.intent) if d.intent else None,
            plan_text=d.plan_text,
            rationale=d.rationale,
            dissent=d.dissent,
            dissent_by=d.dissent_by,
            patient_preferences=d.patient_preferences,
            patient_informed=d.patient_informed,
            clinical_trial=d.clinical_trial,
            noms_band=d.noms_band,
            fit_for_surgery=d.fit_for_surgery,
            noms_oncologic=d.noms_oncologic,
            noms_mechanical_pain=d.noms_mechanical_pain,
            modalities=tuple(ModalityInput(m.kind, dict(m.details)) for m in d.modalities),
            actions=tuple(
                ActionInput(a.description, a.owner, a.due_date, a.done_at) for a in d.actions
            ),
        ),
        quorate=d.quorate,
        signed_off_by=d.signed_off_by,
        signed_off_at=d.signed_off_at,
        amendment_reason=d.amendment_reason,
        supersedes_id=d.supersedes_id,
        version=d.version,
        updated_at=d.updated_at,
        seal_code=seals.short_code(d.seal) if d.seal else "",
    )


# --- attendance and quorum ----------------------------------------------------


def attendance(db: Database, meeting_id: int) -> list[AttendanceView]:
    with db.reader() as s:
        rows = s.execute(
            select(Attendance, Member)
            .join(Member, Member.id == Attendance.member_id)
            .where(Attendance.meeting_id == meeting_id)
            .order_by(Member.role, Member.name)
        ).all()
        return [AttendanceView(m.id, m.name, str(m.role), str(a.status)) for a, m in rows]


def _quorum(s: Session, meeting_id: int) -> Quorum:
    present = {
        str(role)
        for role in s.execute(
            select(Member.role)
            .join(Attendance, Attendance.member_id == Member.id)
            .where(
                Attendance.meeting_id == meeting_id,
                # members present make the quorum; a visiting guest does not
                Attendance.status == AttendanceStatus.PRESENT,
            )
        ).scalars()
    }
    missing = quorum_missing(present)
    return Quorum(not missing, tuple(r.value for r in missing))


def quorum(db: Database, meeting_id: int) -> Quorum:
    with db.reader() as s:
        return _quorum(s, meeting_id)


def set_attendance(
    ctx: ServiceContext, meeting_id: int, member_id: int, status: AttendanceStatus
) -> Quorum:
    ctx.require(Permission.MEETING_WRITE)
    with ctx.unit_of_work() as s:
        if s.get(Meeting, meeting_id) is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        if s.get(Member, member_id) is None:
            raise NotFound(f"member {member_id} does not exist")
        row = s.execute(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id, Attendance.member_id == member_id
            )
        ).scalar_one_or_none()
        if row is None:
            row = Attendance(meeting_id=meeting_id, member_id=member_id, status=status)
            s.add(row)
        elif row.status == status:
            return _quorum(s, meeting_id)
        row.status = status
        s.flush()
        ctx.audit(s, "update", "attendance", meeting_id, f"member {member_id}: {status.value}")
        return _quorum(s, meeting_id)


def mark_everyone_present(ctx: ServiceContext, meeting_id: int) -> Quorum:
    """Every team member on this meeting's list present (guests stay guests), in one
    transaction with one audit event: the usual start of a meeting in one press."""
    ctx.require(Permission.MEETING_WRITE)
    with ctx.unit_of_work() as s:
        open_meeting(s, meeting_id, "this meeting is closed")
        rows = s.execute(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id,
                Attendance.status.not_in([AttendanceStatus.PRESENT, AttendanceStatus.GUEST]),
            )
        ).scalars()
        changed = sorted(rows, key=lambda a: a.member_id)
        for row in changed:
            row.status = AttendanceStatus.PRESENT
        if changed:
            s.flush()
            members = ", ".join(str(a.member_id) for a in changed)
            ctx.audit(s, "update", "attendance", meeting_id, f"members {members}: present")
        return _quorum(s, meeting_id)


def add_guest(ctx: ServiceContext, meeting_id: int, name: str, role: str) -> AttendanceView:
    """Someone who is not on the team list attends this one meeting (a visiting
    clinician, a trainee): recorded as a guest, kept off the list of members expected
    at later meetings, and not counted towards the quorum."""
    from mdtboard.services.members import validate_member

    ctx.require(Permission.MEETING_WRITE)
    validate_member(name, role)
    with ctx.unit_of_work() as s:
        open_meeting(s, meeting_id, "this meeting is closed")
        member = Member(name=name.strip(), role=role, email="", active=False)
        s.add(member)
        s.flush()
        s.add(Attendance(meeting_id=meeting_id, member_id=member.id, status=AttendanceStatus.GUEST))
        s.flush()
        ctx.audit(s, "create", "attendance", meeting_id, f"guest {member.id} ({role}) attends")
        return AttendanceView(member.id, member.name, role, AttendanceStatus.GUEST.value)


def start_meeting(ctx: ServiceContext, meeting_id: int) -> None:
    ctx.require(Permission.DECISION_WRITE)
    with ctx.unit_of_work() as s:
        m = open_meeting(s, meeting_id, "this meeting is closed")
        if m.status != MeetingStatus.IN_PROGRESS:
            m.status = MeetingStatus.IN_PROGRESS
            s.flush()
            ctx.audit(s, "update", "meeting", m.id, "meeting started")


def close_meeting(ctx: ServiceContext, meeting_id: int) -> CloseSummary:
    """Close a meeting (its open cases stay candidates for relisting)."""
    return close_and_relist(ctx, meeting_id, None)


def close_and_relist(ctx: ServiceContext, meeting_id: int, to_meeting: int | None) -> CloseSummary:
    """Close a meeting and, with ``to_meeting``, list its deferred and undiscussed cases
    there — all in one unit of work: either the meeting is closed and every case
    relisted, or nothing changes."""
    ctx.require(Permission.SIGN_OFF)
    if to_meeting is not None:
        ctx.require(Permission.AGENDA_WRITE)
        if to_meeting == meeting_id:
            raise ValidationError({"relist_to": "relist on another meeting, not this one"})
    with ctx.unit_of_work() as s:
        m = s.get(Meeting, meeting_id)
        if m is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        groups: dict[str, list[int]] = {s_.value: [] for s_ in AgendaStatus}
        for item in m.items:
            groups[str(item.status)].append(item.id)
        drafts = s.execute(
            select(Decision.id)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .where(
                AgendaItem.meeting_id == meeting_id,
                Decision.status == DecisionStatus.DRAFT,
                # a deferred or withdrawn case is not decided here: its draft stays a draft
                AgendaItem.status.notin_([AgendaStatus.DEFERRED, AgendaStatus.WITHDRAWN]),
            )
        ).first()
        if drafts is not None:
            raise ValidationError(
                {"meeting": "some decisions are still drafts: sign them off, or defer those cases"}
            )
        m.status = MeetingStatus.CLOSED
        s.flush()
        summary = CloseSummary(
            tuple(groups["discussed"]),
            tuple(groups["deferred"]),
            tuple(groups["withdrawn"]),
            tuple(groups["listed"]),
        )
        ctx.audit(
            s,
            "update",
            "meeting",
            m.id,
            f"meeting closed: {len(summary.discussed)} discussed, {len(summary.deferred)} "
            f"deferred, {len(summary.withdrawn)} withdrawn, {len(summary.undiscussed)} undiscussed",
        )
        if to_meeting is None:
            return summary
        relisted = tuple(
            relist_in(s, ctx, item_id, to_meeting).id for item_id in summary.open_cases
        )
        return replace(summary, relisted=relisted, relisted_to=to_meeting)


# --- decisions ---------------------------------------------------------------------


def _current(s: Session, agenda_item_id: int) -> Decision | None:
    return s.execute(
        select(Decision)
        .where(Decision.agenda_item_id == agenda_item_id)
        .order_by(Decision.revision.desc())
        .limit(1)
    ).scalar_one_or_none()


def current_decision(db: Database, agenda_item_id: int) -> DecisionView | None:
    with db.reader() as s:
        d = _current(s, agenda_item_id)
        return to_view(d) if d else None


def versions(db: Database, agenda_item_id: int) -> list[DecisionView]:
    with db.reader() as s:
        rows = s.execute(
            select(Decision)
            .where(Decision.agenda_item_id == agenda_item_id)
            .order_by(Decision.revision)
        ).scalars()
        return [to_view(d) for d in rows]


def _fill(s: Session, d: Decision, referral: Referral, data: DecisionInput) -> None:
    """Copy the decision's fields from ``data``; the NOMS band is computed here from the
    case's stored scores (never taken from the client), None for a primary tumour."""
    if problems := input_problems(Decision, data):
        raise ValidationError(problems)
    if data.noms_oncologic not in (None, "radiosensitive", "radioresistant"):
        raise ValidationError({"noms_oncologic": f"unknown class {data.noms_oncologic!r}"})
    if data.intent is not None and data.intent not in {i.value for i in Intent}:
        raise ValidationError({"intent": f"unknown intent {data.intent!r}"})
    for n, m in enumerate(data.modalities):
        if m.kind not in treatments.MODALITY_KINDS:
            raise ValidationError({f"modalities[{n}].kind": f"unknown modality {m.kind!r}"})
    for n, a in enumerate(data.actions):
        if not a.description.strip():
            raise ValidationError({f"actions[{n}].description": "describe the action"})
        if not a.owner.strip():
            raise ValidationError({f"actions[{n}].owner": "every action needs an owner"})
        if problems := input_problems(Action, a):
            raise ValidationError({f"actions[{n}].{k}": v for k, v in problems.items()})
    d.intent = Intent(data.intent) if data.intent else None
    d.plan_text = data.plan_text.strip()
    d.rationale = data.rationale.strip()
    d.dissent = data.dissent.strip()
    d.dissent_by = data.dissent_by.strip()
    d.patient_preferences = data.patient_preferences.strip()
    d.patient_informed = data.patient_informed
    d.clinical_trial = data.clinical_trial.strip()
    d.fit_for_surgery = data.fit_for_surgery
    d.noms_oncologic = data.noms_oncologic
    d.noms_mechanical_pain = data.noms_mechanical_pain
    d.noms_band = assessments.noms_in(s, referral, d).band
    d.modalities = [
        Modality(sequence=n, kind=m.kind, details=dict(m.details))
        for n, m in enumerate(data.modalities, start=1)
    ]
    d.actions = [
        Action(
            description=a.description.strip(),
            owner=a.owner.strip(),
            due_date=a.due_date,
            done_at=a.done_at,
        )
        for a in data.actions
    ]


@dataclass(frozen=True)
class CaseSaved:
    decision: DecisionView
    #: the stored scores, in the order of the changes given
    scores: tuple[AssessmentView, ...]


def save_draft(
    ctx: ServiceContext,
    agenda_item_id: int,
    data: DecisionInput,
    expected_version: int | None = None,
) -> DecisionView:
    """Create or update the draft decision of an agenda item (no score with it)."""
    return save_case(ctx, agenda_item_id, data, (), expected_version).decision


def save_case(
    ctx: ServiceContext,
    agenda_item_id: int,
    data: DecisionInput,
    scores: Sequence[ScoreChange],
    expected_version: int | None = None,
) -> CaseSaved:
    """Save a case as meeting mode's Save (and autosave) does: every changed score and
    the draft decision together, with one audit event — or nothing at all.

    ``expected_version`` is the version of the draft the caller opened; None says it
    saw no draft, so a draft made meanwhile (another workstation's autosave) is a
    conflict, never silently replaced. The NOMS band is computed from the scores as
    they are stored by this same transaction."""
    ctx.require(Permission.DECISION_WRITE)
    if scores:
        ctx.require(Permission.ASSESSMENT_WRITE)
    with ctx.unit_of_work() as s:
        item = s.get(AgendaItem, agenda_item_id)
        if item is None:
            raise NotFound(f"agenda item {agenda_item_id} does not exist")
        saved, summaries = _scores_in(s, ctx, item.referral, scores)
        d = _current(s, agenda_item_id)
        if d is None:
            d = Decision(agenda_item_id=agenda_item_id, revision=1, status=DecisionStatus.DRAFT)
            s.add(d)
            action = "create"
        else:
            if d.status != DecisionStatus.DRAFT:
                raise ValidationError(
                    {"decision": "a signed-off decision cannot be edited; record an amendment"}
                )
            if expected_version is None:
                raise Conflict(
                    "another workstation saved a draft of this decision since you opened the case",
                    entity="decision",
                    entity_id=d.id,
                )
            if d.version != expected_version:
                raise Conflict(
                    "this decision was changed on another workstation since you opened it",
                    entity="decision",
                    entity_id=d.id,
                )
            action = "update"
        _fill(s, d, item.referral, data)
        s.flush()
        ctx.audit(
            s,
            action,
            "decision",
            d.id,
            f"draft saved for agenda item {agenda_item_id}"
            + (f"; scores: {'; '.join(summaries)}" if summaries else ""),
        )
        return CaseSaved(to_view(d), tuple(saved))


def _scores_in(
    s: Session, ctx: ServiceContext, referral: Referral, scores: Sequence[ScoreChange]
) -> tuple[list[AssessmentView], list[str]]:
    """The scores of a case action, written in its unit of work (audited with it)."""
    return assessments.record_changes_in(s, ctx, referral, scores)


def plan_problems(data: DecisionInput, histology_key: str | None = None) -> tuple[Any, ...]:
    return treatments.validate_plan(
        data.intent,
        [{"kind": m.kind, "details": dict(m.details)} for m in data.modalities],
        histology_key=histology_key,
    )


def sign_off(
    ctx: ServiceContext, agenda_item_id: int, expected_version: int, signed_by: str
) -> DecisionView:
    """Sign off the draft: final from now on. Plan errors block; warnings do not."""
    ctx.require(Permission.SIGN_OFF)
    if not signed_by.strip():
        raise ValidationError({"signed_off_by": "name the chair who signs off"})
    if problems := text_problems(Decision, {"signed_off_by": signed_by}):
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        d = _current(s, agenda_item_id)
        if d is None:
            raise NotFound(f"agenda item {agenda_item_id} has no draft decision")
        if d.status != DecisionStatus.DRAFT:
            raise ValidationError({"decision": "this decision is already signed off"})
        if d.version != expected_version:
            raise Conflict(
                "this decision changed since you last saved it; review it first",
                entity="decision",
                entity_id=d.id,
            )
        view = to_view(d)
        errors = [
            p
            for p in plan_problems(view.data, d.agenda_item.referral.histology_key)
            if p.severity == "error"
        ]
        if errors:
            raise ValidationError({p.field or "plan": p.message for p in errors})
        return _sign_off_in(s, ctx, d, signed_by)


#: why a standard-of-care case has no discussion of its own (NHS England, streamlining MDTs)
SOC_RATIONALE = (
    "Listed as standard of care under an agreed protocol; confirmed by the MDT without a "
    "full discussion."
)


def confirm_standard_of_care(
    ctx: ServiceContext, meeting_id: int, agenda_item_ids: Sequence[int], signed_by: str
) -> list[DecisionView]:
    """The chair confirms the cases listed as standard of care together (issue 19 part 7):
    each gets a decision with its protocol applied, signed off, sealed and audited like a
    discussed case — all in one transaction, or none."""
    ctx.require(Permission.SIGN_OFF)
    if not signed_by.strip():
        raise ValidationError({"signed_off_by": "name the chair who signs off"})
    if problems := text_problems(Decision, {"signed_off_by": signed_by}):
        raise ValidationError(problems)
    if not agenda_item_ids:
        raise ValidationError({"cases": "choose the standard-of-care cases to confirm"})
    with ctx.unit_of_work() as s:
        meeting = s.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise ValidationError({"meeting": "start the meeting before confirming cases"})
        out: list[DecisionView] = []
        for item_id in agenda_item_ids:
            item = s.get(AgendaItem, item_id)
            if item is None or item.meeting_id != meeting_id:
                raise ValidationError({"cases": f"agenda item {item_id} is not on this meeting"})
            who = f"{item.referral.patient.family_name.upper()} (MRN {item.referral.patient.mrn})"
            if item.protocol is None:
                raise ValidationError({"cases": f"{who} is listed for a full discussion"})
            if item.status != AgendaStatus.LISTED:
                raise ValidationError({"cases": f"{who} is already {item.status.label.lower()}"})
            d = _current(s, item_id)
            if d is not None and d.status != DecisionStatus.DRAFT:
                raise ValidationError({"cases": f"{who} is already signed off"})
            if d is None:
                d = Decision(agenda_item_id=item_id, revision=1, status=DecisionStatus.DRAFT)
                s.add(d)
            protocol = protocol_view(item.protocol)
            _fill(
                s,
                d,
                item.referral,
                DecisionInput(plan_text=protocol.plan_text(), rationale=SOC_RATIONALE),
            )
            s.flush()
            ctx.audit(
                s,
                "create",
                "decision",
                d.id,
                f"standard of care confirmed for agenda item {item_id}: {protocol.label}",
            )
            out.append(_sign_off_in(s, ctx, d, signed_by))
        return out


def _sign_off_in(s: Session, ctx: ServiceContext, d: Decision, signed_by: str) -> DecisionView:
    """Sign a checked draft off in the caller's transaction: quorum, status, the case's
    lifecycle and plan time, the seal and the audit event."""
    if not d.plan_text:
        raise ValidationError({"plan_text": "record the consensus plan before sign-off"})
    q = _quorum(s, d.agenda_item.meeting_id)
    now = utcnow()
    d.quorate = q.quorate
    d.status = DecisionStatus.SIGNED_OFF
    d.signed_off_by = signed_by.strip()
    d.signed_off_at = now
    item = d.agenda_item
    item.status = AgendaStatus.DISCUSSED
    referral = item.referral
    move(referral, CaseEvent.SIGNED_OFF)
    if referral.plan_agreed_at is None:
        referral.plan_agreed_at = now
    s.flush()
    digest = seals.seal_decision(s, d, audit.load_key(create=False))
    ctx.audit(
        s,
        "sign_off",
        "decision",
        d.id,
        f"signed off by {d.signed_off_by}; intent {d.intent}; "
        f"{'quorate' if q.quorate else 'NOT quorate'}; {len(d.modalities)} modalities; "
        f"seal {digest}",
    )
    return to_view(d)


def amend(
    ctx: ServiceContext,
    agenda_item_id: int,
    expected_version: int,
    data: DecisionInput,
    reason: str,
    scores: Sequence[ScoreChange] = (),
) -> DecisionView:
    """Correct a signed-off decision: a new signed-off revision; the old one is kept."""
    return amend_case(ctx, agenda_item_id, expected_version, data, reason, scores).decision


def amend_case(
    ctx: ServiceContext,
    agenda_item_id: int,
    expected_version: int,
    data: DecisionInput,
    reason: str,
    scores: Sequence[ScoreChange] = (),
) -> CaseSaved:
    """Amend as meeting mode does: scores corrected with the decision are saved in the
    same transaction (a score the old revision rests on stays with it: the correction
    is a new score), or nothing is."""
    ctx.require(Permission.SIGN_OFF)
    if scores:
        ctx.require(Permission.ASSESSMENT_WRITE)
    if not reason.strip():
        raise ValidationError({"amendment_reason": "give the reason for the amendment"})
    if problems := text_problems(Decision, {"amendment_reason": reason}):
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        old = _current(s, agenda_item_id)
        if old is None or old.status != DecisionStatus.SIGNED_OFF:
            raise ValidationError({"decision": "only a signed-off decision can be amended"})
        if old.version != expected_version:
            raise Conflict(
                "this decision changed since you opened it", entity="decision", entity_id=old.id
            )
        saved, score_summaries = _scores_in(s, ctx, old.agenda_item.referral, scores)
        new = Decision(
            agenda_item_id=agenda_item_id,
            revision=old.revision + 1,
            supersedes_id=old.id,
            status=DecisionStatus.SIGNED_OFF,
            quorate=old.quorate,
            signed_off_by=ctx.actor.username,
            signed_off_at=utcnow(),
            amendment_reason=reason.strip(),
        )
        _fill(s, new, old.agenda_item.referral, data)
        errors = [
            p
            for p in plan_problems(data, old.agenda_item.referral.histology_key)
            if p.severity == "error"
        ]
        if errors:
            raise ValidationError({p.field or "plan": p.message for p in errors})
        old.status = DecisionStatus.AMENDED
        move(old.agenda_item.referral, CaseEvent.AMENDED)
        s.add(new)
        s.flush()
        key = audit.load_key(create=False)
        digest = seals.seal_decision(s, new, key)
        old_digest = seals.seal_decision(s, old, key)  # its status is now "amended"
        ctx.audit(
            s,
            "amend",
            "decision",
            new.id,
            f"amends decision {old.id} (revision {old.revision} → {new.revision}): "
            + reason.strip()
            + (f"; scores: {'; '.join(score_summaries)}" if score_summaries else "")
            + f"; seal {digest}; resealed decision {old.id} {old_digest}",
        )
        return CaseSaved(to_view(new), tuple(saved))


def core_roles() -> Sequence[Role]:
    return CORE_ROLES
