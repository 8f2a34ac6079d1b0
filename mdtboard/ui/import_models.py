"""The import wizard's tables: which file column feeds each field, what each coded file
value reads as, and the preview of the rows. Each edits the wizard's Mapping through
the services' own functions; no rule lives here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from mdtboard.domain import histology
from mdtboard.domain.vocab import Compartment, DiseaseKind, Sex, Urgency
from mdtboard.services.import_mapping import (
    FIELDS,
    LABELS,
    REQUIRED,
    Mapping,
    recognised,
)
from mdtboard.services.importer import Preview, RowError
from mdtboard.ui.date_fields import format_date, format_datetime
from mdtboard.ui.table_base import ModelIndex, RowsTableModel

NOT_IMPORTED = "(not imported)"
PROBLEM = QBrush(QColor("#b3261e"))
#: a combo-edited cell's choices, as (shown text, stored value) pairs
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1
_EDIT = Qt.ItemDataRole.EditRole
_SHOW = Qt.ItemDataRole.DisplayRole
_TEXT = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


def field_choices(fld: str) -> list[tuple[str, str]]:
    """What a coded field's value may read as, for the value table's combo."""
    if fld == "histology":
        entries = sorted(histology.CATALOGUE.values(), key=lambda h: h.label.casefold())
        return [("Awaiting biopsy", histology.AWAITING_BIOPSY)] + [
            (h.label, h.key) for h in entries
        ]
    vocab = {"sex": Sex, "urgency": Urgency, "disease_kind": DiseaseKind,
             "compartment": Compartment}[fld]  # fmt: skip
    return [(m.label, m.value) for m in vocab]


def _label_of(fld: str, value: str) -> str:
    return next((shown for shown, v in field_choices(fld) if v == value), value)


class ColumnMapModel(RowsTableModel[str]):
    """One row per mdtboard field: the file column that feeds it (editable) and the
    value of the first row in that column."""

    HEADERS = ("mdtboard field", "File column", "First row")
    sig_mapping_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(FIELDS)
        self.mapping = Mapping()
        self.header: tuple[str, ...] = ()
        self.first_row: list[str] = []

    def reset(self, mapping: Mapping, header: Sequence[str], first_row: Sequence[str]) -> None:
        self.beginResetModel()
        self.mapping, self.header, self.first_row = mapping, tuple(header), list(first_row)
        self.endResetModel()

    def missing(self) -> list[str]:
        """Required fields no file column feeds."""
        have = set(self.header)
        return [f for f in FIELDS if f in REQUIRED and self.mapping.columns.get(f) not in have]

    def data(self, index: ModelIndex, role: int = _SHOW) -> Any:
        if not self.valid(index):
            return None
        fld, col = self._rows[index.row()], index.column()
        column = self.mapping.columns.get(fld)
        if role in (*_TEXT, _EDIT):
            if col == 0:
                return LABELS[fld] + (" *" if fld in REQUIRED else "")
            if col == 1:
                return column if column in self.header else NOT_IMPORTED
            if col == 2 and column in self.header:
                i = self.header.index(column)
                return self.first_row[i] if i < len(self.first_row) else ""
            return ""
        if role == CHOICES_ROLE and col == 1:
            return [(NOT_IMPORTED, "")] + [(h, h) for h in self.header if h]
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return PROBLEM if fld in REQUIRED and column not in self.header else None
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return f"{fld}{' (required)' if fld in REQUIRED else ''}"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 1 else base

    def setData(self, index: ModelIndex, value: Any, role: int = _EDIT) -> bool:
        if not self.valid(index) or index.column() != 1 or role != _EDIT:
            return False
        fld = self._rows[index.row()]
        header = str(value or "")
        if header and header not in self.header:
            return False
        mapping = self.mapping
        if header:  # a column feeds one field: taking it here frees it elsewhere
            for other, col in mapping.columns.items():
                if col == header and other != fld:
                    mapping = mapping.with_column(other, None)
        self.mapping = mapping.with_column(fld, header or None)
        self.dataChanged.emit(self.index(0, 1), self.index(len(self._rows) - 1, 2))
        self.sig_mapping_changed.emit()
        return True


@dataclass(frozen=True)
class ValueRow:
    field: str
    value: str  # as the file writes it
    count: int


class ValueMapModel(RowsTableModel[ValueRow]):
    """One row per distinct value of a coded column: what mdtboard reads it as
    (editable); values it does not recognise say so."""

    HEADERS = ("Field", "Value in the file", "Rows", "Reads as")
    sig_mapping_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.mapping = Mapping()

    def reset(self, mapping: Mapping, rows: Sequence[ValueRow]) -> None:
        self.beginResetModel()
        self.mapping, self._rows = mapping, list(rows)
        self.endResetModel()

    def reads_as(self, row: ValueRow) -> str | None:
        return recognised(row.field, row.value, self.mapping)

    def unrecognised(self) -> int:
        return sum(1 for r in self._rows if self.reads_as(r) is None)

    def data(self, index: ModelIndex, role: int = _SHOW) -> Any:
        if not self.valid(index):
            return None
        row, col = self._rows[index.row()], index.column()
        ours = self.reads_as(row)
        if role in _TEXT:
            if col == 0:
                return LABELS[row.field]
            if col == 1:
                return row.value
            if col == 2:
                return str(row.count)
            return _label_of(row.field, ours) if ours else "Not recognised — choose"
        if role == _EDIT:
            return ours or ""
        if role == CHOICES_ROLE and col == 3:
            return [("Not recognised", ""), *field_choices(row.field)]
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and ours is None:
            return PROBLEM
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 3 else base

    def setData(self, index: ModelIndex, value: Any, role: int = _EDIT) -> bool:
        if not self.valid(index) or index.column() != 3 or role != _EDIT:
            return False
        row = self._rows[index.row()]
        ours = str(value or "")
        if ours and ours not in {v for _, v in field_choices(row.field)}:
            return False
        self.mapping = self.mapping.with_value(row.field, row.value, ours or None)
        self.dataChanged.emit(index, index)
        self.sig_mapping_changed.emit()
        return True


@dataclass(frozen=True)
class PreviewRow:
    number: int
    shown: dict[str, Any]
    problems: tuple[RowError, ...]


_PREVIEW_KEYS = ("mrn", "patient", "date_of_birth", "sex", "received_at", "urgency",
                 "histology", "levels")  # fmt: skip


class PreviewModel(RowsTableModel[PreviewRow]):
    """The rows as mdtboard reads them, with each row's problems (rows with problems
    first): what the import would write."""

    HEADERS = ("Row", "Problems", "MRN", "Patient", "Born", "Sex", "Received", "Urgency",
               "Histology", "Levels")  # fmt: skip
    PROBLEMS = 1

    def show(self, preview: Preview) -> None:
        problems: dict[int, list[RowError]] = {}
        for e in preview.errors:
            problems.setdefault(e.row, []).append(e)
        shown = dict(preview.shown)
        numbers = sorted(set(problems) | set(shown), key=lambda n: (n not in problems, n))
        self.set_rows(PreviewRow(n, shown.get(n, {}), tuple(problems.get(n, ()))) for n in numbers)

    def data(self, index: ModelIndex, role: int = _SHOW) -> Any:
        if not self.valid(index):
            return None
        row, col = self._rows[index.row()], index.column()
        if role in _TEXT:
            if col == 0:
                return str(row.number) if row.number else "header"
            if col == self.PROBLEMS:
                return "; ".join(_problem(e) for e in row.problems) or "ready"
            value = row.shown.get(_PREVIEW_KEYS[col - 2], "")
            if isinstance(value, datetime):
                return format_datetime(value.astimezone())
            if isinstance(value, date):
                return format_date(value)
            return value
        if role == Qt.ItemDataRole.ForegroundRole and col == self.PROBLEMS and row.problems:
            return PROBLEM
        if role == Qt.ItemDataRole.ToolTipRole and col == self.PROBLEMS and row.problems:
            return "\n".join(str(e) for e in row.problems)
        return None


def _problem(e: RowError) -> str:
    where = e.source or e.column
    return f"{where}: {e.message}" if where else e.message


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a cell with a combo of the choices the model gives (CHOICES_ROLE). The
    combo takes typing: any part of an entry ("breast" finds "Metastatic breast
    carcinoma"), and Enter chooses the one entry that matches."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for shown, value in index.data(CHOICES_ROLE) or []:
            combo.addItem(shown, value)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = combo.completer()
        assert completer is not None  # an editable combo has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        line = combo.lineEdit()
        if line is not None:  # Enter in the text, or a pick from the list, chooses
            line.returnPressed.connect(lambda c=combo: self._commit(c))
            completer.activated.connect(lambda _text, c=combo: self._commit(c))
        return combo  # Tab or leaving the cell commits too (the delegate's own)

    def _commit(self, combo: QComboBox) -> None:
        if combo.isVisible():
            self.commitData.emit(combo)
            self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        current = index.data(_EDIT)
        at = editor.findData(current if current != NOT_IMPORTED else "")
        editor.setCurrentIndex(max(at, 0))
        line = editor.lineEdit()
        if line is not None:
            line.selectAll()

    def setModelData(
        self,
        editor: QWidget,
        model: Any,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        at = matching_choice(editor)
        if at is not None:
            model.setData(index, editor.itemData(at), _EDIT)


def matching_choice(combo: QComboBox) -> int | None:
    """The entry the combo's text names: the same text, else the only entry holding it."""
    text = combo.currentText().strip().casefold()
    shown = [combo.itemText(i).casefold() for i in range(combo.count())]
    if text in shown:
        return shown.index(text)
    hits = [i for i, s in enumerate(shown) if text and text in s]
    return hits[0] if len(hits) == 1 else None
