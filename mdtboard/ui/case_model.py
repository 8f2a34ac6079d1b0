"""Table model of the worklist: windowed loading over the worklist service.

Rows arrive a page at a time through ``canFetchMore``/``fetchMore``; the
filter and sort are done in SQL, so the model never holds more than what
the user has scrolled through.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from mdtboard.domain.readiness import Light
from mdtboard.domain.vocab import DiseaseKind, ReferralStatus, Urgency
from mdtboard.services import worklist
from mdtboard.services.worklist import CaseQuery, CaseRow
from mdtboard.store.db import Database
from mdtboard.ui.case_columns import CASE_ID_ROLE, COLUMNS
from mdtboard.ui.date_fields import format_date, format_datetime

__all__ = ["CASE_ID_ROLE", "COLUMNS", "CaseTableModel"]

ModelIndex = QModelIndex | QPersistentModelIndex

PAGE_SIZE = 200

_MSCC_BACKGROUND = QColor("#fde2e1")
_MSCC_FOREGROUND = QColor("#8a1111")
_LIGHT_COLOURS = {"green": QColor("#1b7f3b"), "amber": QColor("#9a5b00"), "red": QColor("#b3261e")}


_SHORT_CLOCK = {
    "suspicion_to_mri": "MRI",
    "suspicion_to_plan": "plan",
    "decision_to_treatment": "treatment",
}


def _pathway_tooltip(row: CaseRow) -> str:
    """The MSCC pathway of a row: what is suspected, and each QS56 clock."""
    p = row.pathway
    assert p is not None
    head = (
        "Suspected metastatic spinal cord compression: emergency pathway"
        if p.suspected_mscc
        else "Known cancer with spinal pain: 1-week pathway (QS56 statement 2)"
    )
    lines = [head, *p.clock_lines()]
    if p.reasons:
        lines.append("Red flags: " + p.reasons[0])
    return "\n".join(lines)


def _label(enum_cls: Any, value: str) -> str:
    try:
        return str(enum_cls(value).label)
    except ValueError:
        return value


class CaseTableModel(QAbstractTableModel):
    """Read-only model of referrals; ``sig_counts_changed(shown, total)``."""

    sig_counts_changed = Signal(int, int)

    def __init__(self, db: Database, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._db = db
        self._page = page_size
        self._query = CaseQuery()
        self._rows: list[CaseRow] = []
        self._total = 0
        self._fetching = False
        self._loaded = False  # views set their sort order before the first load: no query yet
        #: readiness reasons read for tooltips, forgotten at each reload
        self._reasons: dict[int, str] = {}
        self._today = date.today()
        self._bold = QFont()
        self._bold.setBold(True)

    # --- loading -------------------------------------------------------
    @property
    def query(self) -> CaseQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def set_query(self, query: CaseQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._fetching = True  # no fetchMore from views while the reset is in flight
        # read first, then reset: a failed read leaves the list as it was, not half-reset
        try:
            today = date.today()
            total = worklist.count_cases(self._db, self._query)
            rows = worklist.fetch_cases(self._db, self._query, 0, self._page)
            self.beginResetModel()
            self._today, self._total, self._rows, self._loaded = today, total, rows, True
            self._reasons = {}
            self.endResetModel()
        finally:
            self._fetching = False
        self.sig_counts_changed.emit(len(self._rows), self._total)

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self._fetching or not self.canFetchMore(parent):
            # views may ask again while rows are being inserted; and a call with nothing
            # more to fetch (or before the first load, which sets the query) loads nothing
            return
        self._fetching = True
        try:
            more = worklist.fetch_cases(self._db, self._query, len(self._rows), self._page)
            if not more:
                self._total = len(self._rows)
                return
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()
        finally:
            self._fetching = False
        self.sig_counts_changed.emit(len(self._rows), self._total)

    def row_at(self, row: int) -> CaseRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_case(self, referral_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.referral_id == referral_id:
                return i
        return -1

    # --- Qt model API --------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "urgency" and row.pathway is not None:
                return _pathway_tooltip(row)
            if key == "histology":
                return f"{_label(DiseaseKind, row.disease_kind)}: {row.histology_label}"
            if key == "patient":
                return f"Referred by {row.referrer}"
            if key == "readiness":
                return self._readiness_reason(row.referral_id)
            return None
        if role == CASE_ID_ROLE:
            return row.referral_id
        if row.suspected_mscc:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(_MSCC_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_MSCC_FOREGROUND)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and key == "readiness" and row.readiness:
            return QBrush(_LIGHT_COLOURS[row.readiness])
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "age":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _readiness_reason(self, referral_id: int) -> str:
        """Why a case is (not) ready, read when the tooltip is first asked for."""
        if referral_id not in self._reasons:
            from mdtboard.services.readiness import readiness_of

            self._reasons[referral_id] = readiness_of(self._db, referral_id).summary()
        return self._reasons[referral_id]

    def _display(self, row: CaseRow, key: str) -> str:
        if key == "patient":
            return row.patient_name
        if key == "mrn":
            return row.mrn
        if key == "age":
            return str(row.age_on(self._today))
        if key == "histology":
            if row.disease_kind == DiseaseKind.METASTATIC:
                return row.histology_label
            return f"{row.histology_label} ({_label(DiseaseKind, row.disease_kind).lower()})"
        if key == "levels":
            return row.levels_text
        if key == "urgency":
            text = _label(Urgency, row.urgency)
            if row.pathway is None:
                return text
            if row.pathway.suspected_mscc and row.urgency != Urgency.MSCC:
                text += " — red flags suggest MSCC"
            overdue = [c for c in row.pathway.clocks if c.state == "overdue_running"]
            if overdue:  # only what still needs doing; past breaches are in the tooltip
                text += " · " + ", ".join(_SHORT_CLOCK[c.key] for c in overdue) + " overdue"
            return text
        if key == "status":
            return _label(ReferralStatus, row.status)
        if key == "readiness":
            return f"● {Light(row.readiness).label}" if row.readiness else ""
        if key == "next_meeting":
            when = row.next_meeting_at
            return format_date(when, weekday=True) if when else ""
        if key == "received":
            return format_datetime(row.received_at)
        return ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        query = replace(
            self._query,
            sort=COLUMNS[column][0],
            descending=order == Qt.SortOrder.DescendingOrder,
        )
        if query == self._query and self._loaded:
            return  # the same order again (e.g. a restored header): nothing to fetch
        self._query = query
        if self._loaded:
            self.reload()
