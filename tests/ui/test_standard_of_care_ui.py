"""Standard of care in the GUI (issue 19 part 7): the administrator's protocols, the
coordinator listing a case under one (Ctrl+K on the agenda), the chair confirming them
together in meeting mode (Ctrl+Shift+K). Fictional demo data."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from mdtboard.services import decisions, meetings, protocols
from mdtboard.services.context import ServiceContext
from mdtboard.services.protocols import ProtocolInput
from mdtboard.ui.date_fields import format_date
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.meeting.soc_dialog import ConfirmStandardOfCareDialog
from mdtboard.ui.protocols_dialog import ProtocolsDialog
from tests.ui.test_meeting_mode import open_meeting_mode, when_modal

TITLE = "Single-fraction RT for painful bone metastasis (fictional)"


def planned(ctx: ServiceContext) -> int:
    return next(m.id for m in meetings.list_meetings(ctx.db) if m.status == "planned")


def test_an_administrator_adds_a_protocol_from_the_keyboard(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    dialog = ProtocolsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for field, text in (
        (dialog.title_edit, TITLE),
        (dialog.version_edit, "1.0"),
        (dialog.approved_by, "Fictional governance group"),
        (dialog.approved_on, format_date(date(2026, 6, 1))),
    ):
        field.setFocus()
        qtbot.keyClicks(field, text)
    dialog.text_edit.setFocus()
    qtbot.keyClicks(dialog.text_edit, "8 Gy in 1 fraction (fictional).")
    assert dialog.add() is True
    assert dialog.model.rowCount() == 1 and dialog.model.index(0, 0).data() == TITLE
    assert dialog.add() is False  # the same title and version again
    assert "already has that version" in dialog.error.text()
    (p,) = protocols.list_protocols(ctx.db)
    assert p.approved_on == date(2026, 6, 1)


def test_list_under_a_protocol_then_confirm_in_meeting_mode(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    p = protocols.save_protocol(
        ctx, ProtocolInput(TITLE, "8 Gy in 1 fraction (fictional).", "1.0",
                           "Fictional governance group", date(2026, 6, 1)),
    )  # fmt: skip
    mid = planned(ctx)
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    page = win.show_meetings()
    page.refresh(select_id=mid)
    page.agenda_view.setFocus()
    page.agenda_view.selectRow(0)
    target = page.selected_entry()
    assert target is not None

    def pick(dialog: object) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(p.label)
        dialog.accept()

    when_modal(QInputDialog, pick)
    qtbot.keyClick(page.agenda_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (
            next(e for e in meetings.agenda(ctx.db, mid) if e.id == target.id).protocol_id == p.id
        )
    )
    assert page.agenda_model.index(0, 8).data().endswith("standard of care")
    mode = open_meeting_mode(qtbot, ctx, mid)
    qtbot.keyClick(
        mode, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    dialog = mode.soc_dialog
    assert isinstance(dialog, ConfirmStandardOfCareDialog)
    assert [e.id for _b, e in dialog.boxes] == [target.id]
    dialog.chair.setText("Ms Imogen Castellane (demo)")
    dialog.accept()
    qtbot.waitUntil(lambda: decisions.current_decision(ctx.db, target.id) is not None)
    d = decisions.current_decision(ctx.db, target.id)
    assert d is not None and d.status == "signed_off" and TITLE in d.data.plan_text
    assert d.signed_off_by == "Ms Imogen Castellane (demo)"
    assert QApplication.activeModalWidget() is None
    mode.close()
