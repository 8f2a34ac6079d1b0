"""The agreed standard-of-care protocols (issue 19 part 7), kept by an administrator.

A case listed under one is confirmed by the chair with the protocol applied instead of
a full discussion. A protocol is never deleted: a new version is added and the old one
retired, so every signed-off decision keeps the text it was confirmed under.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.services import protocols
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.protocols import ProtocolInput, ProtocolView
from mdtboard.ui.date_fields import DateField, format_date
from mdtboard.ui.help import install_help
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.table_base import RowsTableModel, row_table

ModelIndex = QModelIndex | QPersistentModelIndex


class ProtocolTableModel(RowsTableModel[ProtocolView]):
    HEADERS = ("Title", "Version", "Approved by", "Approved on", "Current")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        p = self._rows[index.row()]
        return (
            p.title,
            p.version_label,
            p.approved_by,
            format_date(p.approved_on),
            "yes" if p.active else "retired",
        )[index.column()]


class ProtocolsDialog(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Standard-of-care protocols")
        layout = QVBoxLayout(self)
        self.model = ProtocolTableModel(self)
        self.view = row_table(
            self, self.model, "protocolTable", "Protocols", (320, 70, 200, 100),
            remember="protocols/header",
        )  # fmt: skip
        layout.addWidget(self.view, 1)
        form = QFormLayout()
        self.title_edit = QLineEdit(self)
        self.title_edit.setAccessibleName("Title")
        form.addRow("&Title *", self.title_edit)
        self.version_edit = QLineEdit(self)
        self.version_edit.setAccessibleName("Version")
        form.addRow("&Version *", self.version_edit)
        self.approved_by = QLineEdit(self)
        self.approved_by.setAccessibleName("Approved by")
        form.addRow("Approved &by *", self.approved_by)
        self.approved_on = DateField(self)
        self.approved_on.setAccessibleName("Approved on")
        form.addRow("Approved &on *", self.approved_on)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setAccessibleName("What the protocol says")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setFixedHeight(90)
        form.addRow("Te&xt *", self.text_edit)
        self.active = QCheckBox("&Current (offered when listing a case)", self)
        self.active.setChecked(True)
        form.addRow(self.active)
        layout.addLayout(form)
        self.error = QLabel(self)
        self.error.setObjectName("protocolError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b3261e;")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.add_btn = QPushButton("&Add new", self)
        self.add_btn.clicked.connect(self.add)
        self.save_btn = QPushButton("&Save changes to selected", self)
        self.save_btn.clicked.connect(self.save_selected)
        row.addWidget(self.add_btn)
        row.addWidget(self.save_btn)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)
        self.view.selectionModel().currentRowChanged.connect(lambda c, _p: self._show(c.row()))
        keep_geometry(self, "protocols/geometry", (820, 600))
        install_help(self, "agenda")
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(protocols.list_protocols(self.ctx.db, include_inactive=True))

    def _show(self, row: int) -> None:
        p = self.model.row_at(row)
        if p is None:
            return
        self.title_edit.setText(p.title)
        self.version_edit.setText(p.version_label)
        self.approved_by.setText(p.approved_by)
        self.approved_on.set_date_value(p.approved_on)
        self.text_edit.setPlainText(p.text)
        self.active.setChecked(p.active)

    def _input(self) -> ProtocolInput:
        return ProtocolInput(
            title=self.title_edit.text(),
            text=self.text_edit.toPlainText(),
            version_label=self.version_edit.text(),
            approved_by=self.approved_by.text(),
            approved_on=self.approved_on.date_value(),
        )

    def _run(self, action: Any) -> bool:
        if self.approved_on.is_invalid():
            self.error.setText(self.approved_on.problem("Approved on"))
            return False
        try:
            action()
        except ValidationError as exc:
            self.error.setText("; ".join(f"{k}: {v}" for k, v in exc.problems.items()))
            return False
        except ServiceError as exc:
            self.error.setText(str(exc))
            return False
        self.error.setText("")
        self.reload()
        return True

    def add(self) -> bool:
        return self._run(
            lambda: protocols.save_protocol(self.ctx, self._input(), active=self.active.isChecked())
        )

    def save_selected(self) -> bool:
        p = self.model.row_at(self.view.currentIndex().row())
        if p is None:
            self.error.setText("Select a protocol first.")
            return False
        return self._run(
            lambda: protocols.save_protocol(
                self.ctx,
                self._input(),
                protocol_id=p.id,
                expected_version=p.version,
                active=self.active.isChecked(),
            )
        )
