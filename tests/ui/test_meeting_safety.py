"""Issue 16 parts 7 and 8: sign-off only after a confirmation naming the case (and
warning of a future or unstarted meeting), the agenda pane's case states, escaped
result labels, the presentation screen's header, and no oversized UI class."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.services import decisions, meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.ui.meeting import MeetingModeWindow
from mdtboard.ui.meeting.prompts import sign_off_text
from mdtboard.ui.score_form import ScoreForm

UI = Path(__file__).resolve().parents[2] / "mdtboard" / "ui"


def _meeting(ctx: ServiceContext, starts_in: timedelta, n: int = 3) -> int:
    m = meetings.create_meeting(
        ctx, title="Safety test (fictional)", starts_at=datetime.now(UTC) + starts_in, chair_id=1
    )
    for c in fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready"), sort="received"), 0, n):
        meetings.list_case(ctx, m.id, c.referral_id)
    return m.id


def _open(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> MeetingModeWindow:
    win = MeetingModeWindow(ctx, meeting_id).start()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def _answer(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def _valid_plan(win: MeetingModeWindow) -> None:
    win.presenter.update(
        intent="palliative",
        modalities=(ModalityInput("palliative_care", {}),),
        plan_text="Palliative care review (fictional)",
    )


def test_ctrl_return_while_typing_asks_first_and_cancel_signs_nothing(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    win = _open(qtbot, ctx, _meeting(ctx, timedelta(hours=1)))
    _valid_plan(win)
    qtbot.keyClick(win, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
    box = win.consensus.rationale
    assert QApplication.focusWidget() is win.consensus.plan_text  # the step's first input
    box.setFocus()
    qtbot.keyClicks(box, "Typing, then Ctrl+Return by mistake")
    seen: list[str] = []
    _answer(QMessageBox.StandardButton.Cancel, seen)
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case = win.presenter.case
    assert case is not None and seen and case.patient.mrn in seen[0]
    assert case.patient.display_name in seen[0]
    assert win.presenter.decision is None or win.presenter.decision.status == "draft"
    item_id = win.presenter.entry.id  # type: ignore[union-attr]
    assert all(e.decision_status != "signed_off" for e in meetings.agenda(ctx.db, win.meeting_id))
    seen.clear()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    _answer(QMessageBox.StandardButton.Yes, seen)
    qtbot.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen and win.presenter.decision is not None
    assert win.presenter.decision.status == "signed_off"
    assert (
        next(e for e in meetings.agenda(ctx.db, win.meeting_id) if e.id == item_id).decision_status
        == "signed_off"
    )


def test_a_future_or_unstarted_meeting_is_named_in_the_confirmation(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    win = _open(qtbot, ctx, _meeting(ctx, timedelta(days=3)))
    case = win.presenter.case
    assert case is not None
    text = sign_off_text(case, win.meeting)
    assert "in the future" in text and case.patient.mrn in text
    assert "not been started" not in text  # start() marked it in progress
    planned = replace(win.meeting, status="planned", starts_at=datetime.now(UTC))
    text = sign_off_text(case, planned)
    assert "not been started" in text and "in the future" not in text


def test_the_agenda_pane_shows_where_each_case_stands(qtbot: QtBot, ctx: ServiceContext) -> None:
    meeting_id = _meeting(ctx, timedelta(hours=1), n=4)
    items = meetings.agenda(ctx.db, meeting_id)
    draft = decisions.save_draft(ctx, items[0].id, DecisionInput(plan_text="Draft (fictional)"))
    signed = decisions.save_draft(
        ctx,
        items[1].id,
        DecisionInput(
            intent="palliative",
            plan_text="Palliative care (fictional)",
            modalities=(ModalityInput("palliative_care", {}),),
        ),
    )
    decisions.sign_off(ctx, items[1].id, signed.version, "Ms Chair (demo)")
    meetings.set_item_status(ctx, items[2].id, AgendaStatus.DEFERRED, "Awaiting PET (fictional)")
    assert draft.status == "draft"
    win = _open(qtbot, ctx, meeting_id)
    model = win.agenda_model
    shown = [model.data(model.index(r, 2)) for r in range(model.rowCount())]
    assert shown == ["Draft", "Signed off", "Deferred", "Not discussed"]
    view = win.agenda_view
    assert not view.wordWrap()
    for r in range(model.rowCount()):  # every name whole, without scrolling
        assert view.columnWidth(1) >= view.fontMetrics().horizontalAdvance(
            model.data(model.index(r, 1))
        )
    assert view.horizontalScrollBar().maximum() == 0


def test_a_result_label_keeps_its_less_than_sign(qtbot: QtBot) -> None:
    """§3: total 0–8 is band lt_6_months, "under 6 months"; its label has a "<"."""
    form = ScoreForm("tokuhashi_revised")
    qtbot.addWidget(form)
    form.set_answers(
        {
            "kps": 30,  # 0 points
            "extraspinal_bone_mets": "three_or_more",  # 0
            "vertebral_body_mets": "three_or_more",  # 0
            "visceral_mets": "unremovable",  # 0
            "primary_site": "lung",  # 0
            "palsy": "a",  # 0
        }
    )
    form.show()
    qtbot.waitExposed(form)
    assert "&lt; 6 months" in form.result_label.text()
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(form.result_label.text())
    assert "Predicted survival < 6 months" in doc.toPlainText()


def test_the_presentation_screen_shows_histology_levels_and_key_scores(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    win = _open(qtbot, ctx, _meeting(ctx, timedelta(hours=1)))
    p = win.presenter
    p.set_score("escc", {"grade": "2"})
    p.set_score("kps", {"kps": 60})
    win.toggle_presentation()
    qtbot.addWidget(win.presentation)
    text = win.presentation.view.toPlainText()
    case = p.case
    assert case is not None
    assert case.histology_label in text and case.levels_text in text
    assert "ESCC 2" in text and "KPS 60" in text


def test_no_class_in_the_ui_is_over_500_lines() -> None:
    big = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 500:
                    big.append(f"{path.relative_to(UI)}:{node.name} ({length} lines)")
    assert not big, big


def test_a_closed_meeting_window_runs_no_timer(qtbot: QtBot, ctx: ServiceContext) -> None:
    """The MSCC banner's clock runs while the window is shown, and nothing runs once it
    is closed (a closed window must never read a database later)."""
    win = _open(qtbot, ctx, _meeting(ctx, timedelta(hours=1)))
    assert win._mscc_tick.isActive()
    win.close()
    assert not any(t.isActive() for t in (win._mscc_tick, win._autosave, win._snapshot_timer))
