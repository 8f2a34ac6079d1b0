"""Step 5: the intent and the modalities of the plan, checked as they are edited."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter
from mdtboard.ui.modality_editor import ModalityEditor


class OptionsPage(StepPage):
    key = "options"

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.modality_editor = ModalityEditor(self)
        self.modality_editor.sig_changed.connect(self._edited)
        layout.addWidget(self.modality_editor)

    def fill(self, reason: str) -> None:
        case = self.presenter.case
        assert case is not None
        self.modality_editor.histology_key = case.histology_key
        self._show_plan()

    def refresh(self, fields: frozenset[str]) -> None:
        if fields & {"intent", "modalities"}:
            self._show_plan()

    def _show_plan(self) -> None:
        d = self.presenter.data
        if (
            self.modality_editor.intent_value() != d.intent
            or self.modality_editor.modalities() != d.modalities
        ):
            self.modality_editor.set_plan(d.intent, d.modalities)

    def _edited(self) -> None:
        if self.is_filling:
            return
        self.presenter.update(
            self,
            intent=self.modality_editor.intent_value(),
            modalities=self.modality_editor.modalities(),
        )

    def first_input(self) -> QWidget | None:
        editor = self.modality_editor
        return editor.intent if editor.intent_value() is None else editor.view

    def set_read_only(self, final: bool) -> None:
        self.modality_editor.setEnabled(not final)
