"""The actions of a decision as a table: description, owner, due date, done."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal

from mdtboard.services.decisions import ActionInput
from mdtboard.ui.date_fields import format_date, parse_date
from mdtboard.ui.table_base import RowsTableModel

ModelIndex = QModelIndex | QPersistentModelIndex


class ActionsModel(RowsTableModel[ActionInput]):
    HEADERS = ("Action", "Owner", "Due", "Done")
    sig_edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ActionInput] = []
        self.read_only = False

    def actions(self) -> tuple[ActionInput, ...]:
        return tuple(self._rows)

    def add(self, action: ActionInput) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(action)
        self.endInsertRows()
        self.sig_edited.emit()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.sig_edited.emit()

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        a = self._rows[index.row()]
        values = (
            a.description,
            a.owner,
            format_date(a.due_date),
            "yes" if a.done_at else "",
        )
        return values[index.column()]

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        a = self._rows[index.row()]
        text = str(value).strip()
        col = index.column()
        if col == 0:
            a = replace(a, description=text)
        elif col == 1:
            a = replace(a, owner=text)
        elif col == 2:
            due = parse_date(text)  # the locale's format (or ISO); blank for none
            if text and due is None:
                return False
            a = replace(a, due_date=due)
        else:
            done = text.lower() in ("yes", "y", "1", "true", "done")
            a = replace(
                a,
                done_at=datetime.now(UTC)
                if done and not a.done_at
                else (a.done_at if done else None),
            )
        self._rows[index.row()] = a
        self.dataChanged.emit(index, index)
        self.sig_edited.emit()
        return True
