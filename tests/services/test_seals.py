"""Seals through the services on both engines: sign-off and amendment seal, ordinary
work after sign-off keeps the seals whole (issue 15, part 2). Fictional data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mdtboard.services import assessments, audit_log, decisions, meetings, seals
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store import audit
from mdtboard.store.models import Decision

PLAN = DecisionInput(
    intent="palliative",
    plan_text="cEBRT 20 Gy in 5 fractions (fictional)",
    modalities=(ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),),
)


def test_sign_off_and_amendment_are_sealed_and_later_work_keeps_them_whole(
    ctx: ServiceContext,
) -> None:
    assert audit_log.verify(ctx).ok  # the demo's own sign-offs are sealed
    m = meetings.create_meeting(
        ctx, title="Seal test", starts_at=datetime.now(UTC) - timedelta(minutes=30)
    )
    case = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0]
    item = meetings.list_case(ctx, m.id, case.referral_id)
    draft = decisions.save_draft(ctx, item.id, PLAN)
    signed = decisions.sign_off(ctx, item.id, draft.version, "Ms Chair (demo)")
    with ctx.db.reader() as s:
        row = s.get(Decision, signed.id)
        assert row is not None and row.seal is not None and len(row.seal) == 8
    report = audit_log.verify(ctx)
    assert report.ok and report.seals.checked >= 1, report.seals.problems
    # a score recorded after sign-off is a new score: the signed one stays as it was
    assessments.record_assessment(ctx, case.referral_id, "kps", {"kps": 40})
    assert audit_log.verify(ctx).ok
    amended = decisions.amend(
        ctx,
        item.id,
        signed.version,
        DecisionInput(**{**PLAN.__dict__, "plan_text": "cEBRT 8 Gy single fraction"}),
        "Dose changed after review (fictional)",
    )
    report = audit_log.verify(ctx)
    assert report.ok, report.seals.problems
    with ctx.db.reader() as s:
        old = s.get(Decision, signed.id)
        new = s.get(Decision, amended.id)
        assert old is not None and new is not None
        assert str(old.status) == "amended" and old.seal and new.seal
        assert seals.verify(s, audit.load_key(create=False)).checked == report.seals.checked
