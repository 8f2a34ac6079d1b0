"""Standard-of-care listing (issue 19 part 7): protocols kept by an administrator,
cases listed under one, confirmed together by the chair, each signed off and sealed like
a discussed case. All data is fictional."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from mdtboard.services import decisions, meetings, metrics, protocols, seals
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import PermissionDenied, ValidationError
from mdtboard.services.protocols import ProtocolInput
from mdtboard.store import audit
from mdtboard.store.models import AuditEvent

RT = ProtocolInput(
    "Single-fraction radiotherapy for painful uncomplicated bone metastasis (fictional)",
    "8 Gy in 1 fraction to the painful level; no MDT discussion needed when SINS < 7 and "
    "ESCC 0-1b (fictional protocol text).",
    "1.0",
    "Fictional MDT governance group",
    date(2026, 6, 1),
)


def planned(ctx: ServiceContext) -> int:
    return next(m.id for m in meetings.list_meetings(ctx.db) if m.status == "planned")


def test_an_administrator_keeps_the_protocols(ctx: ServiceContext) -> None:
    p = protocols.save_protocol(ctx, RT)
    assert p.label.endswith("(version 1.0)") and p.active
    assert [x.id for x in protocols.list_protocols(ctx.db)] == [p.id]
    with pytest.raises(ValidationError, match="already has that version"):
        protocols.save_protocol(ctx, RT)
    two = protocols.save_protocol(ctx, ProtocolInput(RT.title, RT.text, "2.0", RT.approved_by,
                                                     date(2026, 11, 1)))  # fmt: skip
    protocols.save_protocol(ctx, RT, protocol_id=p.id, expected_version=p.version, active=False)
    assert [x.id for x in protocols.list_protocols(ctx.db)] == [two.id]  # 1.0 retired
    assert len(protocols.list_protocols(ctx.db, include_inactive=True)) == 2
    bad = ProtocolInput("", "", "", "", None)
    with pytest.raises(ValidationError) as e:
        protocols.save_protocol(ctx, bad)
    assert set(e.value.problems) == {"title", "text", "version_label", "approved_by",
                                     "approved_on"}  # fmt: skip
    coordinator = ServiceContext(ctx.db, Actor("coord", "coordinator"))
    with pytest.raises(PermissionDenied):
        protocols.save_protocol(coordinator, RT)


def test_cases_listed_under_a_protocol_are_confirmed_together_and_sealed(
    ctx: ServiceContext,
) -> None:
    p = protocols.save_protocol(ctx, RT)
    mid = planned(ctx)
    first, second, third = meetings.agenda(ctx.db, mid)[:3]
    coordinator = ServiceContext(ctx.db, Actor("coord", "coordinator"))
    protocols.list_under_protocol(coordinator, first.id, p.id)
    protocols.list_under_protocol(coordinator, second.id, p.id)
    entries = {e.id: e for e in meetings.agenda(ctx.db, mid)}
    assert entries[first.id].standard_of_care and p.title in entries[first.id].protocol_title
    assert not entries[third.id].standard_of_care
    with pytest.raises(ValidationError, match="start the meeting"):
        decisions.confirm_standard_of_care(ctx, mid, [first.id, second.id], "Dr Chair (demo)")
    decisions.start_meeting(ctx, mid)
    with pytest.raises(ValidationError, match="full discussion"):  # all or nothing
        decisions.confirm_standard_of_care(ctx, mid, [first.id, third.id], "Dr Chair (demo)")
    assert decisions.current_decision(ctx.db, first.id) is None
    done = decisions.confirm_standard_of_care(ctx, mid, [first.id, second.id], "Dr Chair (demo)")
    assert [d.status for d in done] == ["signed_off", "signed_off"]
    assert all(d.data.plan_text.startswith(f"Standard of care: {RT.title}, version 1.0")
               for d in done)  # fmt: skip
    assert all(d.seal_code for d in done)
    after = {e.id: e for e in meetings.agenda(ctx.db, mid)}
    assert after[first.id].status == "discussed" and after[second.id].status == "discussed"
    with ctx.db.reader() as s:
        assert seals.verify(s, audit.load_key(create=False)).ok
        events = s.execute(
            select(AuditEvent.summary).where(AuditEvent.action == "create",
                                             AuditEvent.entity == "decision")
        ).scalars().all()  # fmt: skip
        assert sum("standard of care confirmed" in e for e in events) == 2
    with pytest.raises(ValidationError, match="already"):
        decisions.confirm_standard_of_care(ctx, mid, [first.id], "Dr Chair (demo)")
    with pytest.raises(ValidationError, match="already"):
        protocols.list_under_protocol(coordinator, first.id, None)


def test_a_retired_protocol_cannot_be_chosen(ctx: ServiceContext) -> None:
    p = protocols.save_protocol(ctx, RT)
    protocols.save_protocol(ctx, RT, protocol_id=p.id, expected_version=p.version, active=False)
    item = meetings.agenda(ctx.db, planned(ctx))[0]
    with pytest.raises(ValidationError, match="current protocol"):
        protocols.list_under_protocol(ctx, item.id, p.id)


def test_metrics_count_the_standard_of_care_cases(ctx: ServiceContext) -> None:
    p = protocols.save_protocol(ctx, RT)
    mid = planned(ctx)
    item = meetings.agenda(ctx.db, mid)[0]
    protocols.list_under_protocol(ctx, item.id, p.id)
    when = meetings.get_meeting(ctx.db, mid).starts_at.astimezone().date()
    m = metrics.compute(ctx.db, when, when)
    assert m.cases_standard_of_care == 1
    assert m.as_json()["cases"]["standard_of_care"] == 1


def test_the_agenda_lists_standard_of_care_cases_in_their_own_section(
    ctx: ServiceContext, tmp_path: object
) -> None:
    import re
    from pathlib import Path

    from pypdf import PdfReader

    from mdtboard.reports import build_agenda
    from mdtboard.services import summaries

    p = protocols.save_protocol(ctx, RT)
    mid = planned(ctx)
    entries = meetings.agenda(ctx.db, mid)
    protocols.list_under_protocol(ctx, entries[0].id, p.id)
    out = build_agenda(summaries.meeting_report(ctx.db, mid), Path(str(tmp_path)) / "a.pdf")
    text = re.sub(r"\s+", " ", " ".join(pg.extract_text() or "" for pg in PdfReader(out).pages))
    assert f"Cases ({len(entries) - 1})" in text
    section = text[text.index("Standard of care — listed and recorded") :]
    assert "(1)" in section[:90] and entries[0].mrn in section and "version 1.0" in section
    assert entries[1].mrn not in section
