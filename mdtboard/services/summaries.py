"""Read models for documents: a whole meeting, or one case, gathered in a few queries.

The PDF reports and the meeting screens read these, so the GUI and the
paper always show the same data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from mdtboard.domain import histology, noms
from mdtboard.domain.readiness import Readiness
from mdtboard.services import decisions, readiness
from mdtboard.services.assessments import AssessmentView, assessment_view, scores_at
from mdtboard.services.decisions import AttendanceView, DecisionView, Quorum
from mdtboard.services.errors import NotFound
from mdtboard.services.meetings import MeetingSummary, get_meeting
from mdtboard.services.pathway import PathwayStatus, pathways_in
from mdtboard.services.protocols import protocol_view
from mdtboard.services.referrals import PatientView, patient_view
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Assessment, Decision, Referral

#: one recorded score as documents show it (the assessments service's read model)
ScoreLine = AssessmentView


@dataclass(frozen=True)
class CaseReport:
    agenda_item_id: int | None
    position: int
    agenda_status: str
    agenda_reason: str
    referral_id: int
    patient: PatientView
    urgency: str
    received_at: datetime
    referrer_name: str
    referrer_organisation: str
    gp_name: str
    gp_practice: str
    #: other recipients of the outcome letter, one per line
    copy_to: str
    question: str
    presenting_problem: str
    disease_kind: str
    histology_key: str
    histology_label: str
    primary_site: str
    compartment: str
    levels: tuple[str, ...]
    levels_text: str
    neuro_status: str
    imaging_date: date | None
    pathology_available: bool
    pathology_date: date | None
    biopsy_deferral_rationale: str
    scores: tuple[ScoreLine, ...]
    decision: DecisionView | None
    revisions: tuple[DecisionView, ...]
    readiness: Readiness | None
    #: the MSCC pathway's clocks when the case is on it (reference/scores.md §11)
    pathway: PathwayStatus | None = None
    #: listed as standard of care under this protocol ("" for a full discussion)
    protocol_title: str = ""

    @property
    def is_primary(self) -> bool:
        """A primary tumour: documents show the primary-tumour pathway, never NOMS (§9.4)."""
        return noms.case_kind(self.disease_kind, self.histology_key) == "primary"

    @property
    def signed_off(self) -> bool:
        return self.decision is not None and self.decision.status == "signed_off"


@dataclass(frozen=True)
class MeetingReport:
    meeting: MeetingSummary
    attendance: tuple[AttendanceView, ...]
    quorum: Quorum
    cases: tuple[CaseReport, ...]
    generated_at: datetime

    def by_status(self, status: str) -> tuple[CaseReport, ...]:
        return tuple(c for c in self.cases if c.agenda_status == status)


_ITEM_LOADS = (
    selectinload(AgendaItem.protocol),
    selectinload(AgendaItem.referral).selectinload(Referral.patient),
    selectinload(AgendaItem.referral).selectinload(Referral.levels),
    selectinload(AgendaItem.decisions).selectinload(Decision.modalities),
    selectinload(AgendaItem.decisions).selectinload(Decision.actions),
)


# One item: a single joined query instead of a query per relationship.
_ONE_ITEM_LOADS = (
    joinedload(AgendaItem.referral).joinedload(Referral.patient),
    joinedload(AgendaItem.referral).selectinload(Referral.levels),
    selectinload(AgendaItem.decisions).options(
        selectinload(Decision.modalities), selectinload(Decision.actions)
    ),
)


def _case(
    item: AgendaItem | None,
    r: Referral,
    scores: list[ScoreLine],
    revisions: list[DecisionView],
    ready: Readiness | None,
    pathway: PathwayStatus | None,
) -> CaseReport:
    latest = revisions[-1] if revisions else None
    scores = scores_at(scores, latest.signed_off_at if latest and latest.is_final else None)
    return CaseReport(
        agenda_item_id=item.id if item else None,
        position=item.position if item else 0,
        agenda_status=str(item.status) if item else "",
        agenda_reason=item.reason if item else "",
        referral_id=r.id,
        patient=patient_view(r.patient),
        urgency=str(r.urgency),
        received_at=r.received_at,
        referrer_name=r.referrer_name,
        referrer_organisation=r.referrer_organisation,
        gp_name=r.gp_name,
        gp_practice=r.gp_practice,
        copy_to=r.copy_to,
        question=r.question,
        presenting_problem=r.presenting_problem,
        disease_kind=str(r.disease_kind),
        histology_key=r.histology_key,
        histology_label=histology.label_for(r.histology_key),
        primary_site=r.primary_site,
        compartment=str(r.compartment),
        levels=tuple(lv.level for lv in r.levels),
        levels_text=r.levels_text,
        neuro_status=r.neuro_status,
        imaging_date=r.imaging_date,
        pathology_available=r.pathology_available,
        pathology_date=r.pathology_date,
        biopsy_deferral_rationale=r.biopsy_deferral_rationale,
        scores=tuple(scores),
        decision=revisions[-1] if revisions else None,
        revisions=tuple(revisions),
        readiness=ready,
        pathway=pathway,
        protocol_title=(
            protocol_view(item.protocol).label
            if item is not None and item.protocol is not None
            else ""
        ),
    )


def _scores_for(s: Any, referral_ids: list[int]) -> dict[int, list[ScoreLine]]:
    out: dict[int, list[ScoreLine]] = defaultdict(list)
    for i in range(0, len(referral_ids), 900):
        rows = s.execute(
            select(Assessment)
            .where(Assessment.referral_id.in_(referral_ids[i : i + 900]))
            .order_by(Assessment.referral_id, Assessment.tool_id, Assessment.subject, Assessment.id)
        ).scalars()
        for a in rows:
            out[a.referral_id].append(assessment_view(a))
    return out


def meeting_report(db: Database, meeting_id: int, *, with_readiness: bool = True) -> MeetingReport:
    meeting = get_meeting(db, meeting_id)
    with db.reader() as s:
        items = list(
            s.execute(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position, AgendaItem.id)
                .options(*_ITEM_LOADS)
            ).scalars()
        )
        scores = _scores_for(s, [i.referral_id for i in items])
        ready = (
            readiness.readiness_for(db, [i.referral_id for i in items]) if with_readiness else {}
        )
        clocks = pathways_in(s, [i.referral for i in items])
        cases = tuple(
            _case(
                i,
                i.referral,
                scores.get(i.referral_id, []),
                [decisions.to_view(d) for d in sorted(i.decisions, key=lambda d: d.revision)],
                ready.get(i.referral_id),
                clocks.get(i.referral_id),
            )
            for i in items
        )
    return MeetingReport(
        meeting=meeting,
        attendance=tuple(decisions.attendance(db, meeting_id)),
        quorum=decisions.quorum(db, meeting_id),
        cases=cases,
        generated_at=datetime.now(UTC),
    )


def case_report(db: Database, referral_id: int) -> tuple[CaseReport, MeetingSummary | None]:
    """The case with its most recent discussion (for the outcome letter)."""
    with db.reader() as s:
        r = s.get(Referral, referral_id)
        if r is None:
            raise NotFound(f"case {referral_id} does not exist")
        item = s.execute(
            select(AgendaItem)
            .where(AgendaItem.referral_id == referral_id)
            .join(Decision, Decision.agenda_item_id == AgendaItem.id)
            .order_by(AgendaItem.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        scores = _scores_for(s, [referral_id]).get(referral_id, [])
        revisions = (
            [decisions.to_view(d) for d in sorted(item.decisions, key=lambda d: d.revision)]
            if item
            else []
        )
        report = _case(item, r, scores, revisions, None, pathways_in(s, [r]).get(r.id))
        meeting_id = item.meeting_id if item else None
    return report, (get_meeting(db, meeting_id) if meeting_id is not None else None)


def agenda_case(db: Database, agenda_item_id: int) -> CaseReport:
    """One agenda item's case with scores and every decision revision (meeting mode)."""
    with db.reader() as s:
        item = s.get(AgendaItem, agenda_item_id, options=_ONE_ITEM_LOADS)
        if item is None:
            raise NotFound(f"agenda item {agenda_item_id} does not exist")
        scores = _scores_for(s, [item.referral_id]).get(item.referral_id, [])
        revisions = [decisions.to_view(d) for d in sorted(item.decisions, key=lambda d: d.revision)]
        pathway = pathways_in(s, [item.referral]).get(item.referral_id)
        return _case(item, item.referral, scores, revisions, None, pathway)


@dataclass(frozen=True)
class CaseDocument:
    """One case's latest discussion as the letter and the outcome form print it."""

    case: CaseReport
    meeting: MeetingSummary | None
    attendance: tuple[AttendanceView, ...]
    quorum: Quorum | None

    def member_role(self, name: str) -> str:
        """The role of the attendee called ``name`` (the signer), or "" when none is."""
        for a in self.attendance:
            if same_name(a.name, name):
                return a.role
        return ""


def _bare_name(text: str) -> str:
    text = text.strip()
    if text.endswith(")") and " (" in text:
        text = text[: text.rindex(" (")]
    return " ".join(text.casefold().split())


def same_name(a: str, b: str) -> bool:
    """Two typed names of one person: case, spacing and a trailing note in brackets
    ("(demo)") ignored; an empty name matches nobody."""
    bare = _bare_name(a)
    return bool(bare) and bare == _bare_name(b)


def case_document(db: Database, referral_id: int) -> CaseDocument:
    case, meeting = case_report(db, referral_id)
    if meeting is None:
        return CaseDocument(case, None, (), None)
    return CaseDocument(
        case,
        meeting,
        tuple(decisions.attendance(db, meeting.id)),
        decisions.quorum(db, meeting.id),
    )
