"""The agenda pane of meeting mode: position, patient and where each case stands."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from mdtboard.domain.vocab import Urgency
from mdtboard.services.meetings import AgendaEntry
from mdtboard.ui.table_base import RowsTableModel

ModelIndex = QModelIndex | QPersistentModelIndex
_MSCC = QColor("#fde2e1")
_COLOURS = {
    "Signed off": "#1b7f3b",
    "Draft": "#9a5b00",
    "Deferred": "#555555",
    "Withdrawn": "#555555",
}


def case_state(e: AgendaEntry) -> str:
    """Where a case stands in this meeting, as the chair needs to see it."""
    if e.status == "deferred":
        return "Deferred"
    if e.status == "withdrawn":
        return "Withdrawn"
    if e.decision_status in ("signed_off", "amended"):
        return "Signed off"
    if e.decision_status == "draft":
        return "Draft"
    if e.status == "discussed":
        return "Discussed"
    return "Not discussed"


class MeetingAgendaModel(RowsTableModel[AgendaEntry]):
    HEADERS = ("#", "Patient", "Status")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (str(index.row() + 1), e.patient_name, case_state(e))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            why = f"\n{e.reason}" if e.reason else ""
            return f"{e.patient_name} — MRN {e.mrn}\n{e.histology_label}, {e.levels_text}{why}"
        if role == Qt.ItemDataRole.BackgroundRole and e.urgency == Urgency.MSCC:
            return QBrush(_MSCC)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            colour = _COLOURS.get(case_state(e))
            return QBrush(QColor(colour)) if colour else None
        return None
