"""Coordinator flows driven with real clicks and keys (fictional data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.domain.readiness import Light
from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.worklist import fetch_cases
from mdtboard.store.models import Patient, Referral
from mdtboard.ui.date_fields import format_date, format_datetime
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.referral_dialog import ReferralDialog

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "referrals.csv"


@pytest.fixture
def window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def count(ctx: ServiceContext, model: type) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def type_into(qtbot: QtBot, widget: object, text: str) -> None:
    widget.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)


def choose(qtbot: QtBot, combo: object, data: str) -> None:
    """Pick a combo entry with the keyboard, as a user would."""
    combo.setFocus()  # type: ignore[attr-defined]
    target = combo.findData(data)  # type: ignore[attr-defined]
    assert target >= 0, data
    while combo.currentIndex() != target:  # type: ignore[attr-defined]
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up  # type: ignore[attr-defined]
        qtbot.keyClick(combo, key)


def test_create_a_referral_with_the_level_picker(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.referral_dialog
    assert isinstance(dialog, ReferralDialog) and dialog.isVisible()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.readiness.light == Light.RED

    type_into(qtbot, dialog.mrn, "GUI0000001")
    qtbot.keyClick(dialog.mrn, Qt.Key.Key_Tab)
    type_into(qtbot, dialog.family_name, "Clickwright")
    type_into(qtbot, dialog.given_name, "Ondine")
    dialog.date_of_birth.setFocus()
    qtbot.keyClicks(dialog.date_of_birth, format_date(date(1962, 3, 14)))
    choose(qtbot, dialog.sex, "female")  # it starts "Not recorded — choose"
    type_into(qtbot, dialog.referrer_name, "Dr Fictional Referrer")
    choose(qtbot, dialog.urgency, "urgent")
    type_into(qtbot, dialog.question, "Stabilise T11 before SBRT?")
    choose(qtbot, dialog.disease_kind, "metastatic")
    dialog.histology.setFocus()
    dialog.histology.lineEdit().selectAll()  # type: ignore[union-attr]
    qtbot.keyClicks(dialog.histology.lineEdit(), "RCC")  # a synonym
    qtbot.keyClick(dialog.histology.lineEdit(), Qt.Key.Key_Return)
    assert dialog.value("histology_key") == "met_renal", dialog.histology.currentText()
    choose(qtbot, dialog.compartment, "extradural")

    picker = dialog.levels
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.level_rect("T11").center())
    qtbot.mouseClick(
        picker,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        pos=picker.level_rect("L1").center(),
    )
    assert picker.selected() == ("T11", "T12", "L1")

    # Readiness follows the form: imaging and pathology missing keep it red.
    assert dialog.readiness.light == Light.RED
    dialog.imaging_available.setFocus()
    qtbot.keyClick(dialog.imaging_available, Qt.Key.Key_Space)
    assert dialog.imaging_available.isChecked()
    dialog.imaging_date.setFocus()
    today = date.today()
    qtbot.keyClicks(dialog.imaging_date, format_date(today))
    assert dialog.value("imaging_date") == today, dialog.imaging_date.text()
    dialog.pathology_available.setFocus()
    qtbot.keyClick(dialog.pathology_available, Qt.Key.Key_Space)
    assert dialog.pathology_available.isChecked()
    dialog.pathology_date.setFocus()
    qtbot.keyClicks(dialog.pathology_date, format_date(today))
    type_into(qtbot, dialog.neuro_status, "Intact")
    assert dialog.readiness.light == Light.AMBER, dialog.readiness.text()  # only scores missing
    assert "Scores missing" in dialog.readiness.text()

    before = count(ctx, Referral)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    shown = {k: v.text() for k, v in dialog._errors.items() if not v.isHidden()}
    assert not dialog.isVisible(), shown
    assert count(ctx, Referral) == before + 1
    with ctx.db.reader() as s:
        r = s.execute(
            select(Referral).join(Patient).where(Patient.mrn == "GUI0000001")
        ).scalar_one()
        assert r.levels_text == "T11–L1"
        assert r.histology_key == "met_renal"
        assert r.urgency == "urgent"
        assert r.question == "Stabilise T11 before SBRT?"


def test_mandatory_fields_are_named_inline_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    dialog = window.new_referral()
    qtbot.waitUntil(dialog.isActiveWindow)
    before = count(ctx, Referral)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert not dialog._errors["mrn"].isHidden()
    assert "required" in dialog._errors["mrn"].text()
    assert not dialog._errors["levels"].isHidden()
    assert count(ctx, Referral) == before
    dialog.undo_stack.setClean()
    dialog.reject()


def test_undo_and_redo_in_the_form(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.new_referral()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_into(qtbot, dialog.referrer_name, "Dr Typo")
    qtbot.mouseClick(
        dialog.levels, Qt.MouseButton.LeftButton, pos=dialog.levels.level_rect("C5").center()
    )
    assert dialog.levels.selected() == ("C5",)
    qtbot.keyClick(dialog.referrer_name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.levels.selected() == ()
    qtbot.keyClick(dialog.referrer_name, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.referrer_name.text() == ""
    qtbot.keyClick(
        dialog.referrer_name,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert dialog.referrer_name.text() == "Dr Typo"
    dialog.undo_stack.setClean()
    dialog.reject()


def test_unsaved_changes_prompt(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.new_referral()
    qtbot.waitUntil(dialog.isActiveWindow)
    type_into(qtbot, dialog.referrer_name, "Dr Someone")

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(50, answer)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()  # cancelled: nothing lost
    assert dialog.referrer_name.text() == "Dr Someone"
    dialog.undo_stack.setClean()
    dialog.reject()


def test_build_and_reorder_an_agenda(qtbot: QtBot, window: MainWindow, ctx: ServiceContext) -> None:
    from datetime import UTC, datetime, timedelta

    m = meetings.create_meeting(
        ctx, title="GUI test MDT", starts_at=datetime.now(UTC) + timedelta(days=2)
    )
    qtbot.keyClick(window.tabs, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Mee&tings
    page = window.meetings_page
    assert page is not None
    page.refresh(select_id=m.id)
    assert page.current_meeting_id() == m.id
    view = page.candidate_view
    for n in range(3):
        rect = view.visualRect(page.candidates.index(0, 1))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTimer.singleShot(50, _accept_warning)  # a case that is not ready asks first
        qtbot.mouseClick(page.add_btn, Qt.MouseButton.LeftButton)
        assert len(meetings.agenda(ctx.db, m.id)) == n + 1
    entries = meetings.agenda(ctx.db, m.id)
    assert len(entries) == 3
    first = entries[0].id
    window.activateWindow()  # the "not ready" message boxes took the focus
    qtbot.waitUntil(window.isActiveWindow)
    page.agenda_view.setFocus()
    page.agenda_view.selectRow(0)
    qtbot.keyClick(page.agenda_view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    after = meetings.agenda(ctx.db, m.id)
    assert after[1].id == first, (
        [e.id for e in entries],
        [e.id for e in after],
        [e.id for e in page.agenda_model.rows()],
    )
    assert [e.position for e in after] == [1, 2, 3]

    # drag and drop through the model, as the view does on a drop
    model = page.agenda_model
    mime = model.mimeData([model.index(2, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, model.index(-1, -1))
    dropped = meetings.agenda(ctx.db, m.id)
    assert dropped[0].id == after[2].id


def _accept_warning() -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        assert "not ready" in box.text()
        next(b for b in box.buttons() if b.text().startswith("List all")).click()


def test_many_cases_onto_an_agenda_in_one_step(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    """Issue 17 part 1: select several candidates and add them at once; one question
    names the cases that are not ready; "Add all ready" lists every green one."""
    from datetime import UTC, datetime, timedelta

    from mdtboard.services.readiness import readiness_for

    m = meetings.create_meeting(
        ctx, title="Bulk GUI test MDT", starts_at=datetime.now(UTC) + timedelta(days=2)
    )
    qtbot.keyClick(window.tabs, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Mee&tings
    page = window.meetings_page
    assert page is not None
    page.refresh(select_id=m.id)
    view = page.candidate_view
    rect = view.visualRect(page.candidates.index(0, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    picked = [page.candidates.row_at(r) for r in range(4)]
    ids = [c.referral_id for c in picked if c is not None]
    states = readiness_for(ctx.db, ids)
    not_ready = [i for i in ids if not states[i].ready]
    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            next(b for b in box.buttons() if b.text().startswith("List all")).click()
        else:
            QTimer.singleShot(20, answer)

    if not_ready:
        QTimer.singleShot(20, answer)
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter adds the whole selection
    listed = {e.referral_id for e in meetings.agenda(ctx.db, m.id)}
    assert listed == set(ids)
    assert len(asked) == (1 if not_ready else 0)  # one question for all of them
    if not_ready:
        assert f"{len(not_ready)} of the 4 cases are not ready" in asked[0]

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    ready_left = [
        c.referral_id
        for c in fetch_cases(ctx.db, replace(page._candidate_query(), readiness=("green",)), 0, 500)
    ]
    qtbot.mouseClick(page.add_ready_btn, Qt.MouseButton.LeftButton)  # every green one
    listed_now = {e.referral_id for e in meetings.agenda(ctx.db, m.id)}
    assert listed_now == set(ids) | set(ready_left) and ready_left


def test_relist_a_deferred_case(qtbot: QtBot, window: MainWindow, ctx: ServiceContext) -> None:
    window.tabs.setCurrentIndex(1)
    page = window.meetings_page
    assert page is not None
    upcoming = next(m for m in meetings.list_meetings(ctx.db) if m.status == "planned")
    page.refresh(select_id=upcoming.id)
    assert page.relist_list.count() >= 1
    text = page.relist_list.itemText(0)
    assert "Awaiting updated MRI" in text
    before = len(meetings.agenda(ctx.db, upcoming.id))
    qtbot.mouseClick(page.relist_btn, Qt.MouseButton.LeftButton)
    entries = meetings.agenda(ctx.db, upcoming.id)
    assert len(entries) == before + 1
    relisted = [e for e in entries if e.relisted_from_id is not None]
    assert relisted and relisted[0].reason == "Awaiting updated MRI"


def test_earlier_mdt_discussions_are_visible_from_the_case(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    closed = next(m for m in meetings.list_meetings(ctx.db) if m.status == "closed")
    entry = next(e for e in meetings.agenda(ctx.db, closed.id) if e.status == "discussed")
    dialog = window.edit_case(entry.referral_id)
    assert "MDT history" in dialog.history.text()
    assert "discussed" in dialog.history.text()
    dialog.reject()


def test_editing_an_mscc_case_keeps_its_pathway_times_and_records_new_ones(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    from mdtboard.services import referrals

    with ctx.db.reader() as s:
        case_id = (
            s.execute(
                select(Referral.id).where(
                    Referral.mscc_suspected_at.is_not(None), Referral.mri_at.is_not(None)
                )
            )
            .scalars()
            .first()
        )
    assert case_id is not None
    before = referrals.get_case(ctx.db, case_id).data
    dialog = window.edit_case(case_id)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.mri_at.text() == format_datetime(before.mri_at)  # the locale's format

    dialog.presenting_problem.setFocus()
    qtbot.keyClick(dialog.presenting_problem, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.presenting_problem, " Worse overnight.")
    dialog.dexamethasone_started_at.setFocus()
    dialog.dexamethasone_started_at.selectAll()
    qtbot.keyClicks(dialog.dexamethasone_started_at, "31/02/2026 10:00")  # no such day
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()  # refused, with the field named
    assert "not a date and time" in dialog._errors["dexamethasone_started_at"].text()

    dialog.dexamethasone_started_at.selectAll()
    nine_thirty = datetime(2026, 11, 1, 9, 30).astimezone()
    qtbot.keyClicks(dialog.dexamethasone_started_at, format_datetime(nine_thirty))
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    after = referrals.get_case(ctx.db, case_id).data
    assert after.presenting_problem.endswith("Worse overnight.")
    assert after.mscc_suspected_at == before.mscc_suspected_at  # not wiped by the save
    assert after.mri_at == before.mri_at
    assert after.dexamethasone_started_at is not None
    local = after.dexamethasone_started_at.astimezone()
    assert (local.day, local.month, local.hour, local.minute) == (1, 11, 9, 30)


def test_ready_cases_only_follows_the_traffic_light_and_the_imaging_setting(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    from datetime import UTC, datetime, timedelta

    from mdtboard.services import readiness, settings

    m = meetings.create_meeting(
        ctx, title="Ready-only test", starts_at=datetime.now(UTC) + timedelta(days=2)
    )
    qtbot.keyClick(window.tabs, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Mee&tings
    page = window.meetings_page
    assert page is not None
    page.refresh(select_id=m.id)
    everyone = page.candidates.total
    qtbot.mouseClick(page.ready_only, Qt.MouseButton.LeftButton)
    assert page.ready_only.isChecked()
    ready = page.candidates.total
    assert 0 < ready < everyone
    shown = [page.candidates.row_at(r).referral_id for r in range(page.candidates.rowCount())]  # type: ignore[union-attr]
    lights = readiness.readiness_for(ctx.db, shown)
    assert all(lights[i].ready for i in shown)

    settings.update_settings(ctx, imaging_max_age_days=1)  # imaging must be a day old at most
    page.refresh(select_id=m.id)
    assert page.candidates.total < ready
    qtbot.mouseClick(page.ready_only, Qt.MouseButton.LeftButton)
    assert page.candidates.total == everyone


def test_red_flags_suggest_an_urgency_and_the_checklists_are_saved(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    from mdtboard.services import referrals
    from mdtboard.services.worklist import CaseQuery, fetch_cases
    from mdtboard.ui.triage import DifferentialDialog, RedFlagsDialog

    case = fetch_cases(ctx.db, CaseQuery(urgencies=("routine",)), 0, 1)[0]
    dialog = window.edit_case(case.referral_id)
    qtbot.waitUntil(dialog.isActiveWindow)
    assert not dialog.use_suggestion_btn.isVisible()

    qtbot.mouseClick(dialog.red_flags_btn, Qt.MouseButton.LeftButton)
    flags = dialog.checklist_dialog
    assert isinstance(flags, RedFlagsDialog)
    qtbot.waitExposed(flags)
    for key, box in flags.boxes.items():  # exactly these three, as a user would tick them
        if box.isChecked() != (key in ("cancer_history", "night_pain", "limb_weakness")):
            box.setFocus()
            qtbot.keyClick(box, Qt.Key.Key_Space)
    assert "metastatic spinal cord compression" in flags.suggestion.text().lower()
    flags.accept()
    assert dialog.red_flags_btn.text() == "3 recorded…"
    assert "MSCC emergency" in dialog.urgency_hint.text()
    assert dialog.use_suggestion_btn.isVisible()
    qtbot.mouseClick(dialog.use_suggestion_btn, Qt.MouseButton.LeftButton)
    assert dialog.value("urgency") == "mscc"
    assert not dialog.use_suggestion_btn.isVisible()
    # NG234 §1.8: a suspected MSCC with neurology asks for dexamethasone or a reason
    assert dialog.dexamethasone_prompt.isVisible()
    assert "16 mg" in dialog.dexamethasone_prompt.text()
    dialog.dexamethasone_omitted_reason.setFocus()
    qtbot.keyClicks(dialog.dexamethasone_omitted_reason, "patient choice")
    assert not dialog.dexamethasone_prompt.isVisible()
    dialog.dexamethasone_omitted_reason.clear()
    qtbot.keyClick(dialog.dexamethasone_omitted_reason, Qt.Key.Key_Space)
    qtbot.keyClick(dialog.dexamethasone_omitted_reason, Qt.Key.Key_Backspace)
    assert dialog.dexamethasone_prompt.isVisible()

    qtbot.mouseClick(dialog.differential_btn, Qt.MouseButton.LeftButton)
    diff = dialog.checklist_dialog
    assert isinstance(diff, DifferentialDialog)
    qtbot.waitExposed(diff)
    combo = diff.combos["spondylodiscitis"]
    combo.setFocus()
    for _ in range(4):
        if combo.currentData() == "ruled_out":
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    diff.accept()
    assert dialog.differential_btn.text() == "1 ruled out…"
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo it
    assert dialog.differential_btn.text() == "Not recorded…"
    qtbot.keyClick(
        dialog,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = referrals.get_case(ctx.db, case.referral_id).data
    assert saved.red_flags == ("night_pain", "limb_weakness", "cancer_history")
    assert dict(saved.differential)["spondylodiscitis"] == "ruled_out"
    assert saved.urgency == "mscc"


def test_candidates_are_offered_by_group(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    """Issue 17 part 1: the cases to list, grouped — new referrals, or discussed before —
    with emergencies first in each."""
    qtbot.keyClick(window.tabs, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Mee&tings
    page = window.meetings_page
    assert page is not None
    group = page.candidate_group

    def shown() -> list[tuple[str, str]]:
        rows = [page.candidates.row_at(r) for r in range(page.candidates.rowCount())]
        return [(c.status, c.urgency) for c in rows if c is not None]

    everything = shown()
    group.setFocus()
    qtbot.keyClick(group, Qt.Key.Key_Down)  # "New referrals"
    new = shown()
    assert new and {s for s, _ in new} <= {"new", "ready"}
    qtbot.keyClick(group, Qt.Key.Key_Down)  # "Discussed before"
    discussed = shown()
    assert discussed and {s for s, _ in discussed} == {"discussed"}
    assert len(new) + len(discussed) == len(everything)
    ranks = {"mscc": 0, "urgent": 1, "routine": 2}
    for rows in (new, discussed):
        order = [ranks[u] for _, u in rows]
        assert order == sorted(order)  # emergencies first
