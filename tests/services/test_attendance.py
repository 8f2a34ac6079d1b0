"""Attendance at the start of a meeting: "Everyone present" in one press
(``decisions.mark_everyone_present``): every team member on the meeting's list marked
present in one transaction with one audit event, guests left as guests, the quorum
returned (fictional data only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mdtboard.domain.vocab import CORE_ROLES, AttendanceStatus, Role
from mdtboard.services import decisions, meetings, members
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import NotFound, PermissionDenied, ValidationError
from mdtboard.store.models import Attendance, AuditEvent

GUEST = "Dr Visiting Registrar (demo)"


def new_meeting(ctx: ServiceContext, expected: Sequence[int] | None = None) -> int:
    return meetings.create_meeting(
        ctx,
        title="Attendance test (demo)",
        starts_at=datetime.now(UTC) + timedelta(hours=1),
        chair_id=1,
        expected_member_ids=expected,
    ).id


def statuses(ctx: ServiceContext, meeting_id: int) -> dict[int, str]:
    """member id → attendance status, read back from the stored rows."""
    with ctx.db.reader() as s:
        rows = s.execute(select(Attendance).where(Attendance.meeting_id == meeting_id)).scalars()
        return {a.member_id: str(a.status) for a in rows}


def audit_events(ctx: ServiceContext, after_id: int = 0) -> list[AuditEvent]:
    with ctx.db.reader() as s:
        rows = s.execute(
            select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
        ).scalars()
        out = list(rows)
        for e in out:
            s.expunge(e)
        return out


def last_audit_id(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one())


def team(ctx: ServiceContext) -> list[members.MemberView]:
    return members.list_members(ctx.db)


def test_everyone_present_in_one_transaction_with_one_audit_event(ctx: ServiceContext) -> None:
    meeting_id = new_meeting(ctx)
    people = team(ctx)
    assert len(people) >= 2
    # one member sent apologies beforehand; a visitor attends as a guest
    decisions.set_attendance(ctx, meeting_id, people[0].id, AttendanceStatus.APOLOGIES)
    guest = decisions.add_guest(ctx, meeting_id, GUEST, "other")
    before = statuses(ctx, meeting_id)
    assert before[people[0].id] == "apologies" and before[guest.member_id] == "guest"
    assert {before[m.id] for m in people[1:]} == {"expected"}
    mark = last_audit_id(ctx)

    quorum = decisions.mark_everyone_present(ctx, meeting_id)

    after = statuses(ctx, meeting_id)
    assert set(after) == set(before)  # nobody added or removed
    assert {m.id: after[m.id] for m in people} == dict.fromkeys((m.id for m in people), "present")
    assert after[guest.member_id] == "guest"  # a guest stays a guest

    events = audit_events(ctx, mark)
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.entity, event.entity_id) == (
        "update",
        "attendance",
        str(meeting_id),
    )
    assert event.user == "test.user"
    named = re.fullmatch(r"members ([\d, ]+): present", event.summary)
    assert named is not None, event.summary
    assert {int(n) for n in named.group(1).split(", ")} == {m.id for m in people}

    # the quorum as stored now: every core role of the demo team is present
    assert quorum == decisions.quorum(ctx.db, meeting_id)
    assert quorum.quorate and quorum.missing_roles == ()
    rows = {a.member_id: a.status for a in decisions.attendance(ctx.db, meeting_id)}
    assert rows[guest.member_id] == "guest"


def test_a_guest_stays_a_guest_and_does_not_make_the_quorum(ctx: ServiceContext) -> None:
    """Every core role but the pathologist is on the list; a visiting pathologist attends
    as a guest: everyone present is still not quorate."""
    expected = [m.id for m in team(ctx) if m.role != Role.PATHOLOGIST]
    meeting_id = new_meeting(ctx, expected)
    guest = decisions.add_guest(ctx, meeting_id, "Dr Visiting Pathologist (demo)", "pathologist")

    quorum = decisions.mark_everyone_present(ctx, meeting_id)

    assert not quorum.quorate and quorum.missing_roles == ("pathologist",)
    assert "Pathologist" in quorum.text()
    after = statuses(ctx, meeting_id)
    assert after[guest.member_id] == "guest"
    assert {after[i] for i in expected} == {"present"}


def test_only_the_meetings_own_list_is_marked(ctx: ServiceContext) -> None:
    people = team(ctx)
    listed = [people[0].id, people[1].id]
    meeting_id = new_meeting(ctx, listed)

    quorum = decisions.mark_everyone_present(ctx, meeting_id)

    assert statuses(ctx, meeting_id) == dict.fromkeys(listed, "present")
    present_roles = {people[0].role, people[1].role}
    assert quorum.missing_roles == tuple(r.value for r in CORE_ROLES if r not in present_roles)


def test_no_audit_event_when_everyone_already_is_present(ctx: ServiceContext) -> None:
    meeting_id = new_meeting(ctx)
    decisions.add_guest(ctx, meeting_id, GUEST, "other")
    first = decisions.mark_everyone_present(ctx, meeting_id)
    held = statuses(ctx, meeting_id)
    mark = last_audit_id(ctx)

    again = decisions.mark_everyone_present(ctx, meeting_id)

    assert audit_events(ctx, mark) == []
    assert statuses(ctx, meeting_id) == held
    assert again == first


def test_a_member_marked_present_by_hand_is_not_named_again(ctx: ServiceContext) -> None:
    meeting_id = new_meeting(ctx)
    people = team(ctx)
    decisions.set_attendance(ctx, meeting_id, people[0].id, AttendanceStatus.PRESENT)
    mark = last_audit_id(ctx)

    decisions.mark_everyone_present(ctx, meeting_id)

    (event,) = audit_events(ctx, mark)
    named = re.fullmatch(r"members ([\d, ]+): present", event.summary)
    assert named is not None
    assert {int(n) for n in named.group(1).split(", ")} == {m.id for m in people[1:]}


def test_refused_for_a_closed_meeting(ctx: ServiceContext) -> None:
    meeting_id = new_meeting(ctx)
    decisions.close_meeting(ctx, meeting_id)  # nothing on its agenda: it closes
    before = statuses(ctx, meeting_id)
    mark = last_audit_id(ctx)

    with pytest.raises(ValidationError, match="closed"):
        decisions.mark_everyone_present(ctx, meeting_id)

    assert statuses(ctx, meeting_id) == before
    assert set(before.values()) == {"expected"}
    assert audit_events(ctx, mark) == []


def test_nothing_is_written_when_the_audit_event_cannot_be(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: the statuses and their audit event are written together or not
    at all."""
    meeting_id = new_meeting(ctx)
    before = statuses(ctx, meeting_id)
    mark = last_audit_id(ctx)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit log unavailable (test)")

    monkeypatch.setattr(ServiceContext, "audit", fail)
    with pytest.raises(RuntimeError):
        decisions.mark_everyone_present(ctx, meeting_id)
    monkeypatch.undo()

    assert statuses(ctx, meeting_id) == before
    assert audit_events(ctx, mark) == []


def test_refused_without_the_meeting_permission(ctx: ServiceContext) -> None:
    meeting_id = new_meeting(ctx)
    before = statuses(ctx, meeting_id)
    viewer = ServiceContext(ctx.db, Actor("viewer.user", "read_only"))
    with pytest.raises(PermissionDenied):
        decisions.mark_everyone_present(viewer, meeting_id)
    clinician = ServiceContext(ctx.db, Actor("clinician.user", "clinician"))
    with pytest.raises(PermissionDenied):
        decisions.mark_everyone_present(clinician, meeting_id)
    assert statuses(ctx, meeting_id) == before


def test_an_unknown_meeting_is_not_found(ctx: ServiceContext) -> None:
    with pytest.raises(NotFound):
        decisions.mark_everyone_present(ctx, 987654)
