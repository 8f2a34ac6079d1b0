"""Step 6: the consensus plan, its rationale, dissent and the patient's view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from mdtboard.ui.meeting.pages.base import StepPage, set_plain
from mdtboard.ui.meeting.presenter import CasePresenter

#: decision field → (object name, accessible name, height) of its text box
TEXTS = {
    "plan_text": ("planText", "Consensus plan", 110),
    "rationale": ("rationale", "Rationale", 80),
    "dissent": ("dissent", "Dissent", 60),
    "patient_preferences": ("preferences", "Patient preferences", 60),
}


class ConsensusPage(StepPage):
    key = "consensus"

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        form = self.top_form()
        boxes = {f: self.text_box(*spec) for f, spec in TEXTS.items()}
        for field, box in boxes.items():
            box.textChanged.connect(lambda f=field, b=box: self._text_edited(f, b.toPlainText()))
        self.plan_text = boxes["plan_text"]
        self.rationale = boxes["rationale"]
        self.dissent = boxes["dissent"]
        self.preferences = boxes["patient_preferences"]
        self._boxes = boxes
        self.fill_plan_btn = QPushButton("&Fill from options", self)
        self.fill_plan_btn.setObjectName("fillPlan")
        self.fill_plan_btn.clicked.connect(lambda: self.presenter.fill_plan())
        plan_box = QWidget(self)
        pl = QVBoxLayout(plan_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.plan_text)
        pl.addWidget(self.fill_plan_btn, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Consensus plan *", plan_box)
        form.addRow("Rationale", self.rationale)
        form.addRow("Dissent", self.dissent)
        self.dissent_by = QLineEdit(self)
        self.dissent_by.setObjectName("dissentBy")
        self.dissent_by.setAccessibleName("Who dissented")
        self.dissent_by.textEdited.connect(lambda t: self._text_edited("dissent_by", t))
        form.addRow("Who dissented", self.dissent_by)
        form.addRow("Patient preferences", self.preferences)
        self.informed = QCheckBox("The patient has been informed of the discussion", self)
        self.informed.setObjectName("patientInformed")
        self.informed.toggled.connect(self._informed)
        form.addRow(self.informed)
        self.trial = QLineEdit(self)
        self.trial.setObjectName("clinicalTrial")
        self.trial.setAccessibleName("Clinical trial")
        self.trial.textEdited.connect(lambda t: self._text_edited("clinical_trial", t))
        form.addRow("Clinical trial (identifier)", self.trial)

    def fill(self, reason: str) -> None:
        self.refresh(frozenset({*TEXTS, "dissent_by", "clinical_trial", "patient_informed"}))

    def refresh(self, fields: frozenset[str]) -> None:
        d = self.presenter.data
        for field in fields & set(TEXTS):
            set_plain(self._boxes[field], getattr(d, field))
        if "dissent_by" in fields and self.dissent_by.text() != d.dissent_by:
            self.dissent_by.setText(d.dissent_by)
        if "clinical_trial" in fields and self.trial.text() != d.clinical_trial:
            self.trial.setText(d.clinical_trial)
        if "patient_informed" in fields:
            self.informed.setChecked(d.patient_informed)

    def _text_edited(self, field: str, text: str) -> None:
        if not self.is_filling:
            self.presenter.update(self, **{field: text})

    def _informed(self, checked: bool) -> None:
        if not self.is_filling:
            self.presenter.update(self, patient_informed=checked)

    def first_input(self) -> QWidget | None:
        return self.plan_text

    def set_read_only(self, final: bool) -> None:
        for box in self._boxes.values():
            box.setReadOnly(final)
        self.dissent_by.setReadOnly(final)
        self.trial.setReadOnly(final)
        self.informed.setEnabled(not final)
        self.fill_plan_btn.setEnabled(not final)
