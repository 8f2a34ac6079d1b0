"""File → Import referrals…: the wizard driven with keys and clicks, on both engines
(issue 17 part 4). Every file is fictional (tests/fixtures/import/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.services import import_mapping
from mdtboard.services.context import ServiceContext
from mdtboard.store.models import Patient, Referral
from mdtboard.ui.import_wizard import ImportWizard
from mdtboard.ui.main_window import MainWindow
from tests.import_files import FIXTURES, hospital_with_ambiguous_dates

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "referrals.csv"
NEXT = QWizard.WizardButton.NextButton
FINISH = QWizard.WizardButton.FinishButton


@pytest.fixture
def window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    return win


def referrals(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(Referral)).scalar_one())


def stored(ctx: ServiceContext, mrn: str) -> Referral:
    with ctx.db.reader() as s:
        referral = s.execute(select(Referral).join(Patient).where(Patient.mrn == mrn)).scalar_one()
        s.expunge(referral)
        return referral


def open_wizard(qtbot: QtBot, window: MainWindow, path: Path) -> ImportWizard:
    wizard = window.import_referrals(str(path))
    assert isinstance(wizard, ImportWizard)
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    return wizard


def press_next(qtbot: QtBot, wizard: ImportWizard) -> None:
    """Alt+N, as the button's mnemonic says (the page must let it)."""
    before = wizard.currentId()
    assert wizard.button(NEXT).isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentId() == before + 1)  # a mnemonic animates a click


def wait_preview(qtbot: QtBot, wizard: ImportWizard) -> None:
    qtbot.waitUntil(lambda: wizard.preview_page.result is not None, timeout=10_000)


def press_import(qtbot: QtBot, window: MainWindow, wizard: ImportWizard) -> None:
    assert wizard.button(FINISH).isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    flow = window.importer
    assert flow is not None
    qtbot.waitUntil(lambda: flow.job is not None and flow.job.done, timeout=20_000)


def choose_in_cell(qtbot: QtBot, view: QAbstractItemView, row: int, col: int, text: str) -> None:
    """Select the cell, F2 for its combo, type to the entry, Enter: as a user edits it."""
    view.setFocus()
    view.setCurrentIndex(view.model().index(row, col))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox), editor
    line = editor.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, text)
    popup = editor.completer().popup()
    # while the completer's list is open it has the keys (and passes Enter on)
    qtbot.keyClick(popup if popup.isVisible() else line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not editor.isVisible())
    # the offscreen platform does not give the window back its activation after a popup
    view.window().activateWindow()
    qtbot.waitUntil(view.window().isActiveWindow)


def test_hospital_export_imports_with_its_own_names_and_values(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    before = referrals(ctx)
    wizard = open_wizard(qtbot, window, FIXTURES / "hospital-columns.csv")
    assert "comma-separated" in wizard.file_page.read_as.text()
    press_next(qtbot, wizard)
    columns = wizard.columns_page.model
    dob = columns.index(list(import_mapping.FIELDS).index("date_of_birth"), 1)
    assert columns.data(dob) == "DOB"
    press_next(qtbot, wizard)
    assert wizard.values_page.model.unrecognised() == 0
    assert wizard.values_page.date_order.currentData() == "dmy"
    press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    assert wizard.preview_page.summary.text() == "3 rows: 3 ready, 0 with problems."
    assert referrals(ctx) == before  # nothing written by the preview
    press_import(qtbot, window, wizard)
    assert referrals(ctx) == before + 3
    assert stored(ctx, "FIXH0001").histology_key == "met_breast"
    assert "Imported 3 referrals" in window.statusBar().currentMessage()
    assert window.model.total == before + 3


@pytest.mark.parametrize(
    ("path", "rows"),
    [
        (FIXTURES / "semicolon-windows-1252.csv", 2),
        (FIXTURES / "utf16-tabs.csv", 2),
        (FIXTURES / "referrals.xlsx", 2),
        (EXAMPLE, 4),  # mdtboard's own format (docs/import-format.md)
    ],
    ids=lambda v: v.name if isinstance(v, Path) else str(v),
)
def test_other_systems_files_import_with_next_next_next_import(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, path: Path, rows: int
) -> None:
    before = referrals(ctx)
    wizard = open_wizard(qtbot, window, path)
    for _ in range(3):
        press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    press_import(qtbot, window, wizard)
    assert referrals(ctx) == before + rows
    assert window.model.total == before + rows


def test_unrecognised_value_is_mapped_by_keyboard_and_saved_as_profile(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    text = (FIXTURES / "hospital-columns.csv").read_text()
    first = tmp_path / "week-47.csv"
    first.write_text(text.replace("Breast cancer", "Ca br L"))
    wizard = open_wizard(qtbot, window, first)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    values = wizard.values_page.model
    row = next(r for r in range(values.rowCount()) if values.index(r, 1).data() == "Ca br L")
    assert values.index(row, 3).data() == "Not recognised — choose"
    assert wizard.values_page.summary.text() == "1 value(s) not recognised."
    choose_in_cell(qtbot, wizard.values_page.view, row, 3, "breast carc")
    assert values.index(row, 3).data() == "Metastatic breast carcinoma"
    press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    page = wizard.preview_page
    page.name.setFocus()
    qtbot.keyClicks(page.name, "Northmoor PAS")
    assert page.save.isChecked()
    press_import(qtbot, window, wizard)
    assert stored(ctx, "FIXH0001").histology_key == "met_breast"
    assert import_mapping.profile_names(ctx.db) == ["Northmoor PAS"]

    # next week's file from the same system: the profile maps it as before
    second = tmp_path / "week-48.csv"
    second.write_text(text.replace("Breast cancer", "Ca br L").replace("FIXH000", "FIXH100"))
    wizard = open_wizard(qtbot, window, second)
    combo = wizard.file_page.profile
    combo.setFocus()
    qtbot.keyClicks(combo, "Northmoor")
    assert wizard.profile == "Northmoor PAS"
    for _ in range(3):
        press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    assert wizard.preview_page.result is not None
    assert wizard.preview_page.result.valid == 3
    press_import(qtbot, window, wizard)
    assert stored(ctx, "FIXH1001").histology_key == "met_breast"


def test_unmapped_required_column_is_chosen_from_the_files_columns(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "german.csv"
    path.write_text(
        (FIXTURES / "hospital-columns.csv").read_text().replace(",DOB,", ",Geb.datum,", 1)
    )
    wizard = open_wizard(qtbot, window, path)
    press_next(qtbot, wizard)
    page = wizard.columns_page
    assert not wizard.button(NEXT).isEnabled()
    assert "Date of birth" in page.missing.text()
    assert "Geb.datum" in page.unused.text()
    choose_in_cell(qtbot, page.view, list(import_mapping.FIELDS).index("date_of_birth"), 1, "Geb")
    assert page.missing.text() == "" and page.unused.text() == ""
    press_next(qtbot, wizard)


def test_one_bad_row_blocks_import_until_valid_rows_only_is_chosen(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        (FIXTURES / "hospital-columns.csv").read_text().replace("03/06/1950", "31/02/1950")
    )
    before = referrals(ctx)
    wizard = open_wizard(qtbot, window, path)
    for _ in range(3):
        press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    page = wizard.preview_page
    assert page.summary.text() == "3 rows: 2 ready, 1 with problems."
    first = page.model.index(0, page.model.PROBLEMS).data()
    assert page.model.index(0, 0).data() == "2" and first.startswith("DOB: not a date")
    assert not wizard.button(FINISH).isEnabled()
    qtbot.keyClick(wizard, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(page.valid_only.isChecked)
    press_import(qtbot, window, wizard)
    assert referrals(ctx) == before + 2
    assert "1 row(s) skipped" in window.statusBar().currentMessage()


def test_ambiguous_dates_ask_for_the_order(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, tmp_path: Path
) -> None:
    text = hospital_with_ambiguous_dates()
    path = tmp_path / "ambiguous.csv"
    path.write_text(text)
    wizard = open_wizard(qtbot, window, path)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    page = wizard.values_page
    assert page.date_order.currentData() == ""
    assert "do not show their order" in page.date_hint.text()
    press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    assert not wizard.button(FINISH).isEnabled()
    problems = wizard.preview_page.model.index(0, wizard.preview_page.model.PROBLEMS).data()
    assert "day-first or month-first" in problems
    qtbot.keyClick(wizard, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # < Back
    qtbot.waitUntil(lambda: wizard.currentPage() is page)
    page.date_order.setFocus()
    qtbot.keyClicks(page.date_order, "Day")
    assert page.date_order.currentData() == "dmy"
    press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    press_import(qtbot, window, wizard)
    assert stored(ctx, "FIXH0001").received_at.month == 11  # 05/11/2026: 5 November


def test_a_file_imported_before_must_be_confirmed(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    path = FIXTURES / "utf16-tabs.csv"
    wizard = open_wizard(qtbot, window, path)
    for _ in range(3):
        press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    press_import(qtbot, window, wizard)
    before = referrals(ctx)
    wizard = open_wizard(qtbot, window, path)
    page = wizard.file_page
    assert "imported before" in page.problem.text()
    assert not wizard.button(NEXT).isEnabled()
    page.again.setFocus()
    qtbot.keyClick(page.again, Qt.Key.Key_Space)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    assert wizard.preview_page.result is not None
    assert wizard.preview_page.result.imported_before is not None
    press_import(qtbot, window, wizard)
    assert referrals(ctx) == before + 2


def test_cancel_writes_nothing(qtbot: QtBot, window: MainWindow, ctx: ServiceContext) -> None:
    before = referrals(ctx)
    wizard = open_wizard(qtbot, window, FIXTURES / "hospital-columns.csv")
    for _ in range(3):
        press_next(qtbot, wizard)
    wait_preview(qtbot, wizard)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()
    assert referrals(ctx) == before


def test_a_user_who_may_not_import_is_told_before_choosing_a_file(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from mdtboard.services.context import Actor
    from tests.ui.test_meeting_mode import when_modal

    reader = MainWindow(ServiceContext(ctx.db, Actor("viewer", "read_only")))
    qtbot.addWidget(reader)
    told: list[str] = []

    def read_and_close(box: object) -> None:
        assert isinstance(box, QMessageBox)
        told.append(box.text())
        box.accept()

    when_modal(QMessageBox, read_and_close)
    assert reader.import_referrals(str(FIXTURES / "hospital-columns.csv")) is None
    assert told and "referral.import" in told[0]


def test_f1_opens_the_import_help(qtbot: QtBot, window: MainWindow) -> None:
    from mdtboard.ui.help import HelpDialog

    wizard = open_wizard(qtbot, window, FIXTURES / "hospital-columns.csv")
    qtbot.keyClick(wizard, Qt.Key.Key_F1)
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpDialog)]
    assert shown and shown[0].isVisible()
    assert "import" in shown[0].topic
