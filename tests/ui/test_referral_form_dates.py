"""The referral form's dates, choices and notes (issue 17 part 3), driven with keys
and clicks: dates typed in the user's locale with a calendar and a Now button, one Tab
to leave a date, sex and disease kind chosen rather than preset, the histology and the
red-flag note readable. Fictional data throughout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, QLocale, QPoint, Qt
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.services import referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import Patient, Referral
from mdtboard.ui.date_fields import (
    DateField,
    format_date,
    format_datetime,
    parse_date,
    parse_local_datetime,
)
from mdtboard.ui.form_fields import NOT_CHOSEN
from mdtboard.ui.referral_dialog import ReferralDialog
from tests.ui.referral_forms import referral_forms

Locale = QLocale.Language
Country = QLocale.Country


@pytest.fixture
def locale() -> Iterator[Callable[[QLocale], None]]:
    """Set the user's locale for a test (British English unless a test says other)."""
    was = QLocale()

    def set_(loc: QLocale) -> None:
        QLocale.setDefault(loc)

    set_(QLocale(Locale.English, Country.UnitedKingdom))
    yield set_
    QLocale.setDefault(was)


Opener = Callable[..., ReferralDialog]


@pytest.fixture
def open_form(qtbot: QtBot, ctx: ServiceContext, locale: object) -> Iterator[Opener]:
    """The referral form as a user sees it; closed at the end without the unsaved-changes
    question (a failing test must not hang on it)."""
    with referral_forms(qtbot) as forms:
        yield lambda referral_id=None, size=None: forms.open(ctx, referral_id, size)


def count(ctx: ServiceContext, model: type) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Click into a field and type over what it shows."""
    widget.setFocus()
    if isinstance(widget, QLineEdit):
        widget.selectAll()
    qtbot.keyClicks(widget, text)


def choose(qtbot: QtBot, combo: QComboBox, data: str) -> None:
    """Pick a combo entry with the arrow keys, as a user would."""
    combo.setFocus()
    target = combo.findData(data)
    assert target >= 0, data
    while combo.currentIndex() != target:
        down = combo.currentIndex() < target
        qtbot.keyClick(combo, Qt.Key.Key_Down if down else Qt.Key.Key_Up)


def fill(
    qtbot: QtBot, d: ReferralDialog, *, sex: str | None = "female", kind: str | None = "primary"
) -> None:
    """Everything a new referral needs (``None``: that choice left unmade)."""
    type_into(qtbot, d.mrn, "DATES00001")
    type_into(qtbot, d.family_name, "Calendarson")
    type_into(qtbot, d.given_name, "Wilhelmina")
    type_into(qtbot, d.date_of_birth, "14/03/1962")
    if sex is not None:
        choose(qtbot, d.sex, sex)
    type_into(qtbot, d.referrer_name, "Dr Fictional Referrer")
    type_into(qtbot, d.question, "Stabilise T7?")
    if kind is not None:
        choose(qtbot, d.disease_kind, kind)
    picker = d.levels
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=picker.level_rect("T7").center())


def click_save(qtbot: QtBot, d: ReferralDialog) -> None:
    qtbot.mouseClick(
        d.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def shown_errors(d: ReferralDialog) -> dict[str, str]:
    return {name: label.text() for name, label in d._errors.items() if not label.isHidden()}


def calendar_of(qtbot: QtBot, field: DateField) -> tuple[QCalendarWidget, QTableView]:
    calendar = field.calendar
    assert calendar is not None
    qtbot.waitUntil(calendar.isVisible)
    view = calendar.findChild(QTableView)
    assert view is not None
    return calendar, view


# --- typing -------------------------------------------------------------------------
def test_a_typed_date_then_one_tab_lands_on_the_next_field(qtbot: QtBot, open_form: Opener) -> None:
    d = open_form()
    type_into(qtbot, d.date_of_birth, "14/03/1962")
    qtbot.keyClick(d.date_of_birth, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.sex
    assert d.value("date_of_birth") == date(1962, 3, 14)

    # "Received" was a date-time spin box: Tab stepped through its five sections
    type_into(qtbot, d.received_at, "01/11/2025 09:30")
    qtbot.keyClick(d.received_at, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.referrer_name
    assert d.value("received_at") == datetime(2025, 11, 1, 9, 30).astimezone(UTC)

    # a pathway time: the Now and calendar buttons are not Tab stops
    type_into(qtbot, d.mscc_suspected_at, "1/11/2025 8:05")
    qtbot.keyClick(d.mscc_suspected_at, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.mri_at
    assert d.value("mscc_suspected_at") == datetime(2025, 11, 1, 8, 5).astimezone(UTC)

    d.imaging_available.setFocus()
    qtbot.keyClick(d.imaging_available, Qt.Key.Key_Space)
    qtbot.keyClick(d.imaging_available, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.imaging_date
    qtbot.keyClicks(d.imaging_date, "2025-10-30")  # ISO is read in any locale
    qtbot.keyClick(d.imaging_date, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.pathology_available
    assert d.value("imaging_date") == date(2025, 10, 30)
    assert d.imaging_date.placeholderText() == "dd/mm/yyyy"


def test_dates_are_read_and_shown_in_the_locale_s_format(
    qtbot: QtBot, open_form: Opener, locale: Callable[[QLocale], None]
) -> None:
    this_year = date.today().year % 100
    assert parse_date("14/03/1962") == parse_date("14.3.1962") == date(1962, 3, 14)
    assert parse_date("14031962") == parse_date("1962-03-14") == date(1962, 3, 14)
    assert parse_date(f"01/02/{this_year:02d}") == date(2000 + this_year, 2, 1)
    assert parse_date(f"01/02/{(this_year + 1) % 100:02d}").year < 2000 + this_year  # type: ignore[union-attr]
    assert parse_date("31/02/2026") is None and parse_date("14/03/19620") is None
    assert format_date(date(1962, 3, 14)) == "14/03/1962"

    locale(QLocale(Locale.English, Country.UnitedStates))  # M/d/yy
    assert parse_date("3/14/1962") == parse_date("3/14/62") == date(1962, 3, 14)
    assert parse_date("1962-03-14") == date(1962, 3, 14)
    assert parse_date("14/3/1962") is None
    assert format_date(date(1962, 3, 14)) == "3/14/1962"  # a four-digit year, always
    evening = datetime(2025, 3, 14, 21, 30).astimezone(UTC)
    assert parse_local_datetime("3/14/2025 9:30 PM") == evening
    assert parse_local_datetime(format_datetime(evening)) == evening
    assert parse_local_datetime("3/14/2025 13:30 PM") is None

    locale(QLocale(Locale.German, Country.Germany))  # dd.MM.yy
    assert parse_date("14.03.62") == date(1962, 3, 14)
    assert format_date(date(1962, 3, 14)) == "14.03.1962"

    locale(QLocale.c())  # "d MMM yyyy": month names typed, or numbers in that order
    assert parse_date("2 Dec 2025") == parse_date("02/12/2025") == date(2025, 12, 2)

    locale(QLocale(Locale.English, Country.UnitedStates))
    d = open_form()
    assert d.date_of_birth.placeholderText() == "mm/dd/yyyy"
    type_into(qtbot, d.date_of_birth, "3/14/1962")
    assert d.value("date_of_birth") == date(1962, 3, 14)


# --- calendar and Now ---------------------------------------------------------------
def test_the_calendar_opens_from_the_keyboard_and_picking_a_day_fills_the_field(
    qtbot: QtBot, open_form: Opener
) -> None:
    d = open_form()
    type_into(qtbot, d.date_of_birth, "14/03/1962")
    qtbot.keyClick(d.date_of_birth, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar, view = calendar_of(qtbot, d.date_of_birth)
    assert calendar.selectedDate() == QDate(1962, 3, 14)  # it opens on the field's date
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert not calendar.isVisible()
    assert d.date_of_birth.text() == "15/03/1962"
    assert d.value("date_of_birth") == date(1962, 3, 15)
    assert QApplication.focusWidget() is d.date_of_birth  # back in the field
    d.undo_stack.undo()  # the pick was one edit of the form
    assert d.value("date_of_birth") == date(1962, 3, 14)

    # F4 on a pathway time, Escape: nothing changes
    d.mri_at.setFocus()
    qtbot.keyClick(d.mri_at, Qt.Key.Key_F4)
    calendar, view = calendar_of(qtbot, d.mri_at)
    assert calendar.selectedDate() == QDate.currentDate()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not calendar.isVisible() and d.mri_at.text() == ""

    # a click on a day: that day at 00:00, the time selected to be typed over
    qtbot.keyClick(d.mri_at, Qt.Key.Key_F4)
    calendar, view = calendar_of(qtbot, d.mri_at)
    qtbot.keyClick(view, Qt.Key.Key_Left)  # yesterday
    cell = view.visualRect(view.currentIndex()).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    yesterday = date.today() - timedelta(days=1)
    assert d.mri_at.text() == f"{format_date(yesterday)} 00:00"
    assert d.mri_at.selectedText() == "00:00"
    qtbot.keyClicks(d.mri_at, "07:45")
    assert d.value("mri_at") == datetime.combine(yesterday, datetime.min.time()).replace(
        hour=7, minute=45
    ).astimezone(UTC)


def test_now_fills_in_the_current_time(qtbot: QtBot, open_form: Opener) -> None:
    d = open_form()
    button = d.mri_at.now_button
    assert button is not None and button.focusPolicy() == Qt.FocusPolicy.NoFocus
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    after = datetime.now(UTC)
    value = d.value("mri_at")
    assert value is not None and before <= value <= after
    assert d.mri_at.text() == format_datetime(value)
    assert d.undo_stack.canUndo()

    d.treatment_started_at.setFocus()
    qtbot.keyClick(
        d.treatment_started_at,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    value = d.value("treatment_started_at")
    assert value is not None and before <= value <= datetime.now(UTC)
    assert d.received_at.now_button is None  # Now is for the pathway times


# --- refusing to save ---------------------------------------------------------------
def test_an_invalid_date_blocks_saving_names_the_field_and_writes_nothing(
    qtbot: QtBot, open_form: Opener, ctx: ServiceContext
) -> None:
    d = open_form()
    fill(qtbot, d)
    type_into(qtbot, d.date_of_birth, "31/02/1962")  # no such day
    type_into(qtbot, d.mri_at, "25/13/2025 10:00")
    before = (count(ctx, Referral), count(ctx, Patient))
    click_save(qtbot, d)
    assert d.isVisible()
    errors = shown_errors(d)
    assert set(errors) == {"date_of_birth", "mri_at"}, errors
    assert errors["date_of_birth"].startswith("Date of birth: '31/02/1962' is not a date")
    assert "dd/mm/yyyy" in errors["date_of_birth"]
    assert errors["mri_at"].startswith("Whole-spine MRI at: '25/13/2025 10:00' is not a date")
    summary = d.findChild(QLabel, "problemSummary")
    assert summary is not None and summary.isVisible()
    assert "Date of birth" in summary.text() and "Whole-spine MRI at" in summary.text()
    assert QApplication.focusWidget() is d.date_of_birth
    assert (count(ctx, Referral), count(ctx, Patient)) == before

    type_into(qtbot, d.date_of_birth, "14/03/1962")
    d.mri_at.setFocus()
    d.mri_at.selectAll()
    qtbot.keyClick(d.mri_at, Qt.Key.Key_Delete)
    click_save(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    case = d.result_case
    assert case is not None and case.patient.date_of_birth == date(1962, 3, 14)
    # empty optional dates stay empty (no made-up day)
    stored = referrals.get_case(ctx.db, case.id).data
    assert stored.mri_at is None and stored.mscc_suspected_at is None
    assert stored.imaging_date is None and stored.pathology_date is None


@pytest.mark.parametrize("unchosen", ["sex", "disease_kind", "both"])
def test_sex_and_disease_kind_start_unchosen_and_must_be_chosen(
    qtbot: QtBot, open_form: Opener, ctx: ServiceContext, unchosen: str
) -> None:
    d = open_form()
    for combo in (d.sex, d.disease_kind):
        assert combo.currentIndex() == -1 and combo.placeholderText() == NOT_CHOSEN
    assert d.value("sex") == "" and d.value("disease_kind") == ""
    fill(
        qtbot,
        d,
        sex=None if unchosen in ("sex", "both") else "female",
        kind=None if unchosen in ("disease_kind", "both") else "metastatic",
    )
    before = (count(ctx, Referral), count(ctx, Patient))
    click_save(qtbot, d)
    assert d.isVisible()
    errors = shown_errors(d)
    expected = {"sex", "disease_kind"} if unchosen == "both" else {unchosen}
    assert set(errors) == expected, errors
    if "sex" in expected:
        assert errors["sex"] == "Sex: not recorded — choose Female, Male, Other or Unknown"
    if "disease_kind" in expected:
        assert errors["disease_kind"].startswith("Primary or metastatic: not recorded — choose")
    assert (count(ctx, Referral), count(ctx, Patient)) == before

    choose(qtbot, d.sex, "unknown")  # a choice like any other
    choose(qtbot, d.disease_kind, "uncertain")
    qtbot.keyClick(d.disease_kind, Qt.Key.Key_Up)
    qtbot.keyClick(d.disease_kind, Qt.Key.Key_Up)
    qtbot.keyClick(d.disease_kind, Qt.Key.Key_Up)  # the placeholder cannot be picked back
    assert d.disease_kind.currentIndex() == 0
    choose(qtbot, d.disease_kind, "uncertain")
    click_save(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    assert d.result_case is not None
    stored = referrals.get_case(ctx.db, d.result_case.id)
    assert stored.patient.sex == "unknown" and stored.data.disease_kind == "uncertain"


def test_editing_a_referral_shows_its_stored_choices_and_dates(
    qtbot: QtBot, open_form: Opener, ctx: ServiceContext
) -> None:
    received = datetime(2025, 11, 3, 14, 7, 31, tzinfo=UTC)
    case = referrals.register_referral(
        ctx,
        PatientInput("DATES00002", "Stored", "Sylvester", date(1950, 7, 4), "unknown"),
        ReferralInput(
            received_at=received,
            referrer_name="Dr Orrin Vale (demo)",
            urgency="mscc",
            question="Decompression?",
            disease_kind="uncertain",
            histology_key="awaiting_biopsy",
            compartment="extradural",
            levels=("T9",),
            imaging_available=True,
            imaging_date=date(2025, 11, 2),
            mscc_suspected_at=datetime(2025, 11, 3, 9, 15, tzinfo=UTC),
        ),
    )
    d = open_form(case.id)
    assert d.sex.currentIndex() >= 0 and d.sex.currentText() == "Unknown"
    assert d.disease_kind.currentIndex() >= 0 and d.disease_kind.currentData() == "uncertain"
    assert d.date_of_birth.text() == "04/07/1950"
    assert d.received_at.text() == format_datetime(received)
    assert d.imaging_date.text() == "02/11/2025"
    assert d.mscc_suspected_at.text() == format_datetime(datetime(2025, 11, 3, 9, 15, tzinfo=UTC))
    assert d.mri_at.text() == "" and d.pathology_date.text() == ""

    type_into(qtbot, d.question, "Decompression or radiotherapy?")
    click_save(qtbot, d)
    qtbot.waitUntil(lambda: not d.isVisible())
    stored = referrals.get_case(ctx.db, case.id).data
    assert stored.received_at == received  # shown to the minute, kept to the second
    assert stored.mri_at is None and stored.pathology_date is None


# --- readable -----------------------------------------------------------------------
SIZES = [(1180, 780), (800, 800)]  # the form's own size, and the whole test screen


def fully_shown(qtbot: QtBot, d: ReferralDialog, label: QLabel) -> None:
    """Once laid out, all of the label's lines are shown: none cut off at the bottom."""
    assert label.isVisible() and label.wordWrap()
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=2000)
    d.page.ensureWidgetVisible(label)
    qtbot.waitUntil(lambda: label.visibleRegion().boundingRect() == label.rect(), timeout=2000)


@pytest.mark.parametrize("size", SIZES)
def test_the_red_flag_note_wraps_and_is_not_clipped(
    qtbot: QtBot, open_form: Opener, size: tuple[int, int]
) -> None:
    d = open_form(size=size)
    qtbot.mouseClick(d.red_flags_btn, Qt.MouseButton.LeftButton)
    checklist = d.checklist_dialog
    assert checklist is not None
    qtbot.waitUntil(checklist.isVisible)
    for key in ("night_pain", "limb_weakness", "cancer_history"):
        box = checklist.boxes[key]  # type: ignore[attr-defined]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert box.isChecked(), key
    checklist.accept()
    qtbot.waitUntil(d.urgency_hint.isVisible)
    assert d.urgency_hint.text().endswith("(QS56 statement 3).")  # the long one
    fully_shown(qtbot, d, d.urgency_hint)
    fully_shown(qtbot, d, d.dexamethasone_prompt)  # MSCC with neurology: the other red note
    if size == (800, 800):  # the whole form fits the screen, Save included
        assert d.width() <= 800 and d.minimumSizeHint().width() <= 800
        save = d.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save.visibleRegion().boundingRect() == save.rect()


@pytest.mark.parametrize("size", SIZES)
def test_the_chosen_histology_stays_readable(
    qtbot: QtBot, open_form: Opener, size: tuple[int, int]
) -> None:
    d = open_form(size=size)
    label = "Diffuse midline glioma, H3 K27-altered"  # the longest in the catalogue
    line = d.histology.lineEdit()
    assert line is not None
    type_into(qtbot, line, "H3 K27M")  # a synonym
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert d.value("histology_key") == "diffuse_midline_glioma"

    # picked again from the completer's "label — synonyms": the label alone shows
    type_into(qtbot, line, "DMG")
    popup = d.histology.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.histology.currentText() == label)
    assert d.value("histology_key") == "diffuse_midline_glioma"
    assert line.cursorPosition() == 0  # read from its start
    d.page.ensureWidgetVisible(d.histology)
    QApplication.processEvents()
    assert line.fontMetrics().horizontalAdvance(label) + 6 <= line.width()
    assert label in d.histology.toolTip() and "DMG" in d.histology.toolTip()
