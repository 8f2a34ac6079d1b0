"""Manage MDT members and their roles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.vocab import Role
from mdtboard.services import members
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.members import MemberView
from mdtboard.ui.help import install_help
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.table_base import RowsTableModel, row_table

ModelIndex = QModelIndex | QPersistentModelIndex


class MemberTableModel(RowsTableModel[MemberView]):
    HEADERS = ("Name", "Role", "Email", "Active")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        m = self._rows[index.row()]
        return (m.name, m.role_label, m.email, "yes" if m.active else "no")[index.column()]


class MembersDialog(QDialog):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("MDT members")
        layout = QVBoxLayout(self)
        self.model = MemberTableModel(self)
        self.view = row_table(
            self, self.model, "memberTable", "Members", (230, 220), remember="members/header"
        )
        layout.addWidget(self.view, 1)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Name")
        form.addRow("Name *", self.name)
        self.role = QComboBox(self)
        self.role.setAccessibleName("Role")
        for r in Role:
            self.role.addItem(r.label, r.value)
        form.addRow("Role *", self.role)
        self.email = QLineEdit(self)
        self.email.setAccessibleName("Email")
        form.addRow("Email", self.email)
        self.active = QCheckBox("Active (expected at meetings)", self)
        self.active.setChecked(True)
        form.addRow(self.active)
        layout.addLayout(form)
        self.error = QLabel(self)
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
        keep_geometry(self, "members/geometry", (760, 520))
        install_help(self, "admin")
        self.reload()

    def reload(self) -> None:
        self.model.set_rows(members.list_members(self.ctx.db, include_inactive=True))

    def _show(self, row: int) -> None:
        m = self.model.row_at(row)
        if m is None:
            return
        self.name.setText(m.name)
        self.role.setCurrentIndex(self.role.findData(m.role))
        self.email.setText(m.email)
        self.active.setChecked(m.active)

    def _run(self, action: Any) -> None:
        try:
            action()
        except ValidationError as exc:
            self.error.setText("; ".join(f"{k}: {v}" for k, v in exc.problems.items()))
            return
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.reload()

    def add(self) -> None:
        self._run(
            lambda: members.add_member(
                self.ctx, self.name.text(), str(self.role.currentData()), self.email.text()
            )
        )

    def save_selected(self) -> None:
        m = self.model.row_at(self.view.currentIndex().row())
        if m is None:
            self.error.setText("Select a member first.")
            return
        self._run(
            lambda: members.update_member(
                self.ctx,
                m.id,
                m.version,
                name=self.name.text(),
                role=str(self.role.currentData()),
                email=self.email.text(),
                active=self.active.isChecked(),
            )
        )
