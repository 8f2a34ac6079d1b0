"""The letter, its GP copy and the outcome record from the File menu (issue 18 part 3-4):
a user selects a case, chooses the document, names the file. Fictional demo data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import referrals, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.store.models import AuditEvent, Decision
from mdtboard.ui import exporting
from mdtboard.ui.main_window import MainWindow


def close_box_when_shown(seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append(box.text())
        box.close()
    else:
        QTimer.singleShot(30, lambda: close_box_when_shown(seen))


def signed_case(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        d = (
            s.execute(select(Decision).where(Decision.status == "signed_off").order_by(Decision.id))
            .scalars()
            .first()
        )
        assert d is not None
        return d.agenda_item.referral_id


def window_on(qtbot: QtBot, ctx: ServiceContext, case_id: int) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.search, referrals.get_case(ctx.db, case_id).patient.mrn)
    model = win.model
    qtbot.waitUntil(lambda: model.row_of_case(case_id) >= 0, timeout=10_000)
    win.table.selectRow(model.row_of_case(case_id))
    assert win.selected_case_id() == case_id
    return win


@pytest.mark.parametrize(
    ("document", "file_word", "words"),
    [
        ("letter_gp", "Letter to GP", ("(referrer)", "Dear Dr")),
        ("outcome", "Outcome record", ("MDT outcome record", "mdtboard audit seal")),
    ],
)
def test_file_menu_writes_the_document_of_the_selected_case(
    qtbot: QtBot,
    ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    document: str,
    file_word: str,
    words: tuple[str, ...],
) -> None:
    case_id = signed_case(ctx)
    win = window_on(qtbot, ctx, case_id)
    out = tmp_path / "chosen.pdf"
    suggested: list[str] = []

    def save_dialog(parent: object, name: str) -> Path:  # the user accepts a file name
        suggested.append(name)
        return out

    monkeypatch.setattr(exporting, "_ask_path", save_dialog)
    action = win.act_letter_gp if document == "letter_gp" else win.act_outcome_form
    file_menu = win.menuBar().findChildren(QMenu)[0]
    assert file_menu.title() == "&File" and action in file_menu.actions()
    assert re.search(r"&[A-Za-z]", action.text())  # reachable by its mnemonic
    seen: list[str] = []
    QTimer.singleShot(30, lambda: close_box_when_shown(seen))  # "open it now?"
    action.trigger()
    export = win.last_export
    assert export is not None
    qtbot.waitUntil(lambda: export.job.done and bool(export.sha256), timeout=20_000)  # type: ignore[attr-defined]
    assert suggested and suggested[0].startswith(file_word)
    t = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(out).pages))
    doc = summaries.case_document(ctx.db, case_id)
    assert doc.case.patient.mrn in t
    for w in words:
        assert w in t, w
    with ctx.db.reader() as s:
        audited = s.execute(select(AuditEvent.summary).where(AuditEvent.action == "export"))
        assert any(document in str(x) for x in audited.scalars())


def test_gp_copy_without_a_gp_says_where_to_add_one(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from mdtboard.store.models import Referral

    case_id = signed_case(ctx)
    with ctx.db.unit_of_work() as s:
        s.execute(update(Referral).where(Referral.id == case_id).values(gp_name=""))
    win = window_on(qtbot, ctx, case_id)
    asked: list[str] = []
    monkeypatch.setattr(exporting, "_ask_path", lambda p, n: asked.append(n))
    seen: list[str] = []
    QTimer.singleShot(30, lambda: close_box_when_shown(seen))
    win.act_letter_gp.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    assert "No GP is recorded" in seen[0] and "Edit selected referral" in seen[0]
    assert not asked  # no file dialog, nothing written
