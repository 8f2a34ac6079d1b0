"""Meetings and agenda through the services (fictional demo data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.worklist import CaseQuery, fetch_cases


def future(days: int = 3) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


def unlisted_cases(ctx: ServiceContext) -> list[int]:
    rows = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready"), sort="received"), 0, 100)
    return [r.referral_id for r in rows]


def test_create_meeting_and_weekly_series(ctx: ServiceContext) -> None:
    m = meetings.create_meeting(ctx, title="Extra MDT", starts_at=future())
    assert m.status == "planned"
    series = meetings.create_weekly_series(ctx, title="Weekly", first_starts_at=future(1), weeks=4)
    gaps = {b.starts_at - a.starts_at for a, b in pairwise(series)}
    assert gaps == {timedelta(days=7)}
    with pytest.raises(ValidationError) as exc:
        meetings.create_meeting(ctx, title=" ", starts_at=future())
    assert "title" in exc.value.problems


def test_emergencies_go_first_and_one_entry_per_patient(ctx: ServiceContext) -> None:
    m = meetings.create_meeting(ctx, title="Test MDT", starts_at=future())
    ids = unlisted_cases(ctx)
    rows = {r.referral_id: r for r in fetch_cases(ctx.db, CaseQuery(), 0, 100)}
    routine = next(i for i in ids if rows[i].urgency == "routine")
    mscc = next(i for i in ids if rows[i].urgency == "mscc")
    meetings.list_case(ctx, m.id, routine)
    meetings.list_case(ctx, m.id, mscc)
    agenda = meetings.agenda(ctx.db, m.id)
    assert [e.referral_id for e in agenda] == [mscc, routine]
    with pytest.raises(ValidationError, match="already on this meeting"):
        meetings.list_case(ctx, m.id, routine)


def test_reorder_defer_and_relist_keeps_reason(ctx: ServiceContext) -> None:
    m = meetings.create_meeting(ctx, title="Test MDT", starts_at=future())
    later = meetings.create_meeting(ctx, title="Later MDT", starts_at=future(10))
    for rid in unlisted_cases(ctx)[:3]:
        meetings.list_case(ctx, m.id, rid)
    entries = meetings.agenda(ctx.db, m.id)
    new_order = [entries[2].id, entries[0].id, entries[1].id]
    assert [e.id for e in meetings.reorder(ctx, m.id, new_order)] == new_order
    assert [e.position for e in meetings.agenda(ctx.db, m.id)] == [1, 2, 3]
    with pytest.raises(ValidationError, match="reason"):
        meetings.set_item_status(ctx, new_order[0], AgendaStatus.DEFERRED, "  ")
    meetings.set_item_status(ctx, new_order[0], AgendaStatus.DEFERRED, "Awaiting PET-CT")
    offered = {c.agenda_item_id: c for c in meetings.relist_candidates(ctx.db)}
    assert offered[new_order[0]].reason == "Awaiting PET-CT"
    entry = meetings.relist(ctx, new_order[0], later.id)
    assert entry.reason == "Awaiting PET-CT" and entry.relisted_from_id == new_order[0]
    assert new_order[0] not in {c.agenda_item_id for c in meetings.relist_candidates(ctx.db)}


def test_history_shows_earlier_discussions(ctx: ServiceContext) -> None:
    first_meeting = meetings.list_meetings(ctx.db)[0]
    entry = meetings.agenda(ctx.db, first_meeting.id)[0]
    history = meetings.patient_history(ctx.db, entry.patient_id)
    assert history and history[0].meeting_id == first_meeting.id
    assert history[0].decision_status == "signed_off" and history[0].plan_text


def test_closed_meeting_agenda_is_frozen(ctx: ServiceContext) -> None:
    closed = meetings.list_meetings(ctx.db)[0]
    assert closed.status == "closed"
    with pytest.raises(ValidationError, match="closed"):
        meetings.list_case(ctx, closed.id, unlisted_cases(ctx)[0])


def test_resolve_last_and_next(ctx: ServiceContext) -> None:
    now = datetime.now(UTC)
    assert meetings.resolve_meeting(ctx.db, "last", now).status == "closed"
    assert meetings.resolve_meeting(ctx.db, "next", now).status == "planned"
    with pytest.raises(ValidationError):
        meetings.resolve_meeting(ctx.db, "soon", now)


def test_histories_at_once_equal_each_patients_own(ctx: ServiceContext) -> None:
    from sqlalchemy import text

    with ctx.db.reader() as s:
        ids = [int(i) for i in s.execute(text("SELECT id FROM patients")).scalars()]
        expected: dict[int, list[tuple[int, str, str]]] = {i: [] for i in ids}
        for pid, mid, status, plan in s.execute(
            text(
                "SELECT a.patient_id, a.meeting_id, a.status, "
                " (SELECT d.plan_text FROM decisions d WHERE d.agenda_item_id = a.id "
                "  ORDER BY d.revision DESC LIMIT 1) "
                "FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id "
                "ORDER BY m.starts_at DESC, a.id DESC"
            )
        ):
            expected[pid].append((mid, str(status), plan or ""))
    together = meetings.patient_histories(ctx.db, ids)
    assert sum(len(v) for v in together.values()) > 0
    for pid in ids:
        got = [(h.meeting_id, h.agenda_status, h.plan_text) for h in together[pid]]
        assert got == expected[pid]
        assert meetings.patient_history(ctx.db, pid) == together[pid]


def test_many_cases_are_listed_in_one_step_or_none(ctx: ServiceContext) -> None:
    """Issue 17 part 1: the agenda builder's bulk add is one unit of work."""
    m = meetings.create_meeting(ctx, title="Bulk (fictional)", starts_at=future())
    first, second, third = unlisted_cases(ctx)[:3]
    listed = meetings.list_cases(ctx, m.id, [first, second])
    assert [e.referral_id for e in listed] == [first, second]
    assert {e.referral_id for e in meetings.agenda(ctx.db, m.id)} == {first, second}
    # the second of these is already on the agenda: nothing of the step is stored
    with pytest.raises(ValidationError) as exc:
        meetings.list_cases(ctx, m.id, [third, first])
    assert f"case {first}" in str(exc.value)
    assert {e.referral_id for e in meetings.agenda(ctx.db, m.id)} == {first, second}
