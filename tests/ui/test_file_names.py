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
