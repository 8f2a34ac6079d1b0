"""Follow-up (issue 19 parts 1-2): the decisions due a follow-up, and the form that
records whether each planned treatment was given and what became of the patient.

Meetings → Follow-up due… opens the list (signed-off decisions with a treatment still
without status after the setting's days, and cases to bring back to the MDT first).
Enter or a double-click opens the form; Ctrl+S saves it in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.followup import (
    Ambulation,
    DeviationReason,
    ImplementationStatus,
    ItemEntry,
    OutcomeEntry,
    VitalStatus,
)
from mdtboard.services import followup
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, ServiceError, ValidationError
from mdtboard.services.followup import FollowUpDue, FollowUpItemView, FollowUpView
from mdtboard.services.settings import get_settings
from mdtboard.ui.date_fields import DateField, format_date
from mdtboard.ui.help import install_help
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.table_base import RowsTableModel, row_table

ModelIndex = QModelIndex | QPersistentModelIndex
NOT_RECORDED = "— not recorded —"


class FollowUpDueModel(RowsTableModel[FollowUpDue]):
    HEADERS = ("Patient", "MRN", "Meeting", "Signed off", "Days", "What is due")

    def __init__(self, now: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = now

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.valid(index):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        r = self._rows[index.row()]
        return (
            r.patient_name,
            r.mrn,
            format_date(r.meeting_starts_at.astimezone().date()),
            format_date(r.signed_off_at.astimezone().date()),
            str(r.days_since(self.now())),
            r.reason,
        )[index.column()]


def _combo(parent: QWidget, name: str, choices: list[tuple[str, str | None]]) -> QComboBox:
    box = QComboBox(parent)
    box.setAccessibleName(name)
    for label, value in choices:
        box.addItem(label, value)
    return box


class ItemRow:
    """The widgets of one planned treatment in the form."""

    def __init__(self, grid: QGridLayout, row: int, item: FollowUpItemView, parent: QWidget):
        self.item = item
        label = QLabel(item.description, parent)
        label.setWordWrap(True)
        self.status = _combo(
            parent,
            f"{item.description}: status",
            [(NOT_RECORDED, None), *((s.label, s.value) for s in ImplementationStatus)],
        )
        label.setBuddy(self.status)
        self.started = DateField(parent)
        self.started.setAccessibleName(f"{item.description}: started on")
        self.completed = DateField(parent)
        self.completed.setAccessibleName(f"{item.description}: completed on")
        self.reason = _combo(
            parent,
            f"{item.description}: reason",
            [("—", None), *((r.label, r.value) for r in DeviationReason)],
        )
        self.reason_text = QLineEdit(parent)
        self.reason_text.setAccessibleName(f"{item.description}: reason in words")
        self.reason_text.setPlaceholderText("reason in words")
        for col, w in enumerate(
            (label, self.status, self.started, self.completed, self.reason, self.reason_text)
        ):
            grid.addWidget(w, row, col)
        self.status.setCurrentIndex(max(0, self.status.findData(item.status)))
        self.started.set_date_value(item.started_on)
        self.completed.set_date_value(item.completed_on)
        self.reason.setCurrentIndex(max(0, self.reason.findData(item.reason)))
        self.reason_text.setText(item.reason_text)
        self.status.currentIndexChanged.connect(self.enable)
        self.enable()

    def enable(self) -> None:
        """Only the fields the chosen status uses can be filled."""
        status = self.status.currentData()
        given = status in (ImplementationStatus.STARTED, ImplementationStatus.COMPLETED)
        self.started.setEnabled(given)
        self.completed.setEnabled(status == ImplementationStatus.COMPLETED)
        self.reason.setEnabled(status not in (None, ImplementationStatus.NOT_STARTED))
        self.reason_text.setEnabled(self.reason.isEnabled())

    def entry(self) -> ItemEntry | None:
        status = self.status.currentData()
        if status is None:
            return None
        return ItemEntry(
            status=str(status),
            started_on=self.started.date_value() if self.started.isEnabled() else None,
            completed_on=self.completed.date_value() if self.completed.isEnabled() else None,
            reason=self.reason.currentData() if self.reason.isEnabled() else None,
            reason_text=self.reason_text.text() if self.reason_text.isEnabled() else "",
        )


class FollowUpDialog(QDialog):
    """Whether each planned treatment was given, and the patient's outcome."""

    def __init__(self, ctx: ServiceContext, decision_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view: FollowUpView = followup.get_followup(ctx.db, decision_id)
        self.outcome = followup.get_outcome(ctx.db, self.view.referral_id)
        v = self.view
        self.setWindowTitle(f"Follow-up — {v.patient_name}, MRN {v.mrn}")
        layout = QVBoxLayout(self)
        signed = format_date(v.signed_off_at.astimezone().date()) if v.signed_off_at else "—"
        layout.addWidget(QLabel(f"Decision signed off {signed}. Was each treatment given?", self))
        box = QGroupBox("Planned treatments", self)
        grid = QGridLayout(box)
        for col, head in enumerate(
            ("Treatment", "&Status", "Started on", "Completed on", "Reason", "")
        ):
            grid.addWidget(QLabel(head, box), 0, col)
        self.rows = [ItemRow(grid, n, item, box) for n, item in enumerate(v.items, start=1)]
        if not self.rows:
            grid.addWidget(QLabel("No treatment was planned.", box), 1, 0, 1, 6)
        layout.addWidget(box)
        self.bring_back = QCheckBox("&Bring this case back to the MDT", self)
        self.bring_back.setChecked(v.bring_back)
        layout.addWidget(self.bring_back)
        self.note = QPlainTextEdit(self)
        self.note.setAccessibleName("Follow-up note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(48)
        self.note.setPlainText(v.note)
        form = QFormLayout()
        form.addRow("&Note", self.note)
        layout.addLayout(form)
        layout.addWidget(self._outcome_box())
        self.error = QLabel(self)
        self.error.setObjectName("followupError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b3261e;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        keep_geometry(self, "followup/geometry", (980, 620))
        install_help(self, "followup")
        if self.rows:
            self.rows[0].status.setFocus()

    def _outcome_box(self) -> QGroupBox:
        box = QGroupBox("Outcome", self)
        form = QFormLayout(box)
        o = self.outcome.entry
        self.vital = _combo(
            box, "Vital status", [(NOT_RECORDED, None), *((s.label, s.value) for s in VitalStatus)]
        )
        self.vital.setCurrentIndex(max(0, self.vital.findData(o.vital_status if o else None)))
        self.status_on = DateField(box)
        self.status_on.setAccessibleName("Date of last contact or death")
        self.status_on.set_date_value(o.status_on if o else None)
        row = QHBoxLayout()
        row.addWidget(self.vital)
        row.addWidget(QLabel("on", box))
        row.addWidget(self.status_on)
        row.addStretch(1)
        form.addRow("&Vital status", row)
        ambulation = [(NOT_RECORDED, None), *((a.label, a.value) for a in Ambulation)]
        self.amb30 = _combo(box, "Ambulatory 30 days after treatment", ambulation)
        self.amb90 = _combo(box, "Ambulatory 90 days after treatment", ambulation)
        self.amb30.setCurrentIndex(max(0, self.amb30.findData(o.ambulatory_30d if o else None)))
        self.amb90.setCurrentIndex(max(0, self.amb90.findData(o.ambulatory_90d if o else None)))
        form.addRow("Ambulatory at &30 days", self.amb30)
        form.addRow("Ambulatory at &90 days", self.amb90)
        self.recurrence = QCheckBox("&Local recurrence at the treated level", box)
        self.recurrence_on = DateField(box)
        self.recurrence_on.setAccessibleName("Local recurrence on")
        self.retreated = QCheckBox("&Re-treated at the treated level", box)
        self.retreated_on = DateField(box)
        self.retreated_on.setAccessibleName("Re-treated on")
        for check, when, flag, on in (
            (self.recurrence, self.recurrence_on, o.local_recurrence if o else False,
             o.recurrence_on if o else None),
            (self.retreated, self.retreated_on, o.retreated if o else False,
             o.retreated_on if o else None),
        ):  # fmt: skip
            check.setChecked(flag)
            when.set_date_value(on)
            when.setEnabled(flag)
            check.toggled.connect(when.setEnabled)
            line = QHBoxLayout()
            line.addWidget(check)
            line.addWidget(when)
            line.addStretch(1)
            form.addRow(line)
        return box

    def _outcome_entry(self) -> OutcomeEntry | None:
        vital = self.vital.currentData()
        if vital is None:
            return None
        return OutcomeEntry(
            vital_status=str(vital),
            status_on=self.status_on.date_value() or date.min,
            ambulatory_30d=self.amb30.currentData(),
            ambulatory_90d=self.amb90.currentData(),
            local_recurrence=self.recurrence.isChecked(),
            recurrence_on=self.recurrence_on.date_value() if self.recurrence.isChecked() else None,
            retreated=self.retreated.isChecked(),
            retreated_on=self.retreated_on.date_value() if self.retreated.isChecked() else None,
        )

    def _typed_problems(self) -> list[str]:
        out = []
        for r in self.rows:
            for field, words in ((r.started, "started on"), (r.completed, "completed on")):
                if field.isEnabled() and field.is_invalid():
                    out.append(field.problem(f"{r.item.description}: {words}"))
        if self.vital.currentData() is not None and self.status_on.date_value() is None:
            out.append("Vital status: give the date of last contact or of death")
        return out

    def save(self) -> None:
        """All or nothing: the follow-up and the outcome in one transaction."""
        typed = self._typed_problems()
        if typed:
            self.error.setText("\n".join(typed))
            return
        items = {r.item.modality_id: e for r in self.rows if (e := r.entry()) is not None}
        try:
            self.view = followup.record_followup(
                self.ctx,
                self.view.decision_id,
                items,
                expected_version=self.view.version,
                bring_back=self.bring_back.isChecked(),
                note=self.note.toPlainText(),
                outcome=self._outcome_entry(),
                outcome_version=self.outcome.version,
            )
        except ValidationError as exc:
            self.error.setText("\n".join(f"{k}: {v}" for k, v in exc.problems.items()))
            return
        except Conflict as exc:
            self.error.setText(f"{exc} — close this form and open it again to see the change.")
            return
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class FollowUpWindow(QDialog):
    """The follow-up due list."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from datetime import UTC, datetime

        self.ctx = ctx
        self.setWindowTitle("Follow-up due")
        self.model = FollowUpDueModel(lambda: datetime.now(UTC), self)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.days = QSpinBox(self)
        self.days.setRange(1, 365)
        self.days.setSuffix(" days")
        self.days.setValue(get_settings(ctx.db).followup_days)
        self.days.setAccessibleName("Due this many days after sign-off")
        label = QLabel("&Due after sign-off by", self)
        label.setBuddy(self.days)
        top.addWidget(label)
        top.addWidget(self.days)
        self.count = QLabel(self)
        top.addWidget(self.count, 1)
        layout.addLayout(top)
        self.table = row_table(
            self,
            self.model,
            "followupTable",
            "Follow-up due",
            (190, 110, 100, 100, 50),
            remember="followup/header",
        )
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.open_btn = QPushButton("&Record follow-up…", self)
        self.open_btn.setDefault(True)
        self.open_btn.clicked.connect(self.open_selected)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        buttons.addWidget(self.open_btn)
        self.import_btn = QPushButton("&Import outcomes…", self)
        self.import_btn.setToolTip("Vital status, ambulation and recurrence from a CSV or .xlsx")
        self.import_btn.clicked.connect(lambda: self.import_outcomes())
        buttons.addWidget(self.import_btn)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.table.activated.connect(lambda _i: self.open_selected())
        self.days.valueChanged.connect(lambda _v: self.reload())
        keep_geometry(self, "followup-window/geometry", (820, 480))
        install_help(self, "followup")
        self.dialog: FollowUpDialog | None = None
        self.reload()

    def reload(self) -> None:
        rows = followup.followup_due(self.ctx.db, days=self.days.value())
        self.model.set_rows(rows)
        back = sum(1 for r in rows if r.bring_back)
        self.count.setText(
            f"{len(rows)} due" + (f", {back} to bring back to the MDT" if back else "")
        )
        if rows:
            self.table.selectRow(0)
        self.table.setFocus()

    def import_outcomes(self, path: str | None = None) -> bool:
        """Outcomes from a file (``path``, or one chosen in the file dialog): every row
        checked first, all stored or none."""
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        from mdtboard.services.outcome_import import OutcomeImportInvalid, import_outcomes
        from mdtboard.ui import file_names

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import outcomes", file_names.last_folder(),
                "Outcome files (*.csv *.txt *.xlsx);;All files (*)",
            )  # fmt: skip
            if not path:
                return False
            file_names.remember(path)
        from pathlib import Path

        try:
            done = import_outcomes(self.ctx, Path(path))
        except OutcomeImportInvalid as exc:
            shown = "\n".join(str(e) for e in exc.errors[:12])
            more = f"\n… and {len(exc.errors) - 12} more" if len(exc.errors) > 12 else ""
            QMessageBox.warning(self, "Nothing imported", f"{shown}{more}")
            return False
        except ServiceError as exc:
            QMessageBox.warning(self, "Nothing imported", str(exc))
            return False
        self.count.setText(f"Imported {done.imported} outcomes from {Path(path).name}")
        return True

    def open_selected(self) -> FollowUpDialog | None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            return None
        dialog = FollowUpDialog(self.ctx, row.decision_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.reload)
        self.dialog = dialog
        dialog.open()
        return dialog
