"""Attendance: who is present at the meeting, guests, and the quorum shown live."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.vocab import AttendanceStatus, Role
from mdtboard.services import decisions
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import AttendanceView
from mdtboard.services.errors import ServiceError


class AttendanceDialog(QDialog):
    """Who is present: a row per member with a status choice; quorum shown live."""

    def __init__(self, ctx: ServiceContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.meeting_id = ctx, meeting_id
        self.setWindowTitle("Attendance")
        layout = QVBoxLayout(self)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        self.combos: dict[int, QComboBox] = {}
        for a in decisions.attendance(ctx.db, meeting_id):
            self._add_row(a)
        guest_row = QHBoxLayout()
        self.guest_name = QLineEdit(self)
        self.guest_name.setObjectName("guestName")
        self.guest_name.setPlaceholderText("Guest's name (not on the team list)")
        self.guest_name.setAccessibleName("Guest's name")
        self.guest_role = QComboBox(self)
        self.guest_role.setObjectName("guestRole")
        self.guest_role.setAccessibleName("Guest's role")
        for r in Role:
            self.guest_role.addItem(r.label, r.value)
        self.guest_role.setCurrentIndex(self.guest_role.findData(Role.OTHER.value))
        self.add_guest_btn = QPushButton("Add &guest", self)
        self.add_guest_btn.clicked.connect(self.add_guest)
        self.guest_name.returnPressed.connect(self.add_guest)
        for w in (self.guest_name, self.guest_role, self.add_guest_btn):
            guest_row.addWidget(w)
        layout.addLayout(guest_row)
        self.quorum_label = QLabel(self)
        layout.addWidget(self.quorum_label)
        self.everyone_btn = QPushButton("&Everyone present", self)
        self.everyone_btn.setObjectName("everyonePresent")
        self.everyone_btn.clicked.connect(self.everyone_present)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.everyone_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)
        self._show_quorum()

    def _add_row(self, a: AttendanceView) -> None:
        row = self.grid.rowCount()
        self.grid.addWidget(QLabel(f"{a.name}", self), row, 0)
        self.grid.addWidget(QLabel(Role(a.role).label, self), row, 1)
        combo = QComboBox(self)
        combo.setAccessibleName(f"Attendance of {a.name}")
        for st in AttendanceStatus:
            # a guest is someone from outside the team list (Add guest); team members
            # are present or not, so the quorum they make is clear
            if st != AttendanceStatus.GUEST or a.status == AttendanceStatus.GUEST.value:
                combo.addItem(st.label, st.value)
        combo.setCurrentIndex(combo.findData(a.status))
        combo.currentIndexChanged.connect(lambda _i, m=a.member_id: self._set(m))
        self.combos[a.member_id] = combo
        self.grid.addWidget(combo, row, 2)

    def add_guest(self) -> None:
        """A guest for this meeting only: shown in the list, not counted for quorum."""
        try:
            guest = decisions.add_guest(
                self.ctx,
                self.meeting_id,
                self.guest_name.text(),
                str(self.guest_role.currentData()),
            )
        except ServiceError as exc:
            self.quorum_label.setText(f"Guest not added: {exc}")
            return
        self._add_row(guest)
        self.guest_name.clear()
        self._show_quorum()

    def everyone_present(self) -> None:
        """Every member present in one press (guests stay guests); one transaction."""
        try:
            decisions.mark_everyone_present(self.ctx, self.meeting_id)
        except ServiceError as exc:
            self.quorum_label.setText(f"Not saved: {exc}")
            return
        present = AttendanceStatus.PRESENT.value
        for combo in self.combos.values():
            if combo.currentData() != AttendanceStatus.GUEST.value:
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(present))
                combo.blockSignals(False)
        self._show_quorum()

    def _set(self, member_id: int) -> None:
        status = AttendanceStatus(self.combos[member_id].currentData())
        try:
            decisions.set_attendance(self.ctx, self.meeting_id, member_id, status)
        except ServiceError as exc:
            self.quorum_label.setText(f"Not saved: {exc}")
            return
        self._show_quorum()

    def _show_quorum(self) -> None:
        self.quorum_label.setText(decisions.quorum(self.ctx.db, self.meeting_id).text())
