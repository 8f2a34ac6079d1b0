"""Step 2: the histology, the pathology and the MDT's biopsy decision."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from mdtboard.domain import histology
from mdtboard.ui.date_fields import format_date
from mdtboard.ui.meeting.pages.base import StepPage, set_plain
from mdtboard.ui.meeting.presenter import CasePresenter

BIOPSY_ROUTES = (
    ("", "— not decided —"),
    ("ct_guided_percutaneous", "CT-guided percutaneous needle biopsy"),
    ("open", "Open biopsy"),
    ("deferred_after_mdt", "Deferred after MDT discussion (rationale required)"),
)


class HistologyPage(StepPage):
    key = "histology"

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        form = self.top_form()
        self.histology_label = QLabel(self)
        self.histology_label.setWordWrap(True)
        form.addRow("Histology", self.histology_label)
        self.pathology_label = QLabel(self)
        form.addRow("Pathology", self.pathology_label)
        self.biopsy_route = QComboBox(self)
        self.biopsy_route.setObjectName("biopsyRoute")
        self.biopsy_route.setAccessibleName("Biopsy route")
        for key, label in BIOPSY_ROUTES:
            self.biopsy_route.addItem(label, key)
        self.biopsy_route.currentIndexChanged.connect(lambda _i: self._edited())
        form.addRow("Biopsy decision", self.biopsy_route)
        self.biopsy_rationale = self.text_box(
            "biopsyRationale", "MDT rationale for deferring biopsy", 70
        )
        self.biopsy_rationale.textChanged.connect(self._edited)
        form.addRow("MDT rationale (deferral)", self.biopsy_rationale)
        note = QLabel(
            "Biopsy may be deferred only after MDT discussion, when the primary is known and "
            "imaging is typical of metastasis; the rationale is recorded with the decision.",
            self,
        )
        note.setWordWrap(True)
        form.addRow(note)

    def fill(self, reason: str) -> None:
        case = self.presenter.case
        assert case is not None
        grade = histology.who_grade_text(case.histology_key)
        self.histology_label.setText(
            f"{case.histology_label} ({case.disease_kind}, {case.compartment})"
            + (f" — {grade}" if grade else "")
        )
        self.pathology_label.setText(
            f"available ({format_date(case.pathology_date)})"
            if case.pathology_available and case.pathology_date
            else "not available yet"
        )
        self._show_biopsy()

    def refresh(self, fields: frozenset[str]) -> None:
        if "modalities" in fields:
            self._show_biopsy()

    def _show_biopsy(self) -> None:
        route, rationale = self.presenter.biopsy()
        self.biopsy_route.setCurrentIndex(max(0, self.biopsy_route.findData(route)))
        set_plain(self.biopsy_rationale, rationale)

    def _edited(self) -> None:
        if self.is_filling:
            return
        self.presenter.set_biopsy(
            str(self.biopsy_route.currentData() or ""), self.biopsy_rationale.toPlainText(), self
        )

    def first_input(self) -> QWidget | None:
        return self.biopsy_route

    def set_read_only(self, final: bool) -> None:
        self.biopsy_route.setEnabled(not final)
        self.biopsy_rationale.setReadOnly(final)
