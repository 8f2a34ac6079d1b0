"""GUI export: off the GUI thread, audited with the file's hash (fictional data)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
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


def test_cancel_in_the_progress_dialog_writes_nothing(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: object
) -> None:
    """The user presses Cancel while the summary is being written: the file that was
    there is untouched, no partial file is left, nothing is audited, no box is shown."""
    import threading

    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from mdtboard.reports import ReportCancelled
    from mdtboard.ui import exporting

    clicked = threading.Event()
    real = exporting.build_summary

    def held_after_the_first_case(report: object, out: Path, *, progress, cancelled):  # type: ignore[no-untyped-def]
        def progress_then_hold(done: int, total: int) -> None:
            progress(done, total)
            if done >= 1:
                clicked.wait(20)  # the layout waits here until the user has pressed Cancel

        return real(report, out, progress=progress_then_hold, cancelled=cancelled)  # type: ignore[arg-type]

    monkeypatch.setattr(exporting, "build_summary", held_after_the_first_case)  # type: ignore[attr-defined]
    page = _page_on_a_closed_meeting(qtbot, ctx)
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "summary.pdf"
    out.write_bytes(b"an earlier file (fictional)")
    export = page.export_pdf("summary", out)
    assert export is not None
    dialog = export.job.dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, QProgressDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=10_000)  # shown once the work takes a while
    cancel = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    clicked.set()
    qtbot.waitUntil(lambda: export.job.done, timeout=20_000)  # type: ignore[attr-defined]
    assert isinstance(export.error, ReportCancelled)  # type: ignore[attr-defined]
    assert out.read_bytes() == b"an earlier file (fictional)"
    assert [p.name for p in folder.iterdir()] == ["summary.pdf"]  # no partial file left
    assert QApplication.activeModalWidget() is None and not dialog.isVisible()
    with ctx.db.reader() as s:
        exported = s.execute(select(AuditEvent.id).where(AuditEvent.action == "export")).all()
    assert exported == []
