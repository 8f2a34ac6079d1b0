"""Meetings and their agendas: create, list cases, reorder, defer, relist."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mdtboard.domain import histology
from mdtboard.domain.followup import DeviationReason, implementation
from mdtboard.domain.lifecycle import CaseEvent
from mdtboard.domain.vocab import (
    URGENCY_ORDER,
    AgendaStatus,
    AttendanceStatus,
    DecisionStatus,
    MeetingStatus,
)
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.protocols import protocol_view
from mdtboard.services.readiness import move
from mdtboard.services.storable import text_problems
from mdtboard.store.db import Database
from mdtboard.store.models import (
    AgendaItem,
    Attendance,
    Decision,
    FollowUp,
    FollowUpItem,
    Meeting,
    Member,
    Modality,
    Referral,
)


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    starts_at: datetime
    title: str
    location: str
    status: str
    items: int
    video_link: str = ""
    chair: str = ""
    version: int = 1


@dataclass(frozen=True)
class AgendaEntry:
    id: int
    meeting_id: int
    referral_id: int
    patient_id: int
    position: int
    status: str
    reason: str
    patient_name: str
    mrn: str
    urgency: str
    question: str
    histology_label: str
    levels_text: str
    version: int
    relisted_from_id: int | None = None
    #: the status of the item's newest decision ("" without one); set by ``agenda``
    decision_status: str = ""
    #: listed as standard of care under this protocol (None: for discussion)
    protocol_id: int | None = None
    protocol_title: str = ""

    @property
    def standard_of_care(self) -> bool:
        return self.protocol_id is not None


@dataclass(frozen=True)
class RelistCandidate:
    agenda_item_id: int
    referral_id: int
    patient_name: str
    meeting_title: str
    meeting_at: datetime
    status: str
    reason: str


@dataclass(frozen=True)
class HistoryEntry:
    meeting_id: int
    meeting_at: datetime
    meeting_title: str
    referral_id: int
    question: str
    agenda_status: str
    reason: str
    decision_status: str
    plan_text: str
    #: was the signed-off decision carried out (domain.followup.Implementation label,
    #: with the reasons a treatment was not given); "" before sign-off
    followup: str = ""


def _followup_texts(s: Session, decisions: list[Decision]) -> dict[int, str]:
    """Each signed-off decision's implementation in words (two queries in all)."""
    ids = [d.id for d in decisions if d.status == DecisionStatus.SIGNED_OFF]
    planned: dict[int, list[int]] = {i: [] for i in ids}
    given: dict[int, tuple[str, str | None]] = {}
    for i in range(0, len(ids), 900):
        part = ids[i : i + 900]
        for decision_id, modality_id in s.execute(
            select(Modality.decision_id, Modality.id).where(Modality.decision_id.in_(part))
        ):
            planned[decision_id].append(modality_id)
        for modality_id, status, reason in s.execute(
            select(FollowUpItem.modality_id, FollowUpItem.status, FollowUpItem.reason)
            .join(FollowUp, FollowUp.id == FollowUpItem.followup_id)
            .where(FollowUp.decision_id.in_(part))
        ):
            given[modality_id] = (str(status), str(reason) if reason else None)
    out: dict[int, str] = {}
    for decision_id, modality_ids in planned.items():
        entries = [given.get(m) for m in modality_ids]
        state = implementation(e[0] if e else None for e in entries)
        why = sorted({DeviationReason(e[1]).label.lower() for e in entries if e and e[1]})
        out[decision_id] = state.label + (f" ({', '.join(why)})" if why else "")
    return out


# --- meetings --------------------------------------------------------------


def _summary(m: Meeting, items: int) -> MeetingSummary:
    return MeetingSummary(
        id=m.id,
        starts_at=m.starts_at,
        title=m.title,
        location=m.location,
        status=str(m.status),
        items=items,
        video_link=m.video_link,
        chair=m.chair.name if m.chair else "",
        version=m.version,
    )


def list_meetings(db: Database) -> list[MeetingSummary]:
    with db.reader() as s:
        counts = dict(
            s.execute(select(AgendaItem.meeting_id, func.count()).group_by(AgendaItem.meeting_id))
            .tuples()
            .all()
        )
        rows = s.execute(select(Meeting).order_by(Meeting.starts_at, Meeting.id)).scalars()
        return [_summary(m, int(counts.get(m.id, 0))) for m in rows]


def get_meeting(db: Database, meeting_id: int) -> MeetingSummary:
    with db.reader() as s:
        m = s.get(Meeting, meeting_id)
        if m is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        n = s.execute(select(func.count()).where(AgendaItem.meeting_id == meeting_id)).scalar_one()
        return _summary(m, int(n))


def resolve_meeting(db: Database, ref: str, now: datetime) -> MeetingSummary:
    """A meeting by id, or ``last`` (most recent started) or ``next`` (first upcoming)."""
    meetings = list_meetings(db)
    if ref == "last":
        past = [m for m in meetings if m.starts_at <= now]
        if not past:
            raise NotFound("there is no past meeting")
        return past[-1]
    if ref == "next":
        future = [m for m in meetings if m.starts_at > now]
        if not future:
            raise NotFound("there is no upcoming meeting")
        return future[0]
    try:
        wanted = int(ref)
    except ValueError:
        raise ValidationError(
            {"meeting": f"expected an id, 'last' or 'next', not {ref!r}"}
        ) from None
    for m in meetings:
        if m.id == wanted:
            return m
    raise NotFound(f"meeting {wanted} does not exist")


def _validate_meeting(
    title: str, starts_at: datetime | None, location: str = "", video_link: str = ""
) -> None:
    problems = text_problems(
        Meeting, {"title": title, "location": location, "video_link": video_link}
    )
    if not title.strip():
        problems["title"] = "a title is required"
    if starts_at is None:
        problems["starts_at"] = "date and time are required"
    elif starts_at.tzinfo is None:
        problems["starts_at"] = "time needs a time zone"
    elif not 2000 <= starts_at.year <= 2199:
        problems["starts_at"] = "the date is out of range (years 2000 to 2199)"
    if problems:
        raise ValidationError(problems)


def create_meeting(
    ctx: ServiceContext,
    *,
    title: str,
    starts_at: datetime,
    location: str = "",
    video_link: str = "",
    chair_id: int | None = None,
    expected_member_ids: Sequence[int] | None = None,
) -> MeetingSummary:
    ctx.require(Permission.MEETING_WRITE)
    _validate_meeting(title, starts_at, location, video_link)
    with ctx.unit_of_work() as s:
        m = _new_meeting(s, title, starts_at, location, video_link, chair_id, expected_member_ids)
        ctx.audit(s, "create", "meeting", m.id, f"meeting created for {starts_at:%Y-%m-%d %H:%M}Z")
        return _summary(m, 0)


def _new_meeting(
    s: Session,
    title: str,
    starts_at: datetime,
    location: str,
    video_link: str,
    chair_id: int | None,
    expected_member_ids: Sequence[int] | None,
) -> Meeting:
    if chair_id is not None and s.get(Member, chair_id) is None:
        raise ValidationError({"chair": f"member {chair_id} does not exist"})
    m = Meeting(
        title=title.strip(),
        starts_at=starts_at,
        location=location.strip(),
        video_link=video_link.strip(),
        chair_id=chair_id,
        status=MeetingStatus.PLANNED,
    )
    s.add(m)
    s.flush()
    if expected_member_ids is None:
        expected_member_ids = list(
            s.execute(select(Member.id).where(Member.active.is_(True))).scalars()
        )
    for member_id in expected_member_ids:
        s.add(Attendance(meeting_id=m.id, member_id=member_id, status=AttendanceStatus.EXPECTED))
    s.flush()
    return m


@dataclass(frozen=True)
class MeetingDefaults:
    """What a new meeting starts with: the next free slot of the latest meeting's series."""

    title: str
    starts_at: datetime
    location: str
    video_link: str
    chair_id: int | None


_DATE_SUFFIX = re.compile(r"\s+—\s+\d{2} [A-Za-z]{3} \d{4}$")


def dated_title(title: str, starts_at: datetime) -> str:
    """The series' title with the meeting's (local) date: "Spine oncology MDT — 08 Dec 2026"."""
    base = _DATE_SUFFIX.sub("", title.strip())
    return f"{base} — {starts_at.astimezone():%d %b %Y}"


def next_free_slot(db: Database, now: datetime | None = None) -> MeetingDefaults | None:
    """A week after the latest meeting, as many weeks on as it takes to be in the future
    and free; None when there is no meeting yet."""
    now = now or datetime.now(UTC)
    with db.reader() as s:
        last = s.execute(
            select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(1)
        ).scalar_one_or_none()
        if last is None:
            return None
        taken = set(
            s.execute(
                select(Meeting.starts_at).where(Meeting.status != MeetingStatus.CLOSED)
            ).scalars()
        )
        when = last.starts_at + timedelta(days=7)
        while when <= now or when in taken:
            when += timedelta(days=7)
        return MeetingDefaults(
            dated_title(last.title, when), when, last.location, last.video_link, last.chair_id
        )


def clashes(db: Database, starts_at: datetime, location: str) -> list[MeetingSummary]:
    """Open meetings at the same time and place (a second one is usually a mistake)."""
    place = location.strip().lower()
    return [
        m
        for m in list_meetings(db)
        if m.starts_at == starts_at and m.location.strip().lower() == place and m.status != "closed"
    ]


def create_weekly_series(
    ctx: ServiceContext,
    *,
    title: str,
    first_starts_at: datetime,
    weeks: int,
    location: str = "",
    video_link: str = "",
    chair_id: int | None = None,
) -> list[MeetingSummary]:
    """``weeks`` meetings, seven days apart, in one transaction."""
    ctx.require(Permission.MEETING_WRITE)
    _validate_meeting(title, first_starts_at, location, video_link)
    if not 1 <= weeks <= 104:
        raise ValidationError({"weeks": "between 1 and 104 meetings"})
    out: list[MeetingSummary] = []
    with ctx.unit_of_work() as s:
        for k in range(weeks):
            when = first_starts_at + timedelta(days=7 * k)
            m = _new_meeting(s, title, when, location, video_link, chair_id, None)
            out.append(_summary(m, 0))
        ctx.audit(
            s,
            "create",
            "meeting",
            out[0].id,
            f"weekly series of {weeks} meetings from {first_starts_at:%Y-%m-%d}",
        )
    return out


# --- agenda ------------------------------------------------------------------


def _entry(item: AgendaItem, decision_status: str = "") -> AgendaEntry:
    r = item.referral
    p = r.patient
    return AgendaEntry(
        id=item.id,
        meeting_id=item.meeting_id,
        referral_id=r.id,
        patient_id=p.id,
        position=item.position,
        status=str(item.status),
        reason=item.reason,
        patient_name=f"{p.family_name.upper()}, {p.given_name}",
        mrn=p.mrn,
        urgency=str(r.urgency),
        question=r.question,
        histology_label=histology.label_for(r.histology_key),
        levels_text=r.levels_text,
        version=item.version,
        relisted_from_id=item.relisted_from_id,
        decision_status=decision_status,
        protocol_id=item.protocol_id,
        protocol_title=protocol_view(item.protocol).label if item.protocol is not None else "",
    )


def agenda(db: Database, meeting_id: int) -> list[AgendaEntry]:
    with db.reader() as s:
        if s.get(Meeting, meeting_id) is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        items = list(
            s.execute(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position, AgendaItem.id)
            ).scalars()
        )
        newest: dict[int, tuple[int, str]] = {}
        for item_id, revision, status in s.execute(
            select(Decision.agenda_item_id, Decision.revision, Decision.status)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting_id)
        ):
            if item_id not in newest or revision > newest[item_id][0]:
                newest[item_id] = (revision, str(status))
        return [_entry(i, newest.get(i.id, (0, ""))[1]) for i in items]


def open_meeting(
    s: Session, meeting_id: int, closed: str = "this meeting is closed; its agenda cannot change"
) -> Meeting:
    """The meeting, refused with ``closed`` as the message once it is closed."""
    m = s.get(Meeting, meeting_id)
    if m is None:
        raise NotFound(f"meeting {meeting_id} does not exist")
    if m.status == MeetingStatus.CLOSED:
        raise ValidationError({"meeting": closed})
    return m


def list_case(
    ctx: ServiceContext,
    meeting_id: int,
    referral_id: int,
    *,
    relisted_from_id: int | None = None,
    reason: str = "",
) -> AgendaEntry:
    """Put a case on a meeting's agenda (one entry per patient per meeting).

    Emergencies go before urgent and routine cases already listed; others go
    to the end.
    """
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        item = list_in(
            s, ctx, meeting_id, referral_id, relisted_from_id=relisted_from_id, reason=reason
        )
        s.refresh(item)
        return _entry(item)


def list_cases(
    ctx: ServiceContext, meeting_id: int, referral_ids: Sequence[int]
) -> list[AgendaEntry]:
    """Put several cases on a meeting's agenda in one unit of work: all of them, each
    audited, or none (a case that cannot be listed names itself in the error)."""
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        items = []
        for referral_id in referral_ids:
            try:
                items.append(list_in(s, ctx, meeting_id, referral_id))
            except ValidationError as exc:
                problems = {k: f"case {referral_id}: {v}" for k, v in exc.problems.items()}
                raise ValidationError(problems) from exc
        for item in items:
            s.refresh(item)
        return [_entry(i) for i in items]


def list_in(
    s: Session,
    ctx: ServiceContext,
    meeting_id: int,
    referral_id: int,
    *,
    relisted_from_id: int | None = None,
    reason: str = "",
) -> AgendaItem:
    """List a case in the caller's unit of work, audited with it."""
    m = open_meeting(s, meeting_id)
    r = s.get(Referral, referral_id)
    if r is None:
        raise NotFound(f"case {referral_id} does not exist")
    clash = s.execute(
        select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting_id, AgendaItem.patient_id == r.patient_id
        )
    ).first()
    if clash is not None:
        raise ValidationError(
            {
                "agenda": "this patient is already on this meeting's agenda (one entry per "
                "patient per meeting)"
            }
        )
    items = list(
        s.execute(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).scalars()
    )
    rank = URGENCY_ORDER.get(str(r.urgency), 3)
    insert_at = len(items)
    for i, other in enumerate(items):
        if URGENCY_ORDER.get(str(other.referral.urgency), 3) > rank:
            insert_at = i
            break
    item = AgendaItem(
        meeting_id=m.id,
        referral_id=r.id,
        patient_id=r.patient_id,
        position=0,
        status=AgendaStatus.LISTED,
        reason=reason,
        relisted_from_id=relisted_from_id,
    )
    items.insert(insert_at, item)
    s.add(item)
    for pos, it in enumerate(items, start=1):
        if it.position != pos:
            it.position = pos
    move(r, CaseEvent.LISTED)
    s.flush()
    what = "relisted" if relisted_from_id else "listed"
    ctx.audit(
        s,
        "create",
        "agenda_item",
        item.id,
        f"case {r.id} {what} on meeting {m.id} at position {item.position}"
        + (f" (reason: {reason})" if reason else ""),
    )
    return item


def reorder(
    ctx: ServiceContext, meeting_id: int, ordered_item_ids: Sequence[int]
) -> list[AgendaEntry]:
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        open_meeting(s, meeting_id)
        items = {
            i.id: i
            for i in s.execute(
                select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)
            ).scalars()
        }
        if sorted(items) != sorted(ordered_item_ids):
            raise Conflict(
                "the agenda changed since it was shown; reload it and try again",
                entity="meeting",
                entity_id=meeting_id,
            )
        for pos, item_id in enumerate(ordered_item_ids, start=1):
            if items[item_id].position != pos:
                items[item_id].position = pos
        s.flush()
        ctx.audit(s, "update", "meeting", meeting_id, "agenda reordered")
        return [_entry(items[i]) for i in ordered_item_ids]


def sort_emergencies_first(ctx: ServiceContext, meeting_id: int) -> list[AgendaEntry]:
    current = agenda(ctx.db, meeting_id)
    ordered = sorted(current, key=lambda e: (URGENCY_ORDER.get(e.urgency, 3), e.position))
    return reorder(ctx, meeting_id, [e.id for e in ordered])


def remove_from_agenda(ctx: ServiceContext, item_id: int) -> None:
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        item = s.get(AgendaItem, item_id)
        if item is None:
            raise NotFound(f"agenda item {item_id} does not exist")
        open_meeting(s, item.meeting_id)
        if item.decisions:
            raise ValidationError({"agenda": "a case with a recorded decision cannot be removed"})
        referral = item.referral
        meeting_id = item.meeting_id
        s.delete(item)
        s.flush()
        rest = s.execute(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position)
        ).scalars()
        for pos, it in enumerate(rest, start=1):
            it.position = pos
        still_listed = s.execute(
            select(AgendaItem.id).where(
                AgendaItem.referral_id == referral.id, AgendaItem.status == AgendaStatus.LISTED
            )
        ).first()
        if still_listed is None:
            move(referral, CaseEvent.UNLISTED)
        ctx.audit(
            s,
            "delete",
            "agenda_item",
            item_id,
            f"case {referral.id} removed from meeting {meeting_id}",
        )


#: what marking an agenda entry does to its referral (domain.lifecycle)
_AGENDA_EVENTS = {
    AgendaStatus.DISCUSSED: CaseEvent.DISCUSSED,
    AgendaStatus.DEFERRED: CaseEvent.DEFERRED,
    AgendaStatus.WITHDRAWN: CaseEvent.WITHDRAWN,
}


def set_item_status(
    ctx: ServiceContext,
    item_id: int,
    status: AgendaStatus,
    reason: str,
    expected_version: int | None = None,
) -> AgendaEntry:
    """Defer or withdraw a listed case (a reason is required), or mark it discussed."""
    ctx.require(Permission.AGENDA_WRITE)
    if status in (AgendaStatus.DEFERRED, AgendaStatus.WITHDRAWN) and not reason.strip():
        raise ValidationError({"reason": f"a reason is required to mark a case {status.value}"})
    if problems := text_problems(AgendaItem, {"reason": reason}):
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        item = s.get(AgendaItem, item_id)
        if item is None:
            raise NotFound(f"agenda item {item_id} does not exist")
        open_meeting(s, item.meeting_id)
        if status != AgendaStatus.DISCUSSED and any(
            d.status != DecisionStatus.DRAFT for d in item.decisions
        ):
            raise ValidationError(
                {
                    "agenda": "this case has a signed-off decision: it stays discussed "
                    "(correct the decision with an amendment)"
                }
            )
        if expected_version is not None and item.version != expected_version:
            raise Conflict(
                "this agenda entry was changed by someone else",
                entity="agenda_item",
                entity_id=item_id,
            )
        old = item.status
        item.status = status
        item.reason = reason.strip()
        referral = item.referral
        event = _AGENDA_EVENTS.get(status)
        if event is not None:
            move(referral, event)
        s.flush()
        ctx.audit(
            s,
            "update",
            "agenda_item",
            item.id,
            f"case {referral.id}: {old} → {status.value}"
            + (f" ({reason.strip()})" if reason.strip() else ""),
        )
        return _entry(item)


def relist_candidates(db: Database) -> list[RelistCandidate]:
    """Deferred cases, and cases left undiscussed at a closed meeting, not yet relisted."""
    with db.reader() as s:
        relisted = select(AgendaItem.relisted_from_id).where(
            AgendaItem.relisted_from_id.is_not(None)
        )
        later_listing = (
            select(AgendaItem.id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.status == AgendaStatus.LISTED, Meeting.status != MeetingStatus.CLOSED)
        )
        rows = s.execute(
            select(AgendaItem, Meeting)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(
                AgendaItem.id.not_in(relisted),
                (AgendaItem.status == AgendaStatus.DEFERRED)
                | (
                    (AgendaItem.status == AgendaStatus.LISTED)
                    & (Meeting.status == MeetingStatus.CLOSED)
                ),
            )
            .order_by(Meeting.starts_at, AgendaItem.position)
        ).all()
        out = []
        for item, meeting in rows:
            listed_again = s.execute(
                later_listing.where(AgendaItem.referral_id == item.referral_id)
            ).first()
            if listed_again is not None:
                continue
            p = item.referral.patient
            out.append(
                RelistCandidate(
                    agenda_item_id=item.id,
                    referral_id=item.referral_id,
                    patient_name=f"{p.family_name.upper()}, {p.given_name}",
                    meeting_title=meeting.title,
                    meeting_at=meeting.starts_at,
                    status="undiscussed"
                    if item.status == AgendaStatus.LISTED
                    else str(item.status),
                    reason=item.reason or "not reached at the meeting",
                )
            )
        return out


def relist(ctx: ServiceContext, agenda_item_id: int, meeting_id: int) -> AgendaEntry:
    """List a deferred or undiscussed case on another meeting, keeping the reason
    (read and written in one unit of work)."""
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        item = relist_in(s, ctx, agenda_item_id, meeting_id)
        s.refresh(item)
        return _entry(item)


def relist_in(s: Session, ctx: ServiceContext, agenda_item_id: int, meeting_id: int) -> AgendaItem:
    old = s.get(AgendaItem, agenda_item_id)
    if old is None:
        raise NotFound(f"agenda item {agenda_item_id} does not exist")
    return list_in(
        s,
        ctx,
        meeting_id,
        old.referral_id,
        relisted_from_id=agenda_item_id,
        reason=old.reason or "not reached at the meeting",
    )


def next_planned_meeting(db: Database, meeting_id: int) -> MeetingSummary | None:
    """The first planned meeting after this one (where its open cases go next)."""
    with db.reader() as s:
        m = s.get(Meeting, meeting_id)
        if m is None:
            raise NotFound(f"meeting {meeting_id} does not exist")
        nxt = s.execute(
            select(Meeting)
            .where(
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at > m.starts_at,
                Meeting.id != m.id,
            )
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(1)
        ).scalar_one_or_none()
        if nxt is None:
            return None
        n = s.execute(select(func.count()).where(AgendaItem.meeting_id == nxt.id)).scalar_one()
        return _summary(nxt, int(n))


def patient_history(db: Database, patient_id: int) -> list[HistoryEntry]:
    """Every earlier MDT discussion of a patient, newest first, with the latest decision."""
    return patient_histories(db, [patient_id]).get(patient_id, [])


def patient_histories(db: Database, patient_ids: Iterable[int]) -> dict[int, list[HistoryEntry]]:
    """The MDT history of several patients at once (two queries, whatever their number)."""
    ids = sorted(set(patient_ids))
    out: dict[int, list[HistoryEntry]] = {pid: [] for pid in ids}
    if not ids:
        return out
    with db.reader() as s:
        rows: list[Any] = []
        for i in range(0, len(ids), 900):
            rows += s.execute(
                select(AgendaItem, Meeting, Referral)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .join(Referral, Referral.id == AgendaItem.referral_id)
                .where(AgendaItem.patient_id.in_(ids[i : i + 900]))
                .order_by(Meeting.starts_at.desc(), AgendaItem.id.desc())
            ).all()
        item_ids = [item.id for item, _m, _r in rows]
        latest: dict[int, Decision] = {}
        for i in range(0, len(item_ids), 900):
            for d in s.execute(
                select(Decision)
                .where(Decision.agenda_item_id.in_(item_ids[i : i + 900]))
                .order_by(Decision.agenda_item_id, Decision.revision)
            ).scalars():
                latest[d.agenda_item_id] = d  # the highest revision wins
        followed = _followup_texts(s, list(latest.values()))
        for item, meeting, referral in rows:
            last = latest.get(item.id)
            out[item.patient_id].append(
                HistoryEntry(
                    meeting_id=meeting.id,
                    meeting_at=meeting.starts_at,
                    meeting_title=meeting.title,
                    referral_id=referral.id,
                    question=referral.question,
                    agenda_status=str(item.status),
                    reason=item.reason,
                    decision_status=str(last.status) if last else "",
                    plan_text=last.plan_text if last else "",
                    followup=followed.get(last.id, "") if last else "",
                )
            )
    return out


def patient_of(db: Database, referral_id: int) -> int:
    with db.reader() as s:
        pid = s.execute(select(Referral.patient_id).where(Referral.id == referral_id)).scalar()
        if pid is None:
            raise NotFound(f"case {referral_id} does not exist")
        return int(pid)
