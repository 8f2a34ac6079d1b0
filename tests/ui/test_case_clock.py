"""Time per case in meeting mode (issue 19 part 6): counted while a case is open, paused
when another opens, stored with the meeting; nobody starts or stops it. Fictional data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mdtboard.services import discussion_time, meetings
from mdtboard.services.context import ServiceContext
from mdtboard.ui.meeting.case_clock import CaseClock
from mdtboard.ui.meeting.window import MeetingModeWindow
from tests.ui.test_meeting_mode import meeting_id, open_meeting_mode  # noqa: F401


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_time_is_kept_per_case_across_openings(
    qtbot: QtBot,
    ctx: ServiceContext,
    meeting_id: int,  # noqa: F811
) -> None:
    a, b = (e.id for e in meetings.agenda(ctx.db, meeting_id)[:2])
    tick = FakeClock()
    clock = CaseClock(ctx, meeting_id, clock=tick)
    seen: list[str] = []
    clock.sig_tick.connect(seen.append)
    clock.start(a)
    tick.now += 65
    assert clock.text() == "On this case 1:05"
    clock.start(b)  # a pauses and is stored
    assert discussion_time.times_for(ctx.db, meeting_id) == {a: 65}
    tick.now += 30
    clock.start(a)  # b pauses; a resumes where it was
    tick.now += 10
    assert clock.text() == "On this case 0:10 (1:15 in all)"
    clock.stop()
    assert discussion_time.times_for(ctx.db, meeting_id) == {a: 75, b: 30}
    assert clock.text() == ""
    assert seen and seen[0] == "On this case 0:00"
    # a second workstation (or tomorrow's session) starts from what was stored
    again = CaseClock(ctx, meeting_id, clock=tick)
    again.start(b)
    tick.now += 5
    assert again.text() == "On this case 0:05 (0:35 in all)"
    again.stop()


def test_nothing_is_counted_while_the_meeting_is_not_held(
    ctx: ServiceContext,
    meeting_id: int,  # noqa: F811
) -> None:
    a = meetings.agenda(ctx.db, meeting_id)[0].id
    tick = FakeClock()
    clock = CaseClock(ctx, meeting_id, counting=lambda: False, clock=tick)
    clock.start(a)
    tick.now += 300
    clock.stop()
    assert discussion_time.times_for(ctx.db, meeting_id) == {}


def test_meeting_mode_shows_the_clock_and_stores_the_time_when_the_case_changes(
    qtbot: QtBot,
    ctx: ServiceContext,
    meeting_id: int,  # noqa: F811
) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    first = win.presenter.entry
    assert first is not None and win.case_clock.item == first.id
    qtbot.waitUntil(lambda: win.clock_label.text().startswith("On this case"), timeout=3000)
    assert not win.presenter.dirty
    win.agenda_view.setFocus()
    qtbot.keyClick(win.agenda_view, Qt.Key.Key_Down)  # the next case, from the keyboard
    qtbot.keyClick(win.agenda_view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.case_clock.item != first.id)
    assert first.id in discussion_time.times_for(ctx.db, meeting_id)
    win.close()
    assert win.case_clock.item is None


def test_a_closed_meeting_read_in_meeting_mode_counts_nothing(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    closed = next(m for m in meetings.list_meetings(ctx.db) if m.status == "closed")
    before = discussion_time.times_for(ctx.db, closed.id)
    win = MeetingModeWindow(ctx, closed.id)
    qtbot.addWidget(win)
    win.show()
    assert win.case_clock.item is None and win.clock_label.text() == ""
    win.close()
    assert discussion_time.times_for(ctx.db, closed.id) == before
