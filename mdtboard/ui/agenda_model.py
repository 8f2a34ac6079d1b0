"""Table models for meetings and a meeting's agenda (drag to reorder)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from mdtboard.domain.readiness import Readiness
from mdtboard.domain.vocab import AgendaStatus, MeetingStatus, Urgency
from mdtboard.services.meetings import AgendaEntry, MeetingSummary
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.table_base import RowsTableModel

ModelIndex = QModelIndex | QPersistentModelIndex
AGENDA_MIME = "application/x-mdtboard-agenda-rows"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
_MSCC = QColor("#fde2e1")


def _label(enum_cls: Any, value: str) -> str:
    try:
        return str(enum_cls(value).label)
    except ValueError:
        return value


class MeetingTableModel(RowsTableModel[MeetingSummary]):
    HEADERS = ("Date", "Title", "Status", "Cases")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        m = self._rows[index.row()]
        if role == ID_ROLE:
            return m.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            col = index.column()
            if col == 0:
                return format_datetime(m.starts_at, weekday=True)
            if col == 1:
                return m.title
            if col == 2:
                return _label(MeetingStatus, m.status)
            if col == 3:
                return str(m.items)
        return None


class AgendaTableModel(RowsTableModel[AgendaEntry]):
    """The agenda of one meeting; rows move by drag and drop or Alt+Up/Down.

    ``on_reorder(ids)`` is called with the new order of agenda item ids; it
    persists the order through the service and returns the fresh entries.
    """

    HEADERS = (
        "#",
        "Patient",
        "MRN",
        "Urgency",
        "Histology",
        "Levels",
        "Question",
        "Ready",
        "Status",
    )

    def __init__(
        self,
        on_reorder: Callable[[list[int]], Sequence[AgendaEntry]] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[AgendaEntry] = []
        self._readiness: dict[int, Readiness] = {}
        self._on_reorder = on_reorder
        self.editable = True

    def set_entries(
        self, rows: Sequence[AgendaEntry], readiness: dict[int, Readiness] | None = None
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._readiness = dict(readiness or {})
        self.endResetModel()

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.editable else Qt.ItemFlag.NoItemFlags
        if self.editable:
            base |= Qt.ItemFlag.ItemIsDragEnabled
        return base

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return e.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            ready = self._readiness.get(e.referral_id)
            values = (
                str(index.row() + 1),
                e.patient_name,
                e.mrn,
                _label(Urgency, e.urgency),
                e.histology_label,
                e.levels_text,
                e.question,
                ready.light.label if ready else "",
                _label(AgendaStatus, e.status)
                + (" · standard of care" if e.standard_of_care else ""),
            )
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            ready = self._readiness.get(e.referral_id)
            if col == 7 and ready is not None:
                return ready.summary()
            if col == 8 and (e.reason or e.standard_of_care):
                return "\n".join(x for x in (e.reason, e.protocol_title) if x)
            return None
        if role == Qt.ItemDataRole.BackgroundRole and e.urgency == Urgency.MSCC:
            return QBrush(_MSCC)
        if role == Qt.ItemDataRole.ForegroundRole and col == 7:
            ready = self._readiness.get(e.referral_id)
            if ready is not None:
                colour = {"green": "#1b7f3b", "amber": "#9a5b00", "red": "#b3261e"}
                return QBrush(QColor(colour[ready.light.value]))
        return None

    # --- drag and drop -------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [AGENDA_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data = QMimeData()
        data.setData(AGENDA_MIME, QByteArray(",".join(map(str, rows)).encode()))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        return self.editable and data.hasFormat(AGENDA_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: ModelIndex
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        raw = bytes(data.data(AGENDA_MIME).data()).decode()
        rows = [int(x) for x in raw.split(",") if x]
        if not rows:
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self._rows))
        self.move_rows(rows, target)
        return False  # rows were moved here; the view must not remove anything

    def move_rows(self, rows: list[int], target: int) -> None:
        """Move ``rows`` so they sit before ``target`` (an index in the current order)."""
        moving = [self._rows[r] for r in rows]
        keep = [e for i, e in enumerate(self._rows) if i not in set(rows)]
        insert_at = target - sum(1 for r in rows if r < target)
        new_order = keep[:insert_at] + moving + keep[insert_at:]
        if [e.id for e in new_order] == [e.id for e in self._rows]:
            return
        self.apply_order([e.id for e in new_order])

    def move_row(self, row: int, delta: int) -> int:
        dest = row + delta
        if not (0 <= row < len(self._rows) and 0 <= dest < len(self._rows)):
            return row
        self.move_rows([row], dest + 1 if delta > 0 else dest)
        return dest

    def apply_order(self, ids: list[int]) -> None:
        if self._on_reorder is None:
            return
        fresh = list(self._on_reorder(ids))
        self.set_entries(fresh, self._readiness)
