"""Step 7: the actions of the decision, each with an owner and a due date.

The owner is chosen among the members present; the due date is typed in the locale's
format (one Tab leaves it, Alt+Down opens a calendar) and starts a week ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mdtboard.services.decisions import ActionInput
from mdtboard.ui.date_fields import DateField
from mdtboard.ui.meeting.actions_model import ActionsModel
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter

#: a new action is due a week after the meeting unless the chair says otherwise
DEFAULT_DUE_DAYS = 7


class ActionsPage(StepPage):
    key = "actions"
    scrolls = False

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        v = QVBoxLayout(self)
        self.actions_model = ActionsModel(self)
        self.actions_model.sig_edited.connect(self._edited)
        self.actions_view = QTableView(self)
        self.actions_view.setObjectName("actionsTable")
        self.actions_view.setAccessibleName("Actions")
        self.actions_view.setModel(self.actions_model)
        self.actions_view.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((380, 220, 140)):
            self.actions_view.setColumnWidth(col, width)
        v.addWidget(self.actions_view, 1)
        row = QHBoxLayout()
        self.action_text = QLineEdit(self)
        self.action_text.setObjectName("newActionText")
        self.action_text.setPlaceholderText("New action, e.g. Book SBRT planning CT")
        self.action_text.setAccessibleName("New action")
        row.addWidget(self.action_text, 3)
        self.action_owner = QComboBox(self)
        self.action_owner.setObjectName("newActionOwner")
        self.action_owner.setEditable(True)  # someone not at the meeting can be typed in
        self.action_owner.setAccessibleName("Owner of the new action")
        row.addWidget(self.action_owner, 2)
        self.action_due = DateField(self)
        self.action_due.setObjectName("newActionDue")
        self.action_due.setAccessibleName("Due date of the new action")
        self.action_due.returnPressed.connect(self.add_action_from_inputs)
        row.addWidget(self.action_due, 1)
        self.add_action_btn = QPushButton("Add a&ction", self)
        self.add_action_btn.setObjectName("addAction")
        self.add_action_btn.clicked.connect(self.add_action_from_inputs)
        self.action_text.returnPressed.connect(self.add_action_from_inputs)
        row.addWidget(self.add_action_btn)
        self.remove_btn = QPushButton("Remove", self)
        self.remove_btn.clicked.connect(
            lambda: self.actions_model.remove(self.actions_view.currentIndex().row())
        )
        row.addWidget(self.remove_btn)
        v.addLayout(row)
        self.action_error = QLabel(self)
        self.action_error.setStyleSheet("color:#b3261e;")
        v.addWidget(self.action_error)
        self.reset_due()

    def reset_due(self, today: date | None = None) -> None:
        due = (today or date.today()) + timedelta(days=DEFAULT_DUE_DAYS)
        self.action_due.set_date_value(due)

    def set_owners(self, present: Sequence[str], others: Sequence[str] = ()) -> None:
        """The members present first (the usual owners), then the rest of the team."""
        current = self.action_owner.currentText()
        self.action_owner.clear()
        self.action_owner.addItems([*present, *[n for n in others if n not in present]])
        self.action_owner.setCurrentText(current or (present[0] if present else ""))

    def fill(self, reason: str) -> None:
        self.actions_model.set_rows(self.presenter.data.actions)

    def refresh(self, fields: frozenset[str]) -> None:
        if "actions" in fields and self.actions_model.actions() != self.presenter.data.actions:
            self.actions_model.set_rows(self.presenter.data.actions)

    def _edited(self) -> None:
        if not self.is_filling:
            self.presenter.update(self, actions=self.actions_model.actions())

    def add_action_from_inputs(self) -> None:
        text = self.action_text.text().strip()
        owner = self.action_owner.currentText().strip()
        if not text or not owner:
            self.action_error.setText("An action needs a description and an owner.")
            return
        if self.action_due.is_invalid():
            self.action_error.setText(self.action_due.problem("Due date"))
            self.action_due.setFocus()
            return
        self.action_error.setText("")
        self.actions_model.add(ActionInput(text, owner, self.action_due.date_value()))
        self.action_text.clear()
        self.reset_due()

    def first_input(self) -> QWidget | None:
        return self.action_text

    def set_read_only(self, final: bool) -> None:
        self.actions_model.read_only = final
        for w in (self.action_text, self.action_due, self.add_action_btn, self.remove_btn):
            w.setEnabled(not final)
