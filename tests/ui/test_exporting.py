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


def close_box_when_shown() -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        box.button(QMessageBox.StandardButton.Close).click()
    else:
        QTimer.singleShot(30, close_box_when_shown)


def test_export_summary_from_the_meetings_page(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path
) -> None:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    page = win.show_meetings()
    closed = next(m for m in meetings.list_meetings(ctx.db) if m.status == "closed")
    page.refresh(select_id=closed.id)
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
