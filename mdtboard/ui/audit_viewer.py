"""The audit trail, newest first, with filters and a chain check (administrators)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.services import audit_log
from mdtboard.services.audit_log import AuditFilter, AuditRow
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.settings import is_demo
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.help import install_help
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.table_base import RowsTableModel, row_table

ModelIndex = QModelIndex | QPersistentModelIndex
PAGE = 300


class AuditTableModel(RowsTableModel[AuditRow]):
    HEADERS = ("#", "When (local)", "User", "Action", "Record", "Summary")

    def __init__(self, ctx: ServiceContext, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter = AuditFilter()
        self._rows: list[AuditRow] = []
        self.total = 0
        self._fetching = False

    def set_filter(self, f: AuditFilter) -> None:
        self._fetching = True  # no fetchMore from views while the reset is in flight
        # read first, then reset: a failed read leaves the list (and its filter) as it
        # was, not a reset begun and never ended
        try:
            total = audit_log.count_events(self.ctx, f)
            rows = audit_log.fetch_events(self.ctx, f, 0, PAGE)
            self.beginResetModel()
            self.filter, self.total, self._rows = f, total, rows
            self.endResetModel()
        finally:
            self._fetching = False

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        # nothing more to fetch (or no filter applied yet): a call anyway loads nothing
        if self._fetching or not self.canFetchMore(parent):
            return
        self._fetching = True
        try:
            more = audit_log.fetch_events(self.ctx, self.filter, len(self._rows), PAGE)
            if more:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
                self._rows.extend(more)
                self.endInsertRows()
            else:
                self.total = len(self._rows)
        finally:
            self._fetching = False

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        e = self._rows[index.row()]
        values = (
            str(e.id),
            format_datetime(e.occurred_at, seconds=True),
            e.user,
            e.action,
            f"{e.entity} {e.entity_id}".strip(),
            e.summary,
        )
        return values[index.column()]


class AuditViewer(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Audit trail" + (f" — {DEMO_TITLE}" if is_demo(ctx.db) else ""))
        self.setObjectName("AuditViewer")
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.user = self._combo("user", "All users")
        self.action = self._combo("action", "All actions")
        self.entity = self._combo("entity", "All records")
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("Summary contains…")
        self.text.setAccessibleName("Summary contains")
        self.text.returnPressed.connect(self.apply)
        for label, w in (("User", self.user), ("Action", self.action), ("Record", self.entity)):
            row.addWidget(QLabel(label, self))
            row.addWidget(w)
        row.addWidget(self.text, 1)
        self.verify_btn = QPushButton("&Verify chain", self)
        self.verify_btn.clicked.connect(self.verify)
        row.addWidget(self.verify_btn)
        layout.addLayout(row)
        self.model = AuditTableModel(ctx, self)
        self.view = row_table(
            self,
            self.model,
            "auditTable",
            "Audit events",
            (60, 150, 140, 90, 130),
            remember="audit/header",
        )
        layout.addWidget(self.view, 1)
        self.status = QLabel(self)
        self.status.setObjectName("auditStatus")
        layout.addWidget(self.status)
        keep_geometry(self, "audit/geometry", (1100, 640))
        install_help(self, "admin")
        self.apply()

    def _combo(self, column: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(everything)
        combo.addItem(everything, "")
        for value in audit_log.distinct_values(self.ctx, column):
            combo.addItem(value, value)
        combo.currentIndexChanged.connect(lambda _i: self.apply())
        return combo

    def apply(self) -> None:
        f = replace(
            AuditFilter(),
            user=self.user.currentData() or "",
            action=self.action.currentData() or "",
            entity=self.entity.currentData() or "",
            text=self.text.text().strip(),
        )
        self.model.set_filter(f)
        self.status.setText(f"{self.model.total} events")

    def verify(self) -> None:
        try:
            report = audit_log.verify(self.ctx)
        except ServiceError as exc:  # no usable audit key on this workstation
            self.status.setText(f"Cannot verify: {exc}")
            return
        chain, sealed = report.chain, report.seals
        if not chain.ok:
            self.status.setText(
                f"AUDIT CHAIN BROKEN at event {chain.first_bad_id}: {chain.problem}"
            )
        elif not sealed.ok:
            self.status.setText(
                f"SIGNED-OFF RECORDS CHANGED ({len(sealed.problems)}): "
                + "; ".join(sealed.problems[:5])
            )
        else:
            self.status.setText(
                f"Audit chain intact: {chain.checked} events verified; "
                f"{sealed.checked} signed-off decisions match their seals."
            )
