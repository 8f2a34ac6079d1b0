"""Issue 17: every date on screen is written the user's locale's way, in local time; the
date editors are typed fields (one Tab leaves them); sorting by a date sorts by the date.
Also the red-flag checklist on a small screen, the filter bar's labels and the DEMO
titles. Fictional data throughout."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QLocale, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from mdtboard.domain import mscc, treatments
from mdtboard.services import audit_log, meetings, referrals
from mdtboard.services.audit_log import AuditFilter
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.decisions import ModalityInput
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.services.settings import is_demo
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.db import Database
from mdtboard.ui.agenda_model import MeetingTableModel
from mdtboard.ui.audit_viewer import AuditTableModel, AuditViewer
from mdtboard.ui.case_columns import COLUMNS
from mdtboard.ui.case_model import CaseTableModel
from mdtboard.ui.conflict_dialog import ConflictDialog
from mdtboard.ui.date_fields import DateField, format_date
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.meeting import prompts
from mdtboard.ui.meetings_page import MeetingDialog, MeetingsPage
from mdtboard.ui.modality_editor import ModalityEditor
from mdtboard.ui.referral_dialog import ReferralDialog
from mdtboard.ui.triage import RedFlagsDialog
from mdtboard.ui.worklist_filters import WorklistFilterBar
from tests.ui.test_meeting_mode import open_meeting_mode

GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)
AMERICAN = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
#: Monday 23 November 2026, 08:00:05 UTC: 09:00:05 in Berlin
WHEN = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
NNBSP = "\u202f"  # between the time and AM/PM in en_US


@pytest.fixture(autouse=True)
def berlin() -> Iterator[None]:
    """Local time is Berlin's (UTC+1 in November), so local times can be written out."""
    was = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if was is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = was
    time.tzset()


@pytest.fixture
def locale() -> Iterator[Callable[[QLocale], None]]:
    """Set the user's locale for a test; the one before is restored after it."""
    was = QLocale()
    yield QLocale.setDefault
    QLocale.setDefault(was)


def _column(key: str) -> int:
    return [k for k, _ in COLUMNS].index(key)


def _register(ctx: ServiceContext, mrn: str, received: datetime) -> int:
    case = referrals.register_referral(
        ctx,
        PatientInput(mrn, "Zephyrwood", "Ottoline", date(1961, 5, 14), "female"),
        ReferralInput(
            received_at=received,
            referrer_name="Dr Orrin Vale (demo)",
            urgency="routine",
            question="Radiotherapy for the T9 lesion?",
            disease_kind="metastatic",
            histology_key="met_breast",
            compartment="extradural",
            levels=("T9",),
        ),
    )
    return case.id


def _cells(model: CaseTableModel, key: str) -> list[str]:
    col = _column(key)
    return [model.index(r, col).data() for r in range(model.rowCount())]


# --- the worklist -------------------------------------------------------------------
def test_the_worklist_writes_received_in_the_locale_and_sorts_by_the_date(
    qtbot: QtBot, ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    # as text in en_US these sort 11/3, 12/5, 2/10: by date they are 12/5, 2/10, 11/3
    for n, received in enumerate(
        (
            datetime(2026, 2, 10, 14, 30, tzinfo=UTC),
            WHEN - timedelta(days=20),
            WHEN.replace(2025, 12, 5),
        )
    ):
        _register(ctx, f"DEMO-LD-000{n + 1}", received)
    model = CaseTableModel(ctx.db)
    model.set_query(CaseQuery(search="Zephyrwood"))
    locale(GERMAN)
    model.sort(_column("received"), Qt.SortOrder.AscendingOrder)
    assert _cells(model, "received") == [
        "05.12.2025 09:00",
        "10.02.2026 15:30",
        "03.11.2026 09:00",
    ]
    locale(AMERICAN)
    model.sort(_column("received"), Qt.SortOrder.DescendingOrder)
    assert _cells(model, "received") == [
        f"11/3/2026 9:00{NNBSP}AM",
        f"2/10/2026 3:30{NNBSP}PM",
        f"12/5/2025 9:00{NNBSP}AM",
    ]


def test_the_next_meeting_has_its_day_name(
    ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    referral_id = _register(ctx, "DEMO-LD-0010", WHEN - timedelta(days=3))
    m = meetings.create_meeting(ctx, title="Locale test (fictional)", starts_at=WHEN)
    meetings.list_case(ctx, m.id, referral_id)
    model = CaseTableModel(ctx.db)
    locale(GERMAN)
    model.set_query(CaseQuery(search="Zephyrwood"))
    assert _cells(model, "next_meeting") == ["Mo. 23.11.2026"]
    assert _cells(model, "received") == ["20.11.2026 09:00"]


def test_the_meeting_filter_dates_an_undated_title(
    qtbot: QtBot, ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    locale(GERMAN)
    bar = WorklistFilterBar()
    qtbot.addWidget(bar)
    base = meetings.list_meetings(ctx.db)[0]
    undated = replace(base, id=9001, title="Locale test (fictional)", starts_at=WHEN)
    dated = replace(
        base, id=9002, title="Spine oncology MDT — 30 Nov 2026", starts_at=WHEN + timedelta(days=7)
    )
    bar.set_meetings([undated, dated])
    combo = bar.meeting_filter
    assert combo.itemText(combo.findData(9001)) == "23.11.2026 — Locale test (fictional)"
    assert combo.itemText(combo.findData(9002)) == "Spine oncology MDT — 30 Nov 2026"  # data


# --- meetings -----------------------------------------------------------------------
def test_the_meetings_list_and_the_agenda_title(
    qtbot: QtBot, ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    locale(GERMAN)
    m = meetings.create_meeting(ctx, title="Locale test (fictional)", starts_at=WHEN)
    table = MeetingTableModel()
    table.set_rows([m])
    assert table.index(0, 0).data() == "Mo. 23.11.2026 09:00"
    locale(AMERICAN)
    assert table.index(0, 0).data() == f"Mon 11/23/2026 9:00{NNBSP}AM"
    page = MeetingsPage(ctx)
    qtbot.addWidget(page)
    row = page.meeting_model.row_of(m.id)
    page.meeting_view.setCurrentIndex(page.meeting_model.index(row, 0))
    assert f"(Mon 11/23/2026 9:00{NNBSP}AM, 0 cases)" in page.agenda_title.text()


def test_the_new_meeting_date_is_typed_and_one_tab_leaves_it(
    qtbot: QtBot, ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    locale(GERMAN)
    dialog = MeetingDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert DEMO_TITLE in dialog.windowTitle()
    field = dialog.starts_at
    assert isinstance(field, DateField)
    assert dialog.title.text().startswith("Spine oncology MDT — ")  # the proposed title
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "14.12.2027 08:30")
    assert field.datetime_value() == datetime(2027, 12, 14, 7, 30, tzinfo=UTC)
    assert dialog.title.text() == "Spine oncology MDT — 14 Dec 2027"  # follows the date
    qtbot.keyClick(field, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.location  # one Tab, not one per section
    # not a date: refused, saying how to type one, and nothing is created
    before = len(meetings.list_meetings(ctx.db))
    field.setText("14.13.2027")
    dialog.save()
    assert dialog.error.text() == (
        "Date and time: '14.13.2027' is not a date and time (type dd.mm.yyyy hh:mm)"
    )
    assert dialog.isVisible() and len(meetings.list_meetings(ctx.db)) == before
    field.clear()
    dialog.save()
    assert "needs one" in dialog.error.text()
    # Alt+Down opens the calendar on the field's date
    field.setText("14.12.2027 08:30")
    qtbot.keyClick(field, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert field.calendar is not None and field.calendar.isVisible()
    assert field.calendar.selectedDate().toPython() == date(2027, 12, 14)
    qtbot.keyClick(field.calendar, Qt.Key.Key_Escape)
    dialog.save()
    assert len(meetings.list_meetings(ctx.db)) == before + 1


def test_meeting_mode_writes_dates_the_locale_way_and_the_due_date_is_typed(
    qtbot: QtBot, ctx: ServiceContext, locale: Callable[[QLocale], None]
) -> None:
    locale(GERMAN)
    m = meetings.create_meeting(
        ctx, title="Locale test (fictional)", starts_at=datetime.now(UTC) + timedelta(days=30)
    )
    (case,) = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready"), sort="received"), 0, 1)
    meetings.list_case(ctx, m.id, case.referral_id)
    win = open_meeting_mode(qtbot, ctx, m.id)
    report = win.presenter.case
    assert report is not None
    born = report.patient.date_of_birth.strftime("%d.%m.%Y")
    assert f"born {born}," in win.summary.summary_view.toPlainText()
    assert f"born {born} ·" in win.presentation_html()
    # the sign-off question: this meeting is in the future
    text = prompts.sign_off_text(report, win.meeting)
    assert f"dated {format_date(m.starts_at)}, in the future" in text
    assert format_date(m.starts_at).count(".") == 2

    page = win.actions_page
    qtbot.keyClick(win, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    due = page.action_due
    assert isinstance(due, DateField)
    assert due.date_value() == date.today() + timedelta(days=7)  # a week ahead by default
    page.action_text.setFocus()
    qtbot.keyClicks(page.action_text, "Send outcome letter")
    if not page.action_owner.currentText():  # no one marked present yet
        page.action_owner.setEditText("MDT coordinator (demo)")
    due.setFocus()
    due.selectAll()
    qtbot.keyClicks(due, "24.12.2026")
    qtbot.keyClick(due, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.add_action_btn  # one Tab leaves the date
    qtbot.keyClick(page.add_action_btn, Qt.Key.Key_Space)
    (added,) = page.actions_model.actions()
    assert added.due_date == date(2026, 12, 24)
    assert page.actions_model.index(0, 2).data() == "24.12.2026"
    assert "by 24.12.2026" in win.presentation_html()
    # a due date that is not one is refused, and said so
    page.action_text.setFocus()
    qtbot.keyClicks(page.action_text, "Book SBRT planning CT")
    due.setFocus()
    due.selectAll()
    qtbot.keyClicks(due, "31.02.2027")
    qtbot.mouseClick(page.add_action_btn, Qt.MouseButton.LeftButton)
    assert "is not a date" in page.action_error.text()
    assert page.actions_model.rowCount() == 1
    # the table's own editor takes the locale's format
    assert page.actions_model.setData(page.actions_model.index(0, 2), "02.01.2027")
    assert page.actions_model.actions()[0].due_date == date(2027, 1, 2)
    win.close()


# --- the audit trail, the conflict dialog ----------------------------------------------
def test_the_audit_trail_time_to_the_second(
    qtbot: QtBot,
    ctx: ServiceContext,
    locale: Callable[[QLocale], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = audit_log.fetch_events

    def at_when(*args: object) -> list[audit_log.AuditRow]:
        return [replace(r, occurred_at=WHEN) for r in real(*args)]  # type: ignore[arg-type]

    monkeypatch.setattr(audit_log, "fetch_events", at_when)
    model = AuditTableModel(ctx)
    model.set_filter(AuditFilter())
    locale(GERMAN)
    assert model.index(0, 1).data() == "23.11.2026 09:00:05"
    locale(AMERICAN)
    assert model.index(0, 1).data() == f"11/23/2026 9:00:05{NNBSP}AM"
    viewer = AuditViewer(ctx)
    qtbot.addWidget(viewer)
    assert viewer.windowTitle() == f"Audit trail — {DEMO_TITLE}"


def test_the_conflict_dialog_shows_dates_as_the_form_does(
    qtbot: QtBot, locale: Callable[[QLocale], None]
) -> None:
    locale(GERMAN)
    mine = {"received_at": WHEN, "imaging_date": date(2026, 11, 20), "levels": ("T9", "T10")}
    theirs = {
        "received_at": WHEN + timedelta(hours=2),
        "imaging_date": None,
        "levels": ("T9",),
    }
    dialog = ConflictDialog(mine, theirs, "Case 7 (fictional)")
    qtbot.addWidget(dialog)
    text = dialog.findChild(QWidget, "conflictTable").toPlainText()  # type: ignore[union-attr]
    assert "23.11.2026 09:00" in text and "23.11.2026 11:00" in text
    assert "20.11.2026" in text and "T9, T10" in text
    assert "+00:00" not in text and "2026-11" not in text


# --- editors ------------------------------------------------------------------------
def test_a_modality_date_is_a_date_field_blank_for_none(
    qtbot: QtBot, locale: Callable[[QLocale], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    locale(GERMAN)
    dated = treatments.ModalityKind(
        "dated_test",
        "Dated step (test)",
        "Supportive",
        (treatments.Field("start", "Start date", "date"),),
        supportive=True,
    )
    monkeypatch.setattr(
        treatments, "MODALITY_KINDS", {**treatments.MODALITY_KINDS, dated.key: dated}
    )
    editor = ModalityEditor()
    qtbot.addWidget(editor)
    editor.set_plan(None, [ModalityInput("dated_test", {"start": "2026-12-01"})])
    field = editor.detail_widget("start")
    assert isinstance(field, DateField)
    assert field.text() == "01.12.2026"
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "24.12.2026")
    assert editor.modalities()[0].details == {"start": "2026-12-24"}  # stored as ISO
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert editor.modalities()[0].details == {}  # empty: no date


# --- the red-flag checklist on an 800-pixel screen ------------------------------------
def test_the_red_flag_checklist_fits_the_screen_with_its_note_in_full(qtbot: QtBot) -> None:
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert (screen.width(), screen.height()) == (800, 800)  # the offscreen screen
    dialog = RedFlagsDialog(())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for flag in mscc.RED_FLAGS:  # every flag ticked: the longest suggestion
        box = dialog.boxes[flag.key]
        dialog.checklist_area.ensureWidgetVisible(box)
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert box.isChecked(), flag.key
    note = dialog.note
    qtbot.waitUntil(lambda: note.height() >= note.heightForWidth(note.width()), timeout=2000)
    assert note.wordWrap() and note.text().find("Decision support") >= 0
    assert note.visibleRegion().boundingRect() == note.rect()
    assert screen.contains(dialog.frameGeometry())
    assert dialog.frameGeometry().height() <= 800
    for button in dialog.findChildren(QPushButton):  # OK and Cancel stay in view too
        assert button.visibleRegion().boundingRect() == button.rect(), button.text()
    assert "metastatic spinal cord compression" in dialog.suggestion.text().lower()
    dialog.reject()


# --- the filter bar -----------------------------------------------------------------
def test_each_filter_label_overflows_with_its_combo(qtbot: QtBot) -> None:
    win = QMainWindow()
    qtbot.addWidget(win)
    bar = WorklistFilterBar(win)
    win.addToolBar(bar)
    win.resize(520, 300)  # too narrow for every filter: some go behind "»"
    win.show()
    qtbot.waitExposed(win)
    combos = [bar.status_filter, bar.urgency_filter, bar.readiness_filter, bar.meeting_filter]
    hidden = 0
    for field in (bar.search, *combos):
        pair = field.parentWidget()
        assert pair is not None and pair.parentWidget() is bar
        (label,) = pair.findChildren(QLabel)
        assert label.buddy() is field
        assert label.isVisibleTo(win) == field.isVisibleTo(win), field.objectName()
        hidden += not field.isVisibleTo(win)
    assert hidden, "the window was wide enough for every filter"


# --- DEMO in the titles -------------------------------------------------------------
def test_the_referral_and_new_meeting_titles_say_demo(
    qtbot: QtBot, ctx: ServiceContext, empty_db: Database
) -> None:
    assert is_demo(ctx.db)
    referral = ReferralDialog(ctx)
    qtbot.addWidget(referral)
    assert referral.windowTitle() == f"New referral — {DEMO_TITLE}"
    plain = MeetingDialog(ServiceContext(empty_db, Actor("test.user", "administrator")))
    qtbot.addWidget(plain)
    assert plain.windowTitle() == "New meeting"
