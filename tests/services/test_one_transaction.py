"""One user action, one transaction: Save, Amend and Close meeting write everything
they change together or nothing at all — whichever of their writes fails (fictional
data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.services import assessments, decisions, meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import (
    ActionInput,
    DecisionInput,
    ModalityInput,
    ScoreChange,
)
from mdtboard.services.errors import Conflict, ServiceError, ValidationError
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.models import AgendaItem, Assessment, AuditEvent, Decision, Meeting

PLAN = DecisionInput(
    intent="palliative",
    plan_text="Conventional radiotherapy 20 Gy in 5 fractions.",
    rationale="Radiosensitive histology, stable spine.",
    modalities=(ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),),
    actions=(ActionInput("Book radiotherapy planning", "Dr Amara Stonebridge (demo)"),),
)


def _counts(ctx: ServiceContext) -> dict[str, Any]:
    """What a failed action must leave exactly as it was."""
    with ctx.db.reader() as s:
        return {
            "audit": s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            "assessments": s.execute(
                select(Assessment.id, Assessment.version, Assessment.total).order_by(Assessment.id)
            ).all(),
            "decisions": s.execute(
                select(Decision.id, Decision.version, Decision.status, Decision.plan_text).order_by(
                    Decision.id
                )
            ).all(),
            "items": s.execute(
                select(AgendaItem.id, AgendaItem.meeting_id, AgendaItem.status).order_by(
                    AgendaItem.id
                )
            ).all(),
            "meetings": s.execute(select(Meeting.id, Meeting.status).order_by(Meeting.id)).all(),
        }


def _meeting(ctx: ServiceContext, title: str, days: int) -> int:
    return meetings.create_meeting(
        ctx, title=title, starts_at=datetime.now(UTC) + timedelta(days=days)
    ).id


@pytest.fixture
def case(ctx: ServiceContext) -> tuple[int, int]:
    """(agenda item, referral) of a new case listed on a meeting tomorrow."""
    rid = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0].referral_id
    return meetings.list_case(ctx, _meeting(ctx, "One transaction", 1), rid).id, rid


# --- Save -------------------------------------------------------------------------


def test_save_writes_scores_and_draft_with_one_audit_event(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, rid = case
    before = _counts(ctx)["audit"]
    saved = decisions.save_case(
        ctx,
        item,
        PLAN,
        [ScoreChange("kps", {"kps": 70}), ScoreChange("frankel", {"grade": "d"})],
    )
    assert [v.tool_id for v in saved.scores] == ["kps", "frankel"]
    stored = {a.tool_id: a for a in assessments.list_assessments(ctx.db, rid)}
    # reference/scores.md §8.1: frankel is grade-only, its band the option key
    assert stored["kps"].total == 70 and stored["frankel"].band == "d"
    assert decisions.current_decision(ctx.db, item).data.plan_text == PLAN.plan_text  # type: ignore[union-attr]
    with ctx.db.reader() as s:
        events = s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()[before:]
    assert len(events) == 1 and events[0].entity == "decision"
    assert "kps" in events[0].summary.lower() and "frankel" in events[0].summary.lower()


def test_save_with_a_draft_conflict_stores_none_of_its_scores(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, _ = case
    decisions.save_draft(ctx, item, PLAN)  # another workstation's first autosave
    before = _counts(ctx)
    with pytest.raises(Conflict):  # this one opened the case before that draft existed
        decisions.save_case(
            ctx, item, DecisionInput(plan_text="mine"), [ScoreChange("kps", {"kps": 40})], None
        )
    assert _counts(ctx) == before


def test_save_whose_second_score_is_stale_stores_neither(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, rid = case
    kps = assessments.record_assessment(ctx, rid, "kps", {"kps": 80})
    assessments.record_assessment(  # changed meanwhile on another workstation
        ctx, rid, "kps", {"kps": 60}, assessment_id=kps.id, expected_version=kps.version
    )
    before = _counts(ctx)
    with pytest.raises(Conflict):
        decisions.save_case(
            ctx,
            item,
            PLAN,
            [
                ScoreChange("frankel", {"grade": "e"}),
                ScoreChange("kps", {"kps": 30}, assessment_id=kps.id, expected_version=kps.version),
            ],
        )
    assert _counts(ctx) == before


def test_save_failing_at_the_draft_write_stores_none_of_its_scores(
    ctx: ServiceContext, case: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault after the scores are written (here: the draft's own write) rolls them back."""
    item, _ = case
    before = _counts(ctx)

    def broken(*_a: Any, **_k: Any) -> None:
        raise ValidationError({"plan": "injected failure of the draft write"})

    monkeypatch.setattr(decisions, "_fill", broken)
    with pytest.raises(ValidationError, match="injected"):
        decisions.save_case(ctx, item, PLAN, [ScoreChange("kps", {"kps": 50})])
    assert _counts(ctx) == before


# --- Amend ------------------------------------------------------------------------


def test_amend_with_a_plan_error_stores_none_of_its_scores(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, _ = case
    draft = decisions.save_draft(ctx, item, PLAN)
    signed = decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    before = _counts(ctx)
    bad = DecisionInput(  # a dose that is no regimen: an error, so no amendment
        intent="palliative",
        plan_text="changed",
        modalities=(ModalityInput("cebrt", {"dose_gy": 0, "fractions": 0}),),
    )
    with pytest.raises(ValidationError):
        decisions.amend_case(
            ctx, item, signed.version, bad, "typo", [ScoreChange("kps", {"kps": 40})]
        )
    assert _counts(ctx) == before


def test_amend_saves_its_scores_with_the_new_revision(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, rid = case
    draft = decisions.save_draft(ctx, item, PLAN)
    signed = decisions.sign_off(ctx, item, draft.version, "Ms Chair (demo)")
    before = _counts(ctx)["audit"]
    saved = decisions.amend_case(
        ctx, item, signed.version, PLAN, "KPS re-examined", [ScoreChange("kps", {"kps": 60})]
    )
    assert saved.decision.revision == 2 and saved.scores[0].total == 60
    assert any(a.total == 60 for a in assessments.list_assessments(ctx.db, rid))
    assert _counts(ctx)["audit"] == before + 1


# --- Close and relist ------------------------------------------------------------------


def _meeting_of(ctx: ServiceContext, item: int) -> int:
    with ctx.db.reader() as s:
        return int(s.get(AgendaItem, item).meeting_id)  # type: ignore[union-attr]


def test_close_and_relist_moves_every_open_case_at_once(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, rid = case
    meeting_id = _meeting_of(ctx, item)
    other = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0].referral_id
    second = meetings.list_case(ctx, meeting_id, other).id
    meetings.set_item_status(ctx, item, AgendaStatus.DEFERRED, "Awaiting biopsy")
    later = _meeting(ctx, "Next week", 8)

    result = decisions.close_and_relist(ctx, meeting_id, later)
    assert result.deferred == (item,) and result.undiscussed == (second,)
    assert len(result.relisted) == 2 and result.relisted_to == later
    listed = {e.referral_id: e for e in meetings.agenda(ctx.db, later)}
    assert set(listed) == {rid, other}
    assert listed[rid].reason == "Awaiting biopsy" and listed[rid].relisted_from_id == item
    assert meetings.get_meeting(ctx.db, meeting_id).status == "closed"
    assert not {item, second} & {c.agenda_item_id for c in meetings.relist_candidates(ctx.db)}


def test_close_whose_second_relisting_fails_closes_nothing(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, _ = case
    meeting_id = _meeting_of(ctx, item)
    other = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0].referral_id
    meetings.list_case(ctx, meeting_id, other)
    meetings.set_item_status(ctx, item, AgendaStatus.DEFERRED, "Awaiting biopsy")
    later = _meeting(ctx, "Next week", 8)
    meetings.list_case(ctx, later, other)  # already there: its relisting must fail
    before = _counts(ctx)
    with pytest.raises(ValidationError, match="already on this meeting"):
        decisions.close_and_relist(ctx, meeting_id, later)
    assert _counts(ctx) == before
    assert meetings.get_meeting(ctx.db, meeting_id).status != "closed"


def test_close_cannot_relist_onto_itself_or_a_closed_meeting(
    ctx: ServiceContext, case: tuple[int, int]
) -> None:
    item, _ = case
    meeting_id = _meeting_of(ctx, item)
    meetings.set_item_status(ctx, item, AgendaStatus.DEFERRED, "Awaiting biopsy")
    with pytest.raises(ValidationError, match="another meeting"):
        decisions.close_and_relist(ctx, meeting_id, meeting_id)
    earlier = _meeting(ctx, "Already held", 2)
    decisions.close_meeting(ctx, earlier)
    before = _counts(ctx)
    with pytest.raises(ServiceError):
        decisions.close_and_relist(ctx, meeting_id, earlier)
    assert _counts(ctx) == before


def test_next_planned_meeting_skips_closed_and_earlier_meetings(ctx: ServiceContext) -> None:
    # a year on, beyond any meeting of the demo data
    base = _meeting(ctx, "Base", 400)
    _meeting(ctx, "Before it", 399)
    closed = _meeting(ctx, "Closed one", 403)
    decisions.close_meeting(ctx, closed)
    far = _meeting(ctx, "Far", 420)
    near = _meeting(ctx, "Near", 406)
    found = meetings.next_planned_meeting(ctx.db, base)
    assert found is not None and found.id == near
    assert meetings.next_planned_meeting(ctx.db, far) is None
