"""Decisions: drafts, sign-off is final, amendments keep history (fictional data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mdtboard.domain.vocab import AgendaStatus, AttendanceStatus, Role
from mdtboard.services import assessments, decisions, meetings, members, summaries
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.decisions import ActionInput, DecisionInput, ModalityInput
from mdtboard.services.errors import PermissionDenied, ValidationError
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.models import AgendaItem, AuditEvent, Decision

PLAN = DecisionInput(
    intent="palliative",
    plan_text="Conventional radiotherapy 20 Gy in 5 fractions; palliative care review.",
    rationale="Radiosensitive histology, stable spine.",
    modalities=(ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),),
    actions=(ActionInput("Book radiotherapy planning", "Dr Amara Stonebridge (demo)"),),
)


@pytest.fixture
def item(ctx: ServiceContext) -> int:
    m = meetings.create_meeting(
        ctx, title="Decision test", starts_at=datetime.now(UTC) + timedelta(days=1)
    )
    rid = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0].referral_id
    return meetings.list_case(ctx, m.id, rid).id


def make_quorate(ctx: ServiceContext, meeting_id: int) -> None:
    for mv in members.list_members(ctx.db):
        decisions.set_attendance(ctx, meeting_id, mv.id, AttendanceStatus.PRESENT)


def test_sign_off_is_final(ctx: ServiceContext, item: int) -> None:
    draft = decisions.save_draft(ctx, item, PLAN)
    signed = decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    assert signed.status == "signed_off" and signed.signed_off_at is not None
    with pytest.raises(ValidationError, match="cannot be edited"):
        decisions.save_draft(ctx, item, DecisionInput(plan_text="changed"), signed.version)
    with pytest.raises(ValidationError, match="already signed off"):
        decisions.sign_off(ctx, item, signed.version, "Ms Chair (demo)")
    assert decisions.current_decision(ctx.db, item).data.plan_text == PLAN.plan_text  # type: ignore[union-attr]


def test_a_signed_off_case_cannot_be_deferred_or_withdrawn(ctx: ServiceContext, item: int) -> None:
    draft = decisions.save_draft(ctx, item, PLAN)
    decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    for status in (AgendaStatus.DEFERRED, AgendaStatus.WITHDRAWN):
        with pytest.raises(ValidationError, match="signed-off decision"):
            meetings.set_item_status(ctx, item, status, "changed our minds")
    entry = next(e for e in meetings.agenda(ctx.db, _meeting_of(ctx, item)) if e.id == item)
    assert entry.status == AgendaStatus.DISCUSSED


def test_a_closed_meetings_agenda_cannot_change(ctx: ServiceContext, item: int) -> None:
    meeting_id = _meeting_of(ctx, item)
    decisions.close_meeting(ctx, meeting_id)
    with pytest.raises(ValidationError, match="closed"):
        meetings.set_item_status(ctx, item, AgendaStatus.WITHDRAWN, "after the meeting")


def test_scores_a_decision_was_signed_on_stay_with_it(ctx: ServiceContext, item: int) -> None:
    meeting_id = _meeting_of(ctx, item)
    rid, kps = _signed_off_with_kps(ctx, item, 80)

    later = assessments.record_assessment(
        ctx, rid, "kps", {"kps": 40}, assessment_id=kps.id, expected_version=kps.version
    )
    assert later.id != kps.id  # a new score; the signed-off one is kept as it was
    stored = {a.id: a.total for a in assessments.list_assessments(ctx.db, rid)}
    assert stored[kps.id] == 80 and stored[later.id] == 40

    signed_case = next(
        c for c in summaries.meeting_report(ctx.db, meeting_id).cases if c.referral_id == rid
    )
    assert [(s.tool_id, s.total) for s in signed_case.scores if s.tool_id == "kps"] == [("kps", 80)]
    letter_case, _ = summaries.case_report(ctx.db, rid)
    assert [s.total for s in letter_case.scores if s.tool_id == "kps"] == [80]

    nxt = meetings.create_meeting(
        ctx, title="Re-discussion", starts_at=datetime.now(UTC) + timedelta(days=8)
    )
    again = meetings.list_case(ctx, nxt.id, rid)
    fresh = summaries.agenda_case(ctx.db, again.id)  # a new discussion sees the latest
    assert [s.total for s in fresh.scores if s.tool_id == "kps"] == [40]


def _signed_off_with_kps(
    ctx: ServiceContext, item: int, kps: int
) -> tuple[int, assessments.AssessmentView]:
    """A KPS recorded for the item's case, then its decision signed off."""
    rid = next(
        e.referral_id for e in meetings.agenda(ctx.db, _meeting_of(ctx, item)) if e.id == item
    )
    score = assessments.record_assessment(ctx, rid, "kps", {"kps": kps})
    draft = decisions.save_draft(ctx, item, PLAN)
    decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    return rid, score


def _meeting_of(ctx: ServiceContext, item: int) -> int:
    with ctx.db.reader() as s:
        return int(
            s.execute(select(AgendaItem.meeting_id).where(AgendaItem.id == item)).scalar_one()
        )


def test_not_quorate_is_flagged_not_forbidden(ctx: ServiceContext, item: int) -> None:
    draft = decisions.save_draft(ctx, item, PLAN)
    signed = decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    assert signed.quorate is False


def test_quorum_counts_core_roles(ctx: ServiceContext, item: int) -> None:
    meeting_id = next(m for m in meetings.list_meetings(ctx.db) if m.title == "Decision test").id
    assert not decisions.quorum(ctx.db, meeting_id).quorate
    make_quorate(ctx, meeting_id)
    q = decisions.quorum(ctx.db, meeting_id)
    assert q.quorate and q.missing_roles == ()
    radiologist = next(m for m in members.list_members(ctx.db) if m.role == Role.RADIOLOGIST)
    q = decisions.set_attendance(ctx, meeting_id, radiologist.id, AttendanceStatus.APOLOGIES)
    assert q.missing_roles == ("radiologist",)


def test_plan_errors_block_sign_off(ctx: ServiceContext, item: int) -> None:
    bad = DecisionInput(
        intent="palliative",
        plan_text="SBRT",
        modalities=(ModalityInput("sbrt", {"dose_gy": 30, "fractions": 10}),),
    )
    draft = decisions.save_draft(ctx, item, bad)
    with pytest.raises(ValidationError):
        decisions.sign_off(ctx, item, draft.version, "Chair")
    assert decisions.current_decision(ctx.db, item).status == "draft"  # type: ignore[union-attr]


def test_amendment_keeps_the_earlier_version(ctx: ServiceContext, item: int) -> None:
    draft = decisions.save_draft(ctx, item, PLAN)
    signed = decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    with pytest.raises(ValidationError, match="reason"):
        decisions.amend(ctx, item, signed.version, PLAN, "  ")
    new_plan = DecisionInput(
        intent="palliative",
        plan_text="Single 8 Gy fraction instead.",
        modalities=(ModalityInput("cebrt", {"dose_gy": 8, "fractions": 1}),),
    )
    amended = decisions.amend(ctx, item, signed.version, new_plan, "Patient prefers one visit")
    history = decisions.versions(ctx.db, item)
    assert [v.revision for v in history] == [1, 2]
    assert history[0].status == "amended" and history[0].data.plan_text == PLAN.plan_text
    assert history[1].status == "signed_off" and history[1].amendment_reason
    assert amended.supersedes_id == history[0].id
    with ctx.db.reader() as s:
        events = (
            s.execute(select(AuditEvent.action).where(AuditEvent.entity == "decision"))
            .scalars()
            .all()
        )
    assert "amend" in events and "sign_off" in events


def test_only_chairs_sign_off(ctx: ServiceContext, item: int) -> None:
    clinician = ServiceContext(ctx.db, Actor("dr.who", "clinician"))
    draft = decisions.save_draft(clinician, item, PLAN)
    with pytest.raises(PermissionDenied):
        decisions.sign_off(clinician, item, draft.version, "Dr Who")
    viewer = ServiceContext(ctx.db, Actor("viewer", "read_only"))
    with pytest.raises(PermissionDenied):
        decisions.save_draft(viewer, item, PLAN)
    with ctx.db.reader() as s:
        assert (
            s.execute(select(Decision.status).where(Decision.agenda_item_id == item)).scalar_one()
            == "draft"
        )


def test_close_meeting_summarises(ctx: ServiceContext) -> None:
    m = meetings.create_meeting(
        ctx, title="Close test", starts_at=datetime.now(UTC) + timedelta(days=1)
    )
    ids = [r.referral_id for r in fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 3)]
    items = [meetings.list_case(ctx, m.id, rid).id for rid in ids]
    draft = decisions.save_draft(ctx, items[0], PLAN)
    decisions.sign_off(ctx, items[0], draft.version, "Chair")
    from mdtboard.domain.vocab import AgendaStatus

    meetings.set_item_status(ctx, items[1], AgendaStatus.DEFERRED, "Awaiting biopsy")
    summary = decisions.close_meeting(ctx, m.id)
    assert summary.discussed == (items[0],)
    assert summary.deferred == (items[1],)
    assert summary.undiscussed == (items[2],)
    offered = {c.agenda_item_id for c in meetings.relist_candidates(ctx.db)}
    assert {items[1], items[2]} <= offered


def test_a_guest_is_recorded_but_does_not_make_the_quorum(ctx: ServiceContext, item: int) -> None:
    meeting_id = _meeting_of(ctx, item)
    for mv in members.list_members(ctx.db):
        status = (
            AttendanceStatus.APOLOGIES if mv.role == Role.PATHOLOGIST else AttendanceStatus.PRESENT
        )
        decisions.set_attendance(ctx, meeting_id, mv.id, status)
    assert decisions.quorum(ctx.db, meeting_id).missing_roles == ("pathologist",)
    guest = decisions.add_guest(ctx, meeting_id, "Dr Visiting Pathologist (demo)", "pathologist")
    assert guest.status == "guest"
    rows = {a.name: a.status for a in decisions.attendance(ctx.db, meeting_id)}
    assert rows["Dr Visiting Pathologist (demo)"] == "guest"
    assert not decisions.quorum(ctx.db, meeting_id).quorate  # a visitor is not the team
    assert "Dr Visiting Pathologist (demo)" not in {
        m.name for m in members.list_members(ctx.db) if m.active
    }
    with pytest.raises(ValidationError, match="name"):
        decisions.add_guest(ctx, meeting_id, "  ", "other")


def test_two_workstations_changing_a_signed_off_score_conflict(
    ctx: ServiceContext, item: int
) -> None:
    from mdtboard.services.errors import Conflict

    rid, kps = _signed_off_with_kps(ctx, item, 80)
    alice = assessments.record_assessment(
        ctx, rid, "kps", {"kps": 50}, assessment_id=kps.id, expected_version=kps.version
    )
    with pytest.raises(Conflict):  # Bob still had the signed-off version open
        assessments.record_assessment(
            ctx, rid, "kps", {"kps": 30}, assessment_id=kps.id, expected_version=kps.version
        )
    totals = {
        a.id: a.total for a in assessments.list_assessments(ctx.db, rid) if a.tool_id == "kps"
    }
    assert totals[alice.id] == 50 and 30 not in totals.values()


def test_a_deferred_case_with_an_autosaved_draft_does_not_stop_the_meeting_closing(
    ctx: ServiceContext, item: int
) -> None:
    """Meeting mode autosaves a draft as soon as anything is typed; deferring the case
    (what the refusal message itself advises) must then let the meeting close."""
    decisions.save_draft(ctx, item, DecisionInput(plan_text="started, then deferred"))
    meeting_id = _meeting_of(ctx, item)
    with pytest.raises(ValidationError, match="still drafts"):
        decisions.close_meeting(ctx, meeting_id)  # an undecided draft still blocks
    meetings.set_item_status(ctx, item, AgendaStatus.DEFERRED, "awaiting the MRI")
    summary = decisions.close_meeting(ctx, meeting_id)
    assert item in summary.deferred
    assert decisions.versions(ctx.db, item)[-1].status == "draft"  # kept, not signed


def test_s9_4_noms_band_comes_from_the_stored_scores_never_from_the_client(
    ctx: ServiceContext,
) -> None:
    """reference/scores.md §9.1 and §9.4 (D16): the service computes the band from the
    case's scores and histology; a primary tumour stores none, whatever the client sent."""
    m = meetings.create_meeting(
        ctx, title="NOMS by the service", starts_at=datetime.now(UTC) + timedelta(hours=3)
    )
    chordoma = fetch_cases(ctx.db, CaseQuery(search="chordoma"), 0, 1)[0]
    renal = next(
        r for r in fetch_cases(ctx.db, CaseQuery(search="renal"), 0, 50) if r.status == "new"
    )
    for case in (chordoma, renal):
        meetings.list_case(ctx, m.id, case.referral_id)
    assessments.record_assessment(ctx, renal.referral_id, "escc", {"grade": "3"})
    items = {e.referral_id: e.id for e in meetings.agenda(ctx.db, m.id)}
    claimed = DecisionInput(plan_text="x", noms_band="sbrt", fit_for_surgery=True)
    primary = decisions.save_draft(ctx, items[chordoma.referral_id], claimed)
    assert primary.data.noms_band is None  # §9.4: no NOMS band for a primary tumour
    metastasis = decisions.save_draft(ctx, items[renal.referral_id], claimed)
    # §9.1 row 3: radioresistant, high grade (ESCC 3), fit → separation surgery then SBRT
    assert metastasis.data.noms_band == "separation_surgery_then_sbrt"
    unfit = decisions.save_draft(
        ctx,
        items[renal.referral_id],
        DecisionInput(plan_text="x", noms_band="sbrt", fit_for_surgery=False),
        metastasis.version,
    )
    assert unfit.data.noms_band == "cebrt"  # §9.1 row 4 (D11)
