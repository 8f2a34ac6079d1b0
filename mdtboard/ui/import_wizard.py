"""File → Import referrals…: a wizard over the same engine as ``mdtboard import-referrals``.

Four pages: the file (how it was read: encoding, separator or sheet; a saved profile),
its columns (which feeds each field), its values (what each coded value reads as, and
the date order), and a preview of every row's problems before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from mdtboard.services import import_mapping as mapping_service
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.import_mapping import CODED_FIELDS, DATE_ORDERS, Mapping
from mdtboard.services.import_source import ENCODINGS, Source
from mdtboard.services.importer import Preview, imported_before, load, preview
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.help import install_help
from mdtboard.ui.import_models import (
    ChoiceDelegate,
    ColumnMapModel,
    PreviewModel,
    ValueMapModel,
    ValueRow,
)
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.workers import BackgroundJob, run_in_background

DETECTED = "Detected"
SEPARATORS = {"Comma": ",", "Semicolon": ";", "Tab": "\t", "Pipe (|)": "|"}
GUESS = "Guess from the file's column names"


@dataclass(frozen=True)
class ImportChoice:
    """What the user chose: the wizard's answer, for the window to import."""

    source: Source
    mapping: Mapping
    valid_rows_only: bool
    allow_same_file: bool
    profile: str  # save the mapping under this name first ("" = do not)


def _table(model: Any, parent: QWidget, *, editable: bool) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the wizard's buttons
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if editable:
        triggers = QAbstractItemView.EditTrigger
        view.setEditTriggers(
            triggers.EditKeyPressed | triggers.SelectedClicked | triggers.DoubleClicked
        )
        view.setItemDelegate(ChoiceDelegate(view))
    else:
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class FilePage(QWizardPage):
    """The file and how it was read; the profile to map it with."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("File")
        self.setSubTitle("Check how the file was read, or choose a saved mapping profile.")
        self.name = QLabel()
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.read_as = QLabel()
        self.sheet = QComboBox()
        self.encoding = QComboBox()
        self.encoding.addItems([DETECTED, *ENCODINGS])
        self.separator = QComboBox()
        self.separator.addItems([DETECTED, *SEPARATORS])
        self.profile = QComboBox()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b3261e")
        self.again = QCheckBox("Import this file again anyway (every row would be added twice)")
        form = self.form = QFormLayout()
        form.addRow("File:", self.name)
        form.addRow("Read as:", self.read_as)
        form.addRow("&Sheet:", self.sheet)
        form.addRow("&Encoding:", self.encoding)
        form.addRow("Se&parator:", self.separator)
        form.addRow("&Mapping:", self.profile)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(self.again)
        box.addStretch(1)
        for combo in (self.sheet, self.encoding, self.separator):
            combo.activated.connect(lambda _i: self.w.reread())
        self.profile.activated.connect(lambda _i: self.w.choose_profile(self.chosen_profile()))
        self.again.toggled.connect(lambda _on: self.completeChanged.emit())

    def chosen_profile(self) -> str:
        return "" if self.profile.currentIndex() <= 0 else self.profile.currentText()

    def options(self) -> dict[str, str | None]:
        sep = self.separator.currentText()
        enc = self.encoding.currentText()
        return {
            "encoding": None if enc == DETECTED else enc,
            "delimiter": SEPARATORS.get(sep),
            "sheet": self.sheet.currentText() if self.sheet.count() else None,
        }

    def refresh(self) -> None:
        w = self.w
        self.name.setText(w.path.name)
        source = w.source
        self.read_as.setText(source.describe() if source else "—")
        xlsx = source is not None and source.kind == "xlsx"
        self.form.setRowVisible(self.sheet, xlsx)
        self.sheet.setEnabled(source is not None and len(source.sheets) > 1)
        if xlsx and source is not None and self.sheet.count() != len(source.sheets):
            self.sheet.clear()
            self.sheet.addItems(list(source.sheets))
            self.sheet.setCurrentText(source.sheet)
        self.form.setRowVisible(self.encoding, not xlsx)
        self.form.setRowVisible(self.separator, not xlsx)
        problems = [w.read_problem] if w.read_problem else []
        if w.before is not None:
            problems.append(
                f"This file was imported before ({format_datetime(w.before)}, same SHA-256)."
            )
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        self.again.setVisible(w.before is not None)
        self.completeChanged.emit()

    def set_profiles(self, names: list[str], current: str) -> None:
        self.profile.clear()
        self.profile.addItems([GUESS, *names])
        if current:
            self.profile.setCurrentText(current)

    def isComplete(self) -> bool:
        return self.w.source is not None and (self.w.before is None or self.again.isChecked())


class ColumnsPage(QWizardPage):
    """Which file column feeds each mdtboard field."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("Columns")
        self.setSubTitle(
            "Which column of the file feeds each field (* = required). Select a row and "
            "press F2 to change it."
        )
        self.model = ColumnMapModel(self)
        self.view = _table(self.model, self, editable=True)
        self.view.setObjectName("import_columns")
        self.missing = QLabel()
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #b3261e")
        self.unused = QLabel()
        self.unused.setWordWrap(True)
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addWidget(self.missing)
        box.addWidget(self.unused)
        self.model.sig_mapping_changed.connect(self._changed)

    def initializePage(self) -> None:
        source = self.w.source
        assert source is not None
        first = next(source.records(), [])
        self.model.reset(self.w.mapping, source.header, first)
        self.view.resizeColumnsToContents()
        self.view.setCurrentIndex(self.model.index(0, 1))
        self._show_labels()

    def _changed(self) -> None:
        self.w.mapping = self.model.mapping
        self._show_labels()
        self.completeChanged.emit()

    def _show_labels(self) -> None:
        missing = self.model.missing()
        from mdtboard.services.import_mapping import LABELS

        self.missing.setText(
            "Required, not yet mapped: " + ", ".join(LABELS[f] for f in missing) if missing else ""
        )
        source = self.w.source
        used = set(self.model.mapping.columns.values())
        unused = [h for h in (source.header if source else ()) if h and h not in used]
        self.unused.setText("Not imported: " + ", ".join(unused) if unused else "")

    def isComplete(self) -> bool:
        return not self.model.missing()


class ValuesPage(QWizardPage):
    """What each coded value of the file reads as, and the order of ambiguous dates."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("Values")
        self.setSubTitle(
            "What the file's own words read as. Choose an entry for each value not "
            "recognised (select it and press F2), or its rows will be refused."
        )
        self.model = ValueMapModel(self)
        self.view = _table(self.model, self, editable=True)
        self.view.setObjectName("import_values")
        self.date_order = QComboBox()
        self.date_order.addItem("Not chosen", "")
        for key, text in DATE_ORDERS.items():
            self.date_order.addItem(text.capitalize(), key)
        self.date_hint = QLabel()
        self.date_hint.setWordWrap(True)
        self.summary = QLabel()
        row = QHBoxLayout()
        label = QLabel("&Dates like 04/05/1960 are:")
        label.setBuddy(self.date_order)
        row.addWidget(label)
        row.addWidget(self.date_order)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addWidget(self.summary)
        box.addLayout(row)
        box.addWidget(self.date_hint)
        self.model.sig_mapping_changed.connect(self._changed)
        self.date_order.activated.connect(lambda _i: self._order_chosen())

    def initializePage(self) -> None:
        source, mapping = self.w.source, self.w.mapping
        assert source is not None
        rows = [
            ValueRow(fld, value, n)
            for fld in CODED_FIELDS
            if (column := mapping.columns.get(fld))
            for value, n in sorted(
                mapping_service.distinct_values(source, column).items(),
                key=lambda kv: kv[0].casefold(),
            )
        ]
        self.model.reset(mapping, rows)
        self.view.resizeColumnsToContents()
        if rows:
            self.view.setCurrentIndex(self.model.index(0, 3))
        shown = mapping_service.guess_date_order(source, mapping.columns)
        self.date_order.setCurrentIndex(max(0, self.date_order.findData(mapping.date_order)))
        self.date_hint.setText(
            f"The file's dates show {DATE_ORDERS[shown]}." if shown else
            "The file's dates do not show their order: if any reads both ways, choose it here."
        )  # fmt: skip
        self._show_summary()

    def _order_chosen(self) -> None:
        self.w.mapping = replace(self.w.mapping, date_order=str(self.date_order.currentData()))
        self.model.mapping = self.w.mapping

    def _changed(self) -> None:
        self.w.mapping = replace(self.model.mapping, date_order=self.w.mapping.date_order)
        self._show_summary()

    def _show_summary(self) -> None:
        n = self.model.unrecognised()
        self.summary.setText(f"{n} value(s) not recognised." if n else "Every value is recognised.")


class PreviewPage(QWizardPage):
    """Every row as it would be imported, with its problems; nothing is written yet."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle("Preview")
        self.setSubTitle("Nothing has been written yet. Rows with problems are listed first.")
        self.model = PreviewModel(self)
        self.view = _table(self.model, self, editable=False)
        self.view.setObjectName("import_preview")
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.summary = QLabel("Checking the rows…")
        self.summary.setWordWrap(True)
        self.valid_only = QCheckBox("Import the &valid rows only (the others are reported)")
        self.save = QCheckBox("Save this mapping as &profile:")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Northmoor PAS export")
        self.name.setMaxLength(60)
        row = QHBoxLayout()
        row.addWidget(self.save)
        row.addWidget(self.name, 1)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.view, 1)
        box.addWidget(self.valid_only)
        box.addLayout(row)
        self.result: Preview | None = None
        self.job: BackgroundJob | None = None
        self.failure = ""
        for toggle in (self.valid_only, self.save):
            toggle.toggled.connect(lambda _on: self.completeChanged.emit())
        self.name.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.name.textEdited.connect(lambda t: self.save.setChecked(bool(t.strip())))

    def initializePage(self) -> None:
        self.result, self.failure = None, ""
        self.model.set_rows([])
        self.summary.setText("Checking the rows…")
        self.valid_only.setChecked(False)
        self.valid_only.setEnabled(False)
        if self.w.profile and not self.name.text():
            self.name.setText(self.w.profile)
        ctx, source, mapping = self.w.ctx, self.w.source, self.w.final_mapping()
        assert source is not None

        def job(progress: Any, cancelled: Any) -> object:
            return preview(ctx, source, mapping, progress=progress, cancelled=cancelled)

        self.job = run_in_background(self, job, "Checking the rows…")
        self.job.sig_finished.connect(self._shown)
        self.job.sig_failed.connect(self._failed)
        self.completeChanged.emit()

    def _shown(self, result: Preview) -> None:
        self.result = result
        self.model.show(result)
        self.view.resizeColumnsToContents()
        problems = self.model.PROBLEMS  # long messages are elided; the tooltip has them
        self.view.setColumnWidth(problems, min(self.view.columnWidth(problems), 320))
        bad = result.rows - result.valid
        header = any(e.row == 0 for e in result.errors)
        self.summary.setText(
            "The header cannot be imported: " + "; ".join(str(e) for e in result.errors[:3])
            if header
            else f"{result.rows} rows: {result.valid} ready, {bad} with problems."
        )
        self.valid_only.setEnabled(bad > 0 and result.valid > 0 and not header)
        self.view.setCurrentIndex(self.model.index(0, 0))
        self.completeChanged.emit()

    def _failed(self, exc: object) -> None:
        self.failure = str(exc)
        self.summary.setText(f"The rows could not be checked: {exc}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        r = self.result
        if r is None or r.valid == 0:
            return False
        if self.save.isChecked() and not self.name.text().strip():
            return False
        return (r.valid == r.rows and not r.errors) or self.valid_only.isChecked()


class ImportWizard(QWizard):
    """Import referrals from a file, checking everything before anything is written;
    ``sig_import(ImportChoice)`` when the user presses Import."""

    sig_import = Signal(object)

    def __init__(self, ctx: ServiceContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_wizard")
        self.setWindowTitle("Import referrals")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Import")
        self.ctx, self.path = ctx, path
        self.source: Source | None = None
        self.read_problem = ""
        self.before: datetime | None = None
        self.mapping = Mapping()
        self.profile = ""
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.values_page = ValuesPage(self)
        self.preview_page = PreviewPage(self)
        for page in (self.file_page, self.columns_page, self.values_page, self.preview_page):
            self.addPage(page)
        keep_geometry(self, "import_wizard/geometry", (760, 560))
        install_help(self, "import")
        self.file_page.set_profiles(mapping_service.profile_names(ctx.db), "")
        self.reread()

    def reread(self) -> None:
        """Read the file again with the file page's options (encoding, separator, sheet)."""
        try:
            self.source = load(self.path, **self.file_page.options())
            self.read_problem = ""
            self.before = imported_before(self.ctx, self.source.digest)
        except ServiceError as exc:
            self.source, self.read_problem, self.before = None, str(exc), None
        self.choose_profile(self.profile)

    def choose_profile(self, name: str) -> None:
        """Map with a saved profile, or guess from the file when ``name`` is empty."""
        self.profile = name
        if self.source is not None:
            try:
                self.mapping = (
                    mapping_service.load_profile(self.ctx.db, name)
                    if name
                    else mapping_service.guess(self.source)
                )
            except ServiceError as exc:
                self.read_problem = str(exc)
        self.file_page.refresh()

    def final_mapping(self) -> Mapping:
        """The mapping as imported: columns not mapped are, by the user's sight of them
        on the Columns page, not imported."""
        assert self.source is not None
        return self.mapping.ignoring_the_rest(self.source.header)

    def accept(self) -> None:
        page = self.preview_page
        if self.source is None or page.result is None:
            return
        name = page.name.text().strip() if page.save.isChecked() else ""
        choice = ImportChoice(
            self.source,
            self.final_mapping(),
            page.valid_only.isChecked(),
            self.file_page.again.isChecked(),
            name,
        )
        super().accept()
        self.sig_import.emit(choice)
