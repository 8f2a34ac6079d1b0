"""Issue 17 part 1: a new meeting defaults to the next free slot of its series, with
the date in its title; a second meeting at the same time and place is warned about."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.ui.meetings_page import MeetingDialog


def _latest(ctx: ServiceContext) -> meetings.MeetingSummary:
    return max(meetings.list_meetings(ctx.db), key=lambda m: (m.starts_at, m.id))


def test_the_next_free_slot_of_the_series_is_proposed(qtbot: QtBot, ctx: ServiceContext) -> None:
    latest = _latest(ctx)
    dialog = MeetingDialog(ctx)
    qtbot.addWidget(dialog)
    week_on = latest.starts_at + timedelta(days=7)
    assert dialog.starts_at.datetime_value() == week_on
    assert dialog.title.text() == f"Spine oncology MDT — {week_on.astimezone():%d %b %Y}"
    assert dialog.location.text() == latest.location
    assert dialog.chair.currentText().startswith(latest.chair) if latest.chair else True
    # a later date moves the proposed title with it
    two_on = week_on + timedelta(days=7)
    dialog.starts_at.set_datetime_value(two_on)
    assert dialog.title.text() == f"Spine oncology MDT — {two_on.astimezone():%d %b %Y}"
    # that slot taken, the one after is proposed
    meetings.create_meeting(ctx, title="Taken (fictional)", starts_at=week_on)
    again = MeetingDialog(ctx)
    qtbot.addWidget(again)
    assert again.starts_at.datetime_value() == two_on


def test_a_second_meeting_at_the_same_time_and_place_asks_first(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    latest = _latest(ctx)
    before = len(meetings.list_meetings(ctx.db))
    dialog = MeetingDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.starts_at.set_datetime_value(latest.starts_at)  # latest's slot
    assert dialog.starts_at.datetime_value() == latest.starts_at
    seen: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, lambda: answer(button))

    QTimer.singleShot(20, lambda: answer(QMessageBox.StandardButton.No))
    dialog.save()
    assert seen and latest.title in seen[0]
    assert len(meetings.list_meetings(ctx.db)) == before  # nothing created
    QTimer.singleShot(20, lambda: answer(QMessageBox.StandardButton.Yes))
    dialog.save()
    assert len(meetings.list_meetings(ctx.db)) == before + 1
