"""Step 3: a form per score tool, built from the engine's declarations.

Forms are built once per tool and reused between cases, so moving on stays quick.
An answer another fact already gives (KPS, Frankel grade, histology, extent of
disease, Bauer total) is shown as derived and can be changed; a score entered
before the meeting shows who entered it and when.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.scores import TOOLS
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter
from mdtboard.ui.score_form import ScoreForm


class ScoresPage(StepPage):
    key = "scores"

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.scores_hint = QLabel("The scores suggested for this case type. Add another:", self)
        top.addWidget(self.scores_hint)
        self.add_tool_combo = QComboBox(self)
        self.add_tool_combo.setObjectName("addScoreTool")
        self.add_tool_combo.setAccessibleName("Score to add")
        top.addWidget(self.add_tool_combo)
        self.add_tool_btn = QPushButton("Add &score", self)
        self.add_tool_btn.clicked.connect(
            lambda: self.add_score_tool(str(self.add_tool_combo.currentData() or ""))
        )
        top.addWidget(self.add_tool_btn)
        top.addStretch(1)
        outer.addLayout(top)
        self.scores_layout = QGridLayout()
        outer.addLayout(self.scores_layout, 1)
        self.score_forms: dict[str, ScoreForm] = {}
        self._form_pool: dict[str, ScoreForm] = {}
        self._offered_beside: tuple[str, ...] | None = None

    # --- presenter → forms --------------------------------------------------------
    def fill(self, reason: str) -> None:
        self._lay_out_forms(list(self.presenter.tools))
        for tool_id, form in self.score_forms.items():
            form.set_answers(self.presenter.scores.get(tool_id, {}))
            form.set_entered(self._entered_text(tool_id))
        self._show_derived()

    def _on_changed(self, fields: frozenset[str], origin: object) -> None:
        # also for this page's own edits: a KPS typed here moves Tokuhashi and ECOG
        with self.filling():
            if "tools" in fields:
                self._lay_out_forms(list(self.presenter.tools))
            for tool_id, form in self.score_forms.items():
                wanted = self.presenter.scores.get(tool_id, {})
                if f"score:{tool_id}" in fields and form.answers() != wanted:
                    form.set_answers(wanted)
            self._show_derived()

    def _show_derived(self) -> None:
        for tool_id, form in self.score_forms.items():
            form.set_derived(self.presenter.derived_sources(tool_id))

    def _entered_text(self, tool_id: str) -> str:
        line = self.presenter.entered(tool_id)
        if line is None:
            return ""
        return f"Entered by {line.entered_by} on {format_datetime(line.entered_at)}"

    # --- forms → presenter --------------------------------------------------------
    def _edited(self, tool_id: str) -> None:
        if self.is_filling:
            return
        form = self.score_forms.get(tool_id)
        if form is not None:
            self.presenter.set_score(tool_id, form.answers(), self)

    def add_score_tool(self, tool_id: str) -> None:
        """Any tool of the engine can be scored for this case, not only the suggested ones."""
        if not self.presenter.add_tool(tool_id, self):
            return
        form = self.score_forms[tool_id]
        form.setEnabled(self.add_tool_btn.isEnabled())
        form.input_for(TOOLS[tool_id].items[0].key).setFocus(Qt.FocusReason.OtherFocusReason)

    # --- layout -------------------------------------------------------------------
    def _lay_out_forms(self, tools: list[str]) -> None:
        """Place the forms of these tools, two a row."""
        if list(self.score_forms) != tools:
            for form in self.score_forms.values():
                self.scores_layout.removeWidget(form)
                form.hide()
            self.score_forms = {}
            for n, tool_id in enumerate(tools):
                if tool_id not in self._form_pool:
                    made = ScoreForm(tool_id, self)
                    made.sig_answers_changed.connect(self._edited)
                    self._form_pool[tool_id] = made
                form = self._form_pool[tool_id]
                form.set_answers(self.presenter.scores.get(tool_id, {}))
                self.score_forms[tool_id] = form
                self.scores_layout.addWidget(form, n // 2, n % 2, Qt.AlignmentFlag.AlignTop)
                form.show()
            for row in range(self.scores_layout.rowCount()):
                self.scores_layout.setRowStretch(row, 0)
            self.scores_layout.setRowStretch((len(tools) + 1) // 2, 1)
        self._fill_tool_choice()

    def _fill_tool_choice(self) -> None:
        shown = tuple(self.score_forms)
        if self._offered_beside == shown:
            return  # the same forms as the last case: the same choice
        self._offered_beside = shown
        self.add_tool_combo.clear()
        for tool_id, tool in TOOLS.items():
            if tool_id != "noms" and tool_id not in self.score_forms:
                self.add_tool_combo.addItem(tool.label, tool_id)
        self.add_tool_combo.setEnabled(self.add_tool_combo.count() > 0)

    def first_input(self) -> QWidget | None:
        """The first item not answered yet (derived answers count as answered)."""
        for tool_id, form in self.score_forms.items():
            answers = self.presenter.scores.get(tool_id, {})
            for item in TOOLS[tool_id].items:
                if item.key not in answers:
                    return form.input_for(item.key)
        return self.add_tool_combo

    def set_read_only(self, final: bool) -> None:
        for form in self.score_forms.values():
            form.setEnabled(not final)
        self.add_tool_btn.setEnabled(not final)
        self.add_tool_combo.setEnabled(not final and self.add_tool_combo.count() > 0)
