"""Confirm the cases listed as standard of care together (issue 19 part 7): each ticked
case is signed off with its protocol applied, in one step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.services import decisions, meetings
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.meetings import AgendaEntry


class ConfirmStandardOfCareDialog(QDialog):
    def __init__(
        self, entries: Sequence[AgendaEntry], chair: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confirm standard-of-care cases")
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "These cases are listed as standard of care: each ticked case is recorded "
                "and signed off with its protocol applied, without a full discussion.",
                self,
            )
        )
        self.boxes: list[tuple[QCheckBox, AgendaEntry]] = []
        for e in entries:
            box = QCheckBox(f"{e.patient_name}, MRN {e.mrn} — {e.protocol_title}", self)
            box.setChecked(True)
            layout.addWidget(box)
            self.boxes.append((box, e))
        form = QFormLayout()
        self.chair = QLineEdit(chair, self)
        self.chair.setAccessibleName("Signed off by")
        form.addRow("Signed off &by", self.chair)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Confirm and sign off")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.boxes:
            self.boxes[0][0].setFocus()

    def chosen(self) -> list[int]:
        return [e.id for box, e in self.boxes if box.isChecked()]


def open_confirmation(
    win: Any, chair: str, done: Callable[[], None]
) -> ConfirmStandardOfCareDialog | None:
    """Meeting mode's "Confirm standard of care…": the waiting cases of ``win``'s
    meeting, ticked; OK signs them off in one transaction, then ``done()``."""
    waiting = [
        e
        for e in meetings.agenda(win.ctx.db, win.meeting_id)
        if e.standard_of_care
        and e.status == AgendaStatus.LISTED
        and e.decision_status in ("", "draft")
    ]
    if not waiting:
        QMessageBox.information(
            win,
            "Standard of care",
            "No case on this agenda is waiting to be confirmed as standard of care.",
        )
        return None
    dialog = ConfirmStandardOfCareDialog(waiting, chair, win)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def confirm() -> None:
        try:
            decisions.confirm_standard_of_care(
                win.ctx, win.meeting_id, dialog.chosen(), dialog.chair.text()
            )
        except ValidationError as exc:
            QMessageBox.warning(win, "Not confirmed", "\n".join(exc.problems.values()))
            return
        except ServiceError as exc:
            QMessageBox.warning(win, "Not confirmed", str(exc))
            return
        done()

    dialog.accepted.connect(confirm)
    dialog.open()
    return dialog
