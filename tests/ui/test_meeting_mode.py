"""A whole meeting run only through GUI events, then checked in the database.

Fictional demo data throughout.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QInputDialog,
    QMessageBox,
    QSpinBox,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.models import (
    Action,
    AgendaItem,
    Attendance,
    AuditEvent,
    Decision,
    Modality,
)
from mdtboard.ui.meeting import AttendanceDialog, MeetingModeWindow


def when_modal(kind: type, act: Callable[[object], None]) -> None:
    """Answer the next modal dialog of ``kind`` once it appears."""

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, kind):
            act(w)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def confirm(box: object) -> None:
    assert isinstance(box, QMessageBox)
    box.button(QMessageBox.StandardButton.Yes).click()


def answer_boxes(*buttons: QMessageBox.StandardButton) -> None:
    """Answer the next message boxes, one button each, in order (each box once)."""
    seen: list[object] = []
    todo = list(buttons)

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, QMessageBox) and w not in seen and w.isVisible():
            button = w.button(todo[0])
            if button is not None:
                seen.append(w)
                todo.pop(0)
                button.click()
        if todo:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def show_active(qtbot: QtBot, win: MeetingModeWindow) -> None:
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


def open_meeting_mode(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> MeetingModeWindow:
    win = MeetingModeWindow(ctx, meeting_id).start()
    qtbot.addWidget(win)
    show_active(qtbot, win)
    return win


def pick_first_option(qtbot: QtBot, combo: QComboBox) -> None:
    combo.setFocus()
    if combo.currentData() is None:
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def type_number(qtbot: QtBot, spin: QSpinBox | QDoubleSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Tab)


def fill_scores(qtbot: QtBot, win: MeetingModeWindow) -> None:
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    for form in win.scores.score_forms.values():
        for key, widget in form._inputs.items():
            if isinstance(widget, QComboBox):
                pick_first_option(qtbot, widget)
            elif widget.value() == widget.minimum():
                item = next(i for i in form_items(form) if i.key == key)
                value = item.maximum if item.maximum is not None else 1
                type_number(
                    qtbot, widget, str(int(value)) if float(value).is_integer() else str(value)
                )
        result = form.result()
        assert result is not None and result.complete, form.tool_id


def form_items(form: object) -> tuple:  # type: ignore[type-arg]
    from mdtboard.domain.scores import TOOLS

    return TOOLS[form.tool_id].items  # type: ignore[attr-defined]


@pytest.fixture
def meeting_id(ctx: ServiceContext) -> int:
    m = meetings.create_meeting(
        ctx,
        title="GUI whole-meeting test",
        starts_at=datetime.now(UTC) + timedelta(hours=1),
        chair_id=1,
    )
    cases = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready"), sort="received"), 0, 5)
    assert len(cases) == 5
    for c in cases:
        meetings.list_case(ctx, m.id, c.referral_id)
    return m.id


def test_whole_meeting_through_the_gui(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    assert "NOT QUORATE" in win.quorum_banner.text()

    # Attendance: everyone present except one apology.
    def attendance(dialog: object) -> None:
        assert isinstance(dialog, AttendanceDialog)
        combos = list(dialog.combos.values())
        for n, combo in enumerate(combos):
            combo.setFocus()
            target = combo.findData("apologies" if n == len(combos) - 1 else "present")
            while combo.currentIndex() != target:
                qtbot.keyClick(
                    combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
                )
        dialog.accept()

    when_modal(AttendanceDialog, attendance)
    qtbot.keyClick(
        win, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert "Quorate" in win.quorum_banner.text()
    show_active(qtbot, win)

    entries = meetings.agenda(ctx.db, meeting_id)
    for n, entry in enumerate(entries):
        assert win.presenter.entry is not None and win.presenter.entry.id == entry.id
        if n == 3:  # one deferral
            when_modal(
                QInputDialog, lambda d: (d.setTextValue("Awaiting PET-CT staging"), d.accept())
            )  # type: ignore[attr-defined]
            qtbot.keyClick(win, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
            show_active(qtbot, win)
            qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
            continue
        fill_scores(qtbot, win)
        qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        shown = win.noms.step4.currentWidget()
        assert shown.isVisible()
        assert "Decision support for the MDT — not a treatment order." in win.noms.html
        pick_first_option(qtbot, win.noms.fitness)

        qtbot.keyClick(win, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
        editor = win.options.modality_editor
        editor.intent.setFocus()
        while editor.intent.currentData() != "palliative":
            qtbot.keyClick(editor.intent, Qt.Key.Key_Down)
        editor.kind.setFocus()
        while editor.kind.currentData() != "cebrt":
            qtbot.keyClick(editor.kind, Qt.Key.Key_Down)
        qtbot.mouseClick(editor.add_btn, Qt.MouseButton.LeftButton)
        type_number(qtbot, editor.detail_widget("dose_gy"), "20")  # type: ignore[arg-type]
        type_number(qtbot, editor.detail_widget("fractions"), "5")  # type: ignore[arg-type]
        assert "Error" not in editor.problems.text()

        qtbot.keyClick(win, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
        assert win.current_step_key() == "consensus", (
            win.isActiveWindow(),
            QApplication.focusWidget(),
            QApplication.activeWindow(),
        )
        assert "20" in win.consensus.plan_text.toPlainText(), editor.modalities()  # pre-filled
        win.consensus.rationale.setFocus()
        qtbot.keyClicks(win.consensus.rationale, f"Fictional rationale for case {n + 1}.")
        if n == 1:  # one dissent
            win.consensus.dissent.setFocus()
            qtbot.keyClicks(win.consensus.dissent, "Would prefer SBRT.")
            win.consensus.dissent_by.setFocus()
            qtbot.keyClicks(win.consensus.dissent_by, "Dr Felix Ormsby (demo)")

        qtbot.keyClick(win, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
        win.actions_page.action_text.setFocus()
        qtbot.keyClicks(win.actions_page.action_text, "Send outcome letter")
        qtbot.mouseClick(win.actions_page.add_action_btn, Qt.MouseButton.LeftButton)
        assert win.actions_page.actions_model.rowCount() == 1
        # due a week ahead unless the chair picks another day in the calendar
        (added,) = win.actions_page.actions_model.actions()
        assert added.due_date == date.today() + timedelta(days=7)

        # Ctrl+Return asks first, naming the case
        asked: list[str] = []
        when_modal(QMessageBox, lambda box, asked=asked: (asked.append(box.text()), confirm(box)))
        qtbot.keyClick(win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert win.presenter.case is not None and win.presenter.case.patient.mrn in asked[0]
        show_active(qtbot, win)
        assert (
            win.presenter.decision is not None and win.presenter.decision.status == "signed_off"
        ), win.status_line.text()
        assert win.consensus.plan_text.isReadOnly()
        qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)

    answer_boxes(QMessageBox.StandardButton.No, QMessageBox.StandardButton.Ok)
    win.act_close_meeting.trigger()

    with ctx.db.reader() as s:
        items = (
            s.execute(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
            .scalars()
            .all()
        )
        assert [str(i.status) for i in items].count("discussed") == 4
        deferred = [i for i in items if str(i.status) == "deferred"]
        assert len(deferred) == 1 and deferred[0].reason == "Awaiting PET-CT staging"
        ds = (
            s.execute(select(Decision).join(AgendaItem).where(AgendaItem.meeting_id == meeting_id))
            .scalars()
            .all()
        )
        assert len(ds) == 4 and all(str(d.status) == "signed_off" for d in ds)
        assert all(d.quorate for d in ds)
        assert sum(1 for d in ds if d.dissent == "Would prefer SBRT.") == 1
        assert {d.dissent_by for d in ds if d.dissent} == {"Dr Felix Ormsby (demo)"}
        n_mods = s.execute(
            select(func.count(Modality.id)).where(Modality.decision_id.in_([d.id for d in ds]))
        ).scalar_one()
        assert n_mods == 4
        n_actions = s.execute(
            select(func.count(Action.id)).where(Action.decision_id.in_([d.id for d in ds]))
        ).scalar_one()
        assert n_actions == 4
        present = s.execute(
            select(func.count()).where(
                Attendance.meeting_id == meeting_id, Attendance.status == "present"
            )
        ).scalar_one()
        assert present >= 5
        signoffs = s.execute(
            select(func.count()).where(AuditEvent.action == "sign_off")
        ).scalar_one()
        assert signoffs >= 4
        closed = s.execute(
            select(func.count()).where(AuditEvent.summary.like("meeting closed:%"))
        ).scalar_one()
        assert closed == 1


def test_autosaved_draft_survives_a_reopen(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    win.consensus.plan_text.setFocus()
    qtbot.keyClicks(win.consensus.plan_text, "Draft plan typed live")
    qtbot.waitUntil(lambda: "Draft saved" in win.status_line.text(), timeout=5000)
    entry_id = win.presenter.entry.id  # type: ignore[union-attr]
    win.deleteLater()  # no orderly close: the autosave must already have happened

    again = MeetingModeWindow(ctx, meeting_id)
    qtbot.addWidget(again)
    assert again.presenter.entry is not None and again.presenter.entry.id == entry_id
    assert again.consensus.plan_text.toPlainText() == "Draft plan typed live"


def test_undo_within_a_case(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    box = win.consensus.rationale
    written = box.toPlainText()  # pre-written from the NOMS explanation on arrival
    qtbot.waitUntil(lambda: not win._snapshot_timer.isActive(), timeout=3000)
    steps = win.presenter.undo_steps
    box.setFocus()
    box.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(box, " First thought")
    qtbot.waitUntil(lambda: win.presenter.undo_steps > steps, timeout=3000)
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert box.toPlainText() == written
    qtbot.keyClick(
        win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert box.toPlainText() == written + " First thought"


def test_presentation_mode_follows_the_chair(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_F11)
    pres = win.presentation
    assert pres is not None and pres.isVisible()
    first = pres.view.toPlainText()
    assert win.presenter.case is not None and win.presenter.case.patient.mrn in first
    qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert win.presenter.case.patient.mrn in pres.view.toPlainText()
    assert pres.view.toPlainText() != first
    pres.close()


KILLED_CHAIR = r"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.store.db import Target, open_database, sqlite_url
from mdtboard.ui.meeting import MeetingModeWindow

app = QApplication([])
db = open_database(Target(sqlite_url(sys.argv[1])))
win = MeetingModeWindow(ServiceContext(db, Actor("chair", "chair")), int(sys.argv[2]))
win.show()
win.go_to_step(5)
win.consensus.plan_text.setFocus()
QTest.keyClicks(win.consensus.plan_text, "Typed just before the crash")
deadline = time.time() + 20
while "Draft saved" not in win.status_line.text() and time.time() < deadline:
    app.processEvents()
    time.sleep(0.01)
print("saved" if "Draft saved" in win.status_line.text() else "not saved", flush=True)
time.sleep(60)  # killed here, with the window still open
"""


@pytest.mark.sqlite_only
def test_killed_app_reopens_with_the_last_autosaved_draft(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int, demo_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHAIR, str(demo_path), str(meeting_id)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert line == "saved"
    again = MeetingModeWindow(ctx, meeting_id)
    qtbot.addWidget(again)
    assert again.consensus.plan_text.toPlainText() == "Typed just before the crash"


def test_a_score_changed_on_another_workstation_is_not_overwritten(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.services import assessments

    first = meetings.agenda(ctx.db, meeting_id)[0]
    mine = assessments.record_assessment(ctx, first.referral_id, "kps", {"kps": 70})
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert win.scores.score_forms["kps"].answers() == {"kps": 70}

    # meanwhile, on the coordinator's workstation
    assessments.record_assessment(
        ctx,
        first.referral_id,
        "kps",
        {"kps": 50},
        assessment_id=mine.id,
        expected_version=mine.version,
    )
    type_number(qtbot, win.scores.score_forms["kps"]._inputs["kps"], "90")
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Not saved" in win.status_line.text()
    assert "changed by someone else" in win.status_line.text()
    kps = {
        a.id: a.total
        for a in assessments.list_assessments(ctx.db, first.referral_id)
        if a.tool_id == "kps"
    }
    assert kps[mine.id] == 50  # theirs stands: nothing silently overwritten
    assert 90 not in kps.values()  # and no second copy was made behind their back
    # closing asks before the unsaved 90 is dropped; Discard closes
    when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Discard).click())
    win.close()
    assert not win.isVisible()


def test_an_mscc_case_shows_its_clocks_dexamethasone_and_prompts(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    """reference/scores.md §11: the QS56 clocks from the suspected diagnosis, MRI → plan
    as information only, dexamethasone and the 2023 prompts."""
    from mdtboard.domain import mscc
    from mdtboard.services.pathway import pathway_of

    m = meetings.create_meeting(
        ctx, title="MSCC banner test", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    emergency = fetch_cases(ctx.db, CaseQuery(urgencies=("mscc",)), 0, 1)[0]
    meetings.list_case(ctx, m.id, emergency.referral_id)
    win = MeetingModeWindow(ctx, m.id)
    qtbot.addWidget(win)
    show_active(qtbot, win)
    banner = win.mscc_banner.text()
    assert win.mscc_banner.isVisible() and "SUSPECTED MSCC" in banner
    assert "Suspicion → MRI" in banner and "Suspicion → agreed plan" in banner
    assert "information only" in banner  # MRI → plan is never shown as the standard
    assert "dexamethasone" in banner
    assert html.escape(mscc.mscc_prompts(True)[0]) in banner
    status = pathway_of(ctx.db, emergency.referral_id)
    assert status is not None and status.suspected_mscc
    for clock in status.clocks:  # each clock with the standard it is measured against
        assert html.escape(f"{clock.label}:") in banner and clock.source in banner


def test_presentation_shows_the_noms_reasons_in_its_large_font(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_F11)
    pres = win.presentation
    assert pres is not None
    qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # NOMS step
    assert win.current_step_key() == "noms"
    shown = pres.view.toHtml()
    assert "Decision support for the MDT" in pres.view.toPlainText()
    assert "font-size:9pt" not in shown.replace(" ", "")  # not the chair's small view pasted in
    pres.close()


def test_a_guest_is_added_from_the_attendance_dialog(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.services import decisions

    dialog = AttendanceDialog(ctx, meeting_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    rows = len(dialog.combos)
    dialog.guest_name.setFocus()
    qtbot.keyClicks(dialog.guest_name, "Dr Observer Example (demo)")
    qtbot.keyClick(dialog.guest_name, Qt.Key.Key_Return)
    assert len(dialog.combos) == rows + 1
    assert dialog.guest_name.text() == ""
    names = {a.name: a.status for a in decisions.attendance(ctx.db, meeting_id)}
    assert names["Dr Observer Example (demo)"] == "guest"


def test_any_tool_can_be_added_to_a_case_and_is_saved(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.services import assessments

    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    offered = [
        win.scores.add_tool_combo.itemData(i) for i in range(win.scores.add_tool_combo.count())
    ]
    assert "noms" not in offered and not set(offered) & set(win.scores.score_forms)
    extra = offered[0]
    win.scores.add_tool_combo.setFocus()
    while win.scores.add_tool_combo.currentData() != extra:
        qtbot.keyClick(win.scores.add_tool_combo, Qt.Key.Key_Down)
    qtbot.mouseClick(win.scores.add_tool_btn, Qt.MouseButton.LeftButton)
    assert extra in win.scores.score_forms and win.scores.score_forms[extra].isVisible()
    assert extra not in [
        win.scores.add_tool_combo.itemData(i) for i in range(win.scores.add_tool_combo.count())
    ]
    form = win.scores.score_forms[extra]
    first = form.input_for(next(iter(form._inputs)))
    if isinstance(first, QComboBox):
        pick_first_option(qtbot, first)
    else:
        type_number(qtbot, first, str(int(first.maximum())))
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert win.presenter.case is not None
    saved = {
        a.tool_id for a in assessments.list_assessments(ctx.db, win.presenter.case.referral_id)
    }
    assert extra in saved


def sign_off_8_gy(ctx: ServiceContext, agenda_item_id: int) -> None:
    """A signed-off single-fraction radiotherapy decision (the amendment tests' start)."""
    from mdtboard.services import decisions
    from mdtboard.services.decisions import DecisionInput, ModalityInput

    draft = decisions.save_draft(
        ctx,
        agenda_item_id,
        DecisionInput(
            intent="palliative",
            plan_text="cEBRT 8 Gy single fraction",
            modalities=(ModalityInput("cebrt", {"dose_gy": 8, "fractions": 1}),),
        ),
    )
    decisions.sign_off(ctx, agenda_item_id, draft.version, "Ms Chair (demo)")


def test_amend_withdraw_and_biopsy_deferral_through_the_gui(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.services import decisions

    first, second, third = meetings.agenda(ctx.db, meeting_id)[:3]
    sign_off_8_gy(ctx, first.id)
    win = open_meeting_mode(qtbot, ctx, meeting_id)

    # amend the signed-off first case, with a reason
    assert (
        win.presenter.entry is not None
        and win.presenter.entry.id == first.id
        and win.consensus.plan_text.isReadOnly()
    )
    qtbot.mouseClick(win.signoff.amend_btn, Qt.MouseButton.LeftButton)
    assert not win.consensus.plan_text.isReadOnly()
    win.consensus.plan_text.setFocus()
    qtbot.keyClick(win.consensus.plan_text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(win.consensus.plan_text, " - corrected to 20 Gy in 5")  # keyClicks: ASCII only
    when_modal(
        QInputDialog, lambda d: (d.setTextValue("Dose agreed after the meeting"), d.accept())
    )  # type: ignore[attr-defined]
    qtbot.mouseClick(win.signoff.save_amend_btn, Qt.MouseButton.LeftButton)
    revisions = decisions.versions(ctx.db, first.id)
    assert [r.revision for r in revisions] == [1, 2]
    assert revisions[0].status == "amended" and revisions[0].data.plan_text.endswith("fraction")
    assert revisions[1].amendment_reason == "Dose agreed after the meeting"
    assert revisions[1].data.plan_text.endswith("corrected to 20 Gy in 5")

    # withdraw the second case, with a reason
    show_active(qtbot, win)
    qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert win.presenter.entry is not None and win.presenter.entry.id == second.id
    when_modal(QInputDialog, lambda d: (d.setTextValue("Treated elsewhere"), d.accept()))  # type: ignore[attr-defined]
    win.act_withdraw.trigger()
    withdrawn = next(e for e in meetings.agenda(ctx.db, meeting_id) if e.id == second.id)
    assert (withdrawn.status, withdrawn.reason) == ("withdrawn", "Treated elsewhere")

    # deferring the biopsy needs the MDT's rationale before sign-off
    show_active(qtbot, win)
    while win.presenter.entry is None or win.presenter.entry.id != third.id:
        qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    win.histology.biopsy_route.setFocus()
    while win.histology.biopsy_route.currentData() != "deferred_after_mdt":
        qtbot.keyClick(win.histology.biopsy_route, Qt.Key.Key_Down)
    qtbot.keyClick(win, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert "rationale" in win.options.modality_editor.problems.text().lower()
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    win.histology.biopsy_rationale.setFocus()
    qtbot.keyClicks(
        win.histology.biopsy_rationale, "Known breast primary; imaging typical of metastasis."
    )
    win.histology.biopsy_route.setFocus()
    qtbot.keyClick(win.histology.biopsy_route, Qt.Key.Key_Up)
    qtbot.keyClick(
        win.histology.biopsy_route, Qt.Key.Key_Down
    )  # re-chosen: the rationale goes with it
    qtbot.keyClick(win, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert "rationale" not in win.options.modality_editor.problems.text().lower()


def test_help_sins_prefill_and_a_decision_taken_without_quorum(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.domain.scores import sins_location_for_levels
    from mdtboard.services import decisions
    from mdtboard.services.decisions import DecisionInput, ModalityInput

    first = meetings.agenda(ctx.db, meeting_id)[0]
    assert not decisions.quorum(ctx.db, meeting_id).quorate  # nobody marked present yet
    draft = decisions.save_draft(
        ctx,
        first.id,
        DecisionInput(
            intent="palliative",
            plan_text="Palliative care review",
            modalities=(ModalityInput("palliative_care", {}),),
        ),
    )
    decisions.sign_off(ctx, first.id, draft.version, "Ms Chair (demo)")
    win = open_meeting_mode(qtbot, ctx, meeting_id)

    qtbot.keyClick(win, Qt.Key.Key_F1)  # the help, with this window's keyboard table
    from mdtboard.ui.help import HelpDialog

    shown = win.findChild(HelpDialog)
    assert shown is not None and shown.isVisible() and shown.topic == "meeting"
    assert "Ctrl+Return" in shown.browser.toPlainText()
    assert "Ctrl+PgDown" in shown.browser.toPlainText()
    shown.close()

    qtbot.keyClick(win, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert "NOT quorate" in win.signoff.signoff_status.toPlainText()

    show_active(qtbot, win)
    prefilled = 0
    for _ in range(win.agenda_model.rowCount() - 1):
        qtbot.keyClick(win, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        assert win.presenter.case is not None
        sins, expected = (
            win.scores.score_forms.get("sins"),
            sins_location_for_levels(win.presenter.case.levels),
        )
        if (
            sins is not None
            and expected is not None
            and not any(s.tool_id == "sins" for s in win.presenter.case.scores)
        ):
            assert sins.answers().get("location") == expected  # pre-filled from the levels
            prefilled += 1
    assert prefilled >= 1


def test_changes_that_cannot_be_saved_are_not_lost_by_moving_on(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    """A save that fails (here: "who dissented" longer than it can hold) keeps the user on
    the case with what they typed; only an explicit Discard moves on without it."""
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    first = win.presenter.entry.id  # type: ignore[union-attr]
    qtbot.keyClick(win, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    win.consensus.plan_text.setFocus()
    qtbot.keyClicks(win.consensus.plan_text, "Plan typed before the failed save")
    win.consensus.dissent_by.setFocus()
    qtbot.keyClicks(win.consensus.dissent_by, "Dr A (demo), " * 40)  # 520 characters: too long
    when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    win.step_case(+1)  # Next case: the save fails, the user chooses to stay
    assert win.presenter.entry.id == first  # type: ignore[union-attr]
    assert win.consensus.plan_text.toPlainText() == "Plan typed before the failed save"
    assert "too long" in win.last_save_error
    assert win.agenda_model.row_at(win.agenda_view.currentIndex().row()).id == first  # type: ignore[union-attr]

    when_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    win.close()  # closing asks too, and stays
    assert win.isVisible()

    win.consensus.dissent_by.clear()
    qtbot.keyClicks(win.consensus.dissent_by, "Dr A (demo)")
    win.step_case(+1)  # now it saves, and moves on
    assert win.presenter.entry.id != first  # type: ignore[union-attr]
    with ctx.db.reader() as s:
        plan = s.execute(
            select(Decision.plan_text).where(Decision.agenda_item_id == first)
        ).scalar_one()
    assert plan == "Plan typed before the failed save"


def test_a_score_corrected_while_amending_is_saved_with_the_amendment(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.services import assessments, decisions

    first = meetings.agenda(ctx.db, meeting_id)[0]
    signed = assessments.record_assessment(ctx, first.referral_id, "kps", {"kps": 70})
    sign_off_8_gy(ctx, first.id)
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.mouseClick(win.signoff.amend_btn, Qt.MouseButton.LeftButton)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    type_number(qtbot, win.scores.score_forms["kps"]._inputs["kps"], "50")  # corrected
    when_modal(QInputDialog, lambda d: (d.setTextValue("KPS was misread"), d.accept()))  # type: ignore[attr-defined]
    qtbot.mouseClick(win.signoff.save_amend_btn, Qt.MouseButton.LeftButton)
    assert [r.revision for r in decisions.versions(ctx.db, first.id)] == [1, 2]
    kps = [a for a in assessments.list_assessments(ctx.db, first.referral_id) if a.tool_id == "kps"]
    by_id = {a.id: a.answers["kps"] for a in kps}
    assert by_id[signed.id] == 70  # the score revision 1 was signed on stays as it was
    assert by_id[max(by_id)] == 50 and max(by_id) != signed.id  # the correction: a new score
