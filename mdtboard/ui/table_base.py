"""The parts every flat table model shares: rows in a list, fixed headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from mdtboard.ui.remember import keep_columns

ModelIndex = QModelIndex | QPersistentModelIndex
RowT = TypeVar("RowT")


class RowsTableModel(QAbstractTableModel, Generic[RowT]):
    """A read-mostly table over ``self._rows``; subclasses set HEADERS and ``data``."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    def set_rows(self, rows: Any) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[RowT]:
        return list(self._rows)

    def row_at(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, row_id: int) -> int:
        """The row of the record with this ``id`` (rows that have one), or -1."""
        return next((i for i, r in enumerate(self._rows) if getattr(r, "id", None) == row_id), -1)

    def valid(self, index: ModelIndex) -> bool:
        return index.isValid() and 0 <= index.row() < len(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


def row_table(
    parent: QWidget,
    model: QAbstractTableModel,
    name: str,
    accessible: str,
    widths: Sequence[int] = (),
    *,
    remember: str = "",
) -> QTableView:
    """A table view that selects one whole row at a time (every list in the app);
    with ``remember`` (a settings key) its columns are as the user last left them."""
    view = QTableView(parent)
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    for col, width in enumerate(widths):
        view.setColumnWidth(col, width)
    if remember:
        keep_columns(view, remember)
    return view
