"""The plan's modalities, edited from the treatment catalogue's declarations."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import treatments
from mdtboard.domain.vocab import Intent
from mdtboard.services.decisions import ModalityInput
from mdtboard.ui.date_fields import DateField, format_date
from mdtboard.ui.focus import select_on_focus
from mdtboard.ui.table_base import RowsTableModel, row_table
from mdtboard.ui.texts import describe

ModelIndex = QModelIndex | QPersistentModelIndex


def _options(field: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for opt in getattr(field, "options", ()) or ():
        if hasattr(opt, "key"):
            out.append((str(opt.key), str(getattr(opt, "label", opt.key))))
        elif isinstance(opt, tuple | list):
            out.append((str(opt[0]), str(opt[1] if len(opt) > 1 else opt[0])))
        else:
            out.append((str(opt), str(opt).replace("_", " ")))
    return out


def _date_text(value: Any) -> str:
    """A stored date (ISO text or a date) as the locale writes it; other text as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return format_date(value)
    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


class ModalityListModel(RowsTableModel[ModalityInput]):
    HEADERS = ("#", "Modality", "Details")

    def replace_row(self, row: int, value: ModalityInput) -> None:
        self._rows[row] = value
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        m = self._rows[index.row()]
        kind = treatments.MODALITY_KINDS.get(m.kind)
        return (str(index.row() + 1), kind.label if kind else m.kind, describe(m))[index.column()]


class ModalityEditor(QWidget):
    """Intent + modalities + inline plan-validator messages. ``sig_changed`` on any edit."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histology_key: str | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Intent:", self))
        self.intent = QComboBox(self)
        self.intent.setObjectName("intent")
        self.intent.setAccessibleName("Intent")
        self.intent.addItem("— choose intent —", None)
        for i in Intent:
            self.intent.addItem(i.label, i.value)
        self.intent.currentIndexChanged.connect(lambda _i: self._edited())
        top.addWidget(self.intent)
        top.addSpacing(24)
        top.addWidget(QLabel("Add:", self))
        self.kind = QComboBox(self)
        self.kind.setObjectName("modalityKind")
        self.kind.setAccessibleName("Modality to add")
        for key, kind in treatments.MODALITY_KINDS.items():
            self.kind.addItem(kind.label, key)
        top.addWidget(self.kind, 1)
        self.add_btn = QPushButton("&Add modality", self)
        self.add_btn.setObjectName("addModality")
        self.add_btn.clicked.connect(self.add_current_kind)
        top.addWidget(self.add_btn)
        self.remove_btn = QPushButton("Remove", self)
        self.remove_btn.clicked.connect(self.remove_selected)
        top.addWidget(self.remove_btn)
        layout.addLayout(top)

        self.model = ModalityListModel(self)
        self.view = row_table(
            self, self.model, "modalityTable", "Recommended modalities", (30, 200)
        )
        self.view.setMaximumHeight(170)
        delete = QAction("Remove modality", self.view)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.remove_selected)
        self.view.addAction(delete)
        layout.addWidget(self.view)
        self.view.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_details())

        self.details_box = QGroupBox("Details", self)
        self.details_form = QFormLayout(self.details_box)
        layout.addWidget(self.details_box)
        self.problems = QLabel(self)
        self.problems.setObjectName("planProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        self._detail_widgets: dict[str, QWidget] = {}
        self._quiet = False
        self._validate()

    # --- values --------------------------------------------------------------
    def intent_value(self) -> str | None:
        value = self.intent.currentData()
        return str(value) if value is not None else None

    def modalities(self) -> tuple[ModalityInput, ...]:
        return tuple(self.model.rows())

    def set_plan(self, intent: str | None, modalities: Sequence[ModalityInput]) -> None:
        self._quiet = True
        try:
            self.intent.setCurrentIndex(max(0, self.intent.findData(intent)) if intent else 0)
            self.model.set_rows(modalities)
        finally:
            self._quiet = False
        if self.model.rowCount():
            self._select(0)
        else:
            self._show_details()
        self._validate()

    def add_modality(self, kind: str, details: dict[str, Any] | None = None) -> None:
        rows = self.model.rows()
        rows.append(ModalityInput(kind, dict(details or self._defaults(kind))))
        self.model.set_rows(rows)
        self._select(len(rows) - 1)
        self._edited()

    def add_current_kind(self) -> None:
        kind = self.kind.currentData()
        if kind:
            self.add_modality(str(kind))

    def remove_selected(self) -> None:
        row = self.view.currentIndex().row()
        if row < 0:
            return
        rows = self.model.rows()
        del rows[row]
        self.model.set_rows(rows)
        if rows:
            self._select(min(row, len(rows) - 1))
        else:
            self._show_details()
        self._edited()

    def _select(self, row: int) -> None:
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, 1),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._show_details()

    @staticmethod
    def _defaults(kind: str) -> dict[str, Any]:
        if kind == "dexamethasone":
            return {"dose_mg": 16}
        return {}

    # --- details form -----------------------------------------------------------
    def _show_details(self) -> None:
        while self.details_form.rowCount():
            self.details_form.removeRow(0)
        self._detail_widgets = {}
        row = self.view.currentIndex().row()
        m = self.model.rows()[row] if 0 <= row < self.model.rowCount() else None
        if m is None:
            self.details_box.setTitle("Details")
            return
        kind = treatments.MODALITY_KINDS.get(m.kind)
        if kind is None:
            return
        self.details_box.setTitle(f"Details — {kind.label}")
        for field in kind.fields:
            widget = self._field_widget(field, m.details.get(field.key))
            widget.setObjectName(f"detail.{field.key}")
            widget.setAccessibleName(field.label)
            widget.setToolTip(getattr(field, "help", "") or "")
            self._detail_widgets[field.key] = widget
            label = field.label + (" *" if getattr(field, "required", False) else "")
            unit = getattr(field, "unit", "") or ""
            self.details_form.addRow(f"{label}{f' ({unit})' if unit else ''}", widget)

    def _field_widget(self, field: Any, value: Any) -> QWidget:
        kind = field.kind
        w: QWidget
        if kind == "choice":
            combo = QComboBox(self)
            combo.addItem("—", None)
            for key, label in _options(field):
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
            combo.currentIndexChanged.connect(lambda _i: self._detail_edited())
            w = combo
        elif kind in ("number", "int"):
            spin: QSpinBox | QDoubleSpinBox
            if kind == "int":
                spin = QSpinBox(self)
                spin.setRange(-1, 1000)
                spin.setValue(int(value) if value is not None else -1)
            else:
                spin = QDoubleSpinBox(self)
                spin.setDecimals(1)
                spin.setRange(-1.0, 1000.0)
                spin.setValue(float(value) if value is not None else -1.0)
            spin.setSpecialValueText("—")
            select_on_focus(spin)
            spin.valueChanged.connect(lambda _v: self._detail_edited())
            w = spin
        elif kind == "bool":
            box = QCheckBox(self)
            box.setChecked(bool(value))
            box.toggled.connect(lambda _c: self._detail_edited())
            w = box
        elif kind == "date":
            date_edit = DateField(self)  # blank: no date
            date_edit.setText(_date_text(value))
            date_edit.textEdited.connect(lambda _t: self._detail_edited())
            date_edit.sig_picked.connect(self._detail_edited)
            w = date_edit
        else:
            line = QLineEdit(self)
            line.setText("" if value is None else str(value))
            line.textEdited.connect(lambda _t: self._detail_edited())
            w = line
        return w

    def _read_details(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self._detail_widgets.items():
            if isinstance(w, QComboBox):
                value = w.currentData()
            elif isinstance(w, QSpinBox):
                value = None if w.value() == w.minimum() else w.value()
            elif isinstance(w, QDoubleSpinBox):
                v = w.value()
                value = None if v == w.minimum() else (int(v) if float(v).is_integer() else v)
            elif isinstance(w, QCheckBox):
                value = w.isChecked() or None
            elif isinstance(w, DateField):  # stored as ISO; typed text that is no date kept
                day = w.date_value()
                value = day.isoformat() if day else (w.text().strip() or None)
            elif isinstance(w, QLineEdit):
                value = w.text().strip() or None
            else:
                value = None
            if value is not None:
                out[key] = value
        return out

    def set_detail(self, key: str, value: Any) -> None:
        """Set one detail field of the selected modality (as a user edit)."""
        w = self._detail_widgets[key]
        if isinstance(w, QComboBox):
            w.setCurrentIndex(w.findData(value))
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setValue(value)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, DateField):
            w.setText(_date_text(value))
            self._detail_edited()
        elif isinstance(w, QLineEdit):
            w.setText(str(value))
            self._detail_edited()

    def detail_widget(self, key: str) -> QWidget:
        return self._detail_widgets[key]

    def _detail_edited(self) -> None:
        row = self.view.currentIndex().row()
        if row < 0:
            return
        current = self.model.rows()[row]
        self.model.replace_row(row, ModalityInput(current.kind, self._read_details()))
        self._edited()

    # --- validation ----------------------------------------------------------------
    def _edited(self) -> None:
        self._validate()
        if not self._quiet:
            self.sig_changed.emit()

    def problems_list(self) -> tuple[Any, ...]:
        return tuple(
            treatments.validate_plan(
                self.intent_value(),
                [{"kind": m.kind, "details": dict(m.details)} for m in self.model.rows()],
                histology_key=self.histology_key,
            )
        )

    def _validate(self) -> None:
        problems = self.problems_list()
        if not problems:
            self.problems.setText(
                "<span style='color:#1b7f3b'>✓ The plan validator found no problems.</span>"
            )
            return
        lines = []
        for p in problems:
            colour = "#b3261e" if p.severity == "error" else "#9a5b00"
            where = f"#{p.modality_index + 1} " if p.modality_index is not None else ""
            lines.append(
                f"<li style='color:{colour}'><b>{p.severity.capitalize()}</b> "
                f"{where}{html.escape(p.message)}</li>"  # messages quote what was typed
            )
        self.problems.setText("<ul style='margin-left:-20px'>" + "".join(lines) + "</ul>")
