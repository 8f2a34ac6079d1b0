"""Meetings → Follow-up due… driven from the keyboard (issue 19 parts 1-2): the list, the
form, all-or-nothing saving. Fictional demo data."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from mdtboard.services import followup
from mdtboard.services.context import ServiceContext
from mdtboard.ui.date_fields import format_date
from mdtboard.ui.followup_window import FollowUpDialog, FollowUpWindow
from mdtboard.ui.main_window import MainWindow


def open_window(qtbot: QtBot, ctx: ServiceContext) -> FollowUpWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(
        win, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    window = win.followup_window
    assert isinstance(window, FollowUpWindow)
    qtbot.waitExposed(window)
    return window


def type_date(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()  # replaces what is there
    qtbot.keyClicks(field, text)


def save_with_ctrl_s(qtbot: QtBot, dialog: FollowUpDialog) -> None:
    dialog.activateWindow()  # the offscreen platform does not activate a dialog by itself
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(
        dialog.focusWidget() or dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an entry of a combo box with the arrow keys, as a keyboard user does (typing
    a space into a combo box opens its list)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text, f"{text!r} is not in {combo.accessibleName()}"


def test_record_follow_up_and_outcome_from_the_keyboard(qtbot: QtBot, ctx: ServiceContext) -> None:
    window = open_window(qtbot, ctx)
    assert window.model.rowCount() == 0 or window.days.value() == 30
    window.days.setFocus()
    window.days.selectAll()
    qtbot.keyClicks(window.days, "1")  # decisions signed off at least a day ago
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    rows = window.model.rows()
    assert rows[0].bring_back or all(not r.bring_back for r in rows)  # those first
    at = next(n for n, r in enumerate(rows) if r.reason == "no follow-up recorded")
    first = rows[at]
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Home)
    for _ in range(at):
        qtbot.keyClick(window.table, Qt.Key.Key_Down)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.dialog
    assert isinstance(dialog, FollowUpDialog)
    qtbot.waitExposed(dialog)
    assert dialog.rows, "the decision has planned treatments"
    row = dialog.rows[0]
    assert not row.started.isEnabled()  # nothing to date until a status says so
    choose(qtbot, row.status, "Completed")
    assert row.status.currentData() == "completed"
    assert row.started.isEnabled() and row.completed.isEnabled()
    start = date.today() - timedelta(days=1)
    type_date(qtbot, row.started, format_date(start))
    type_date(qtbot, row.completed, format_date(date.today()))
    for other in dialog.rows[1:]:
        choose(qtbot, other.status, "Not given")
        choose(qtbot, other.reason, "Patient choice")
    choose(qtbot, dialog.vital, "Alive")
    type_date(qtbot, dialog.status_on, format_date(date.today()))
    save_with_ctrl_s(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = followup.get_followup(ctx.db, first.decision_id)
    assert saved.items[0].status == "completed"
    assert (saved.items[0].started_on, saved.items[0].completed_on) == (start, date.today())
    assert all(i.status == "not_given" and i.reason == "patient_choice" for i in saved.items[1:])
    outcome = followup.get_outcome(ctx.db, first.referral_id).entry
    assert outcome is not None and outcome.vital_status == "alive"
    # every treatment has a status now: the decision leaves the list
    qtbot.waitUntil(lambda: all(r.decision_id != first.decision_id for r in window.model.rows()))


def test_a_bad_outcome_keeps_the_form_open_and_writes_nothing(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    window = open_window(qtbot, ctx)
    window.days.setValue(1)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    dialog = window.open_selected()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    decision = dialog.view.decision_id
    version = dialog.view.version
    choose(qtbot, dialog.rows[0].status, "Not started")
    choose(qtbot, dialog.vital, "Died")
    type_date(qtbot, dialog.status_on, format_date(date.today() + timedelta(days=3)))
    save_with_ctrl_s(qtbot, dialog)
    assert dialog.isVisible()
    assert "status_on: the date is in the future" in dialog.error.text()
    assert followup.get_followup(ctx.db, decision).version == version  # all or nothing
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert QApplication.activeModalWidget() is None


def test_import_outcomes_from_the_follow_up_window(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: object
) -> None:
    from pathlib import Path

    window = open_window(qtbot, ctx)
    window.days.setValue(1)
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    due = window.model.row_at(0)
    assert due is not None
    path = Path(str(tmp_path)) / "outcomes.csv"
    path.write_text(
        f"MRN,Vital status,Last contact\n{due.mrn},alive,{date.today().isoformat()}\n",
        encoding="utf-8",
    )
    assert window.import_outcomes(str(path)) is True
    assert window.count.text() == "Imported 1 outcomes from outcomes.csv"
    outcome = followup.get_outcome(ctx.db, due.referral_id).entry
    assert outcome is not None and outcome.vital_status == "alive"
