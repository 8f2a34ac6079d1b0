"""Issue 17 part 5: save dialogs start in the last folder used, with names people
recognise (the meeting's date and the document), never internal ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.ui import exporting, file_names


def test_names_carry_the_date_and_the_document() -> None:
    when = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # midday: the same local date anywhere
    assert file_names.meeting_file_name("agenda", when) == "MDT 2026-12-08 agenda.pdf"
    assert file_names.meeting_file_name("summary", when) == "MDT 2026-12-08 outcome summary.pdf"
    assert file_names.letter_file_name("MRN123", when) == "Letter MRN123 2026-12-08.pdf"
    assert file_names.letter_file_name("A/B:7", when) == "Letter A-B-7 2026-12-08.pdf"


def test_the_save_dialog_suggests_the_name_in_the_last_folder(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[str] = []
    chosen = tmp_path / "exports" / "mine.pdf"
    chosen.parent.mkdir()

    def fake(_parent: object, _title: str, suggestion: str, _filter: str) -> tuple[str, str]:
        asked.append(suggestion)
        return "", ""  # cancelled: nothing is written

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    meeting = meetings.list_meetings(ctx.db)[-1]
    assert exporting.export_meeting(parent, ctx, meeting.id, "agenda") is None
    assert Path(asked[-1]).name == file_names.meeting_file_name("agenda", meeting.starts_at)
    file_names.remember(chosen)
    assert exporting.export_meeting(parent, ctx, meeting.id, "summary") is None
    expected = file_names.meeting_file_name("summary", meeting.starts_at)
    assert asked[-1] == str(chosen.parent / expected)


def test_meeting_mode_opens_as_it_was_left(qtbot: QtBot, ctx: ServiceContext) -> None:
    """Issue 17 part 5: meeting mode's size and agenda pane are remembered per user."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QSplitter

    from mdtboard.ui.meeting import MeetingModeWindow

    meeting = next(m for m in meetings.list_meetings(ctx.db) if m.status != "closed")
    win = MeetingModeWindow(ctx, meeting.id)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.resize(win.width(), 500)  # the offscreen screen is 800 × 800; 860 high by default
    splitter = win.findChild(QSplitter)
    assert splitter is not None
    splitter.moveSplitter(splitter.sizes()[0] - 5, 1)  # the user drags the pane
    saved = QSettings().value("meeting/splitter")
    assert isinstance(saved, list) and [int(n) for n in saved] == splitter.sizes()
    win.presenter.dirty = False
    win.close()
    again = MeetingModeWindow(ctx, meeting.id)
    qtbot.addWidget(again)
    assert again.height() == 500


def test_a_splitter_and_a_window_keep_what_the_user_arranged(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QSplitter, QWidget

    from mdtboard.ui.remember import keep_geometry, keep_splitter

    def build() -> tuple[QWidget, QSplitter]:
        top = QWidget()
        qtbot.addWidget(top)
        splitter = QSplitter(top)
        splitter.addWidget(QWidget())
        splitter.addWidget(QWidget())
        keep_geometry(top, "test/geometry", (600, 400))
        keep_splitter(splitter, "test/splitter")
        return top, splitter

    top, splitter = build()
    assert (top.width(), top.height()) == (600, 400)  # the default, the first time
    top.show()
    qtbot.waitExposed(top)
    splitter.resize(600, 400)
    splitter.moveSplitter(150, 1)
    top.resize(640, 420)
    top.close()
    again, splitter2 = build()
    assert (again.width(), again.height()) == (640, 420)
    again.show()
    qtbot.waitExposed(again)
    splitter2.resize(600, 400)
    assert splitter2.sizes()[0] == 150
