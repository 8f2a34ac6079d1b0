"""GUI export: off the GUI thread, audited with the file's hash (fictional data)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.store.models import AuditEvent
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.meetings_page import MeetingsPage


def close_box_when_shown() -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.button(QMessageBox.StandardButton.Close).click()
    else:
        QTimer.singleShot(30, close_box_when_shown)


def _page_on_a_closed_meeting(qtbot: QtBot, ctx: ServiceContext) -> MeetingsPage:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    page = win.show_meetings()
    closed = next(m for m in meetings.list_meetings(ctx.db) if m.status == "closed")
    page.refresh(select_id=closed.id)
    return page


def test_export_summary_from_the_meetings_page(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    page = _page_on_a_closed_meeting(qtbot, ctx)
    out = tmp_path / "summary.pdf"
    QTimer.singleShot(30, close_box_when_shown)
    export = page.export_pdf("summary", out)
    assert export is not None
    qtbot.waitUntil(lambda: export.job.done and bool(export.sha256), timeout=20_000)  # type: ignore[attr-defined]
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert export.sha256 == digest  # type: ignore[attr-defined]
    with ctx.db.reader() as s:
        summaries = (
            s.execute(select(AuditEvent.summary).where(AuditEvent.action == "export"))
            .scalars()
            .all()
        )
    assert any(digest in text for text in summaries)


def test_print_goes_to_the_spooler_and_is_audited(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: object
) -> None:
    import os
    import stat

    from mdtboard.ui.exporting import PdfExport

    spool = tmp_path / "spooled.txt"
    fake_lp = tmp_path / "bin" / "lp"
    fake_lp.parent.mkdir()
    fake_lp.write_text(f'#!/bin/sh\necho "$@" > "{spool}"\n')
    fake_lp.chmod(fake_lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake_lp.parent}{os.pathsep}{os.environ['PATH']}")  # type: ignore[attr-defined]

    page = _page_on_a_closed_meeting(qtbot, ctx)
    out = tmp_path / "agenda.pdf"

    def press_print() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            printer = next(b for b in box.buttons() if b.text() == "&Print")
            printer.click()
        else:
            QTimer.singleShot(30, press_print)

    QTimer.singleShot(30, press_print)
    export = page.export_pdf("agenda", out)
    assert isinstance(export, PdfExport)
    qtbot.waitUntil(lambda: spool.exists(), timeout=20_000)
    assert spool.read_text().strip() == str(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    with ctx.db.reader() as s:
        printed = (
            s.execute(select(AuditEvent.summary).where(AuditEvent.action == "print"))
            .scalars()
            .all()
        )
    assert any(digest in text for text in printed)


def test_without_a_print_command_printing_says_what_to_do(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    from mdtboard.ui import exporting

    monkeypatch.setattr("shutil.which", lambda _name: None)  # type: ignore[attr-defined]
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4 fictional")
    with pytest.raises(exporting.PrintUnavailable, match="open the PDF"):
        exporting.send_to_printer(pdf)
