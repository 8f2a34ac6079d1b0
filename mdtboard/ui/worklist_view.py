"""The worklist table and its count line in the status bar.

Imports Qt only (the case model is attached later), so the window's frame paints
before the database layer is loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from mdtboard.ui.case_columns import CASE_ID_ROLE, COLUMN_WIDTHS, COLUMNS
from mdtboard.ui.remember import keep_columns

if TYPE_CHECKING:
    from mdtboard.ui.case_model import CaseTableModel

_HEADER_KEY = "main/header"


class CaseTable(QTableView):
    """The list of cases, one row selected at a time. Until :meth:`attach_model` it
    shows the columns of an empty list. ``sig_case_activated(referral_id)`` on Enter
    or a double-click."""

    sig_case_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setAccessibleName("Case list")
        self._cases: CaseTableModel | None = None
        self._placeholder = QStandardItemModel(0, len(COLUMNS), self)
        self._placeholder.setHorizontalHeaderLabels([label for _k, label in COLUMNS])
        self.setModel(self._placeholder)
        self._configure_columns()
        self.activated.connect(self._on_activated)

    def attach_model(self, model: CaseTableModel) -> None:
        """Show ``model`` instead of the empty list, with the header as last saved."""
        self._cases = model
        self.setSortingEnabled(False)  # set the indicator first, then enable (no double load)
        self.setModel(model)
        self._placeholder.deleteLater()
        self._configure_columns()
        keep_columns(self, _HEADER_KEY)
        self.setSortingEnabled(True)

    def save_header(self) -> None:
        """Keep the column widths, order and sort for the next start (also kept as
        they change, once a model is attached)."""
        settings = QSettings()
        settings.setValue(_HEADER_KEY, self.horizontalHeader().saveState())
        settings.setValue(f"{_HEADER_KEY}Count", self.horizontalHeader().count())

    def _configure_columns(self) -> None:
        header = self.horizontalHeader()
        header.setSortIndicator(
            [k for k, _ in COLUMNS].index("received"), Qt.SortOrder.DescendingOrder
        )
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.setColumnWidth(col, width)

    def enter_from_search(self) -> None:
        """Down from the search field: into the list, on the selected case (or the
        first one), without losing the selection."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        if not self.currentIndex().isValid():
            self.selectRow(0)
        self.setFocus(Qt.FocusReason.TabFocusReason)

    def selected_case_id(self) -> int | None:
        index = self.currentIndex()
        if not index.isValid() or self._cases is None:
            return None
        value = self._cases.data(index, CASE_ID_ROLE)
        return int(value) if value is not None else None

    def select_case(self, case_id: int) -> None:
        """Select the row of ``case_id`` if it is loaded."""
        row = -1 if self._cases is None else self._cases.row_of_case(case_id)
        if row >= 0:
            self.selectRow(row)

    def _on_activated(self, _index: QModelIndex) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.sig_case_activated.emit(case_id)


class WorklistCounts(QLabel):
    """The status bar's count line: cases matching the filter, and open MSCC cases."""

    def show_counts(self, shown: int, total: int, totals: Mapping[str, int]) -> None:
        """``total`` cases match, ``shown`` are loaded; ``totals`` are the whole
        database's counts by status (and ``mscc_open``)."""
        all_cases = sum(v for k, v in totals.items() if k != "mscc_open")
        text = f"{total} of {all_cases} cases match"
        if shown < total:
            text += f" ({shown} loaded)"
        text += f"   ·   MSCC open: {totals.get('mscc_open', 0)}"
        self.setText(text)
