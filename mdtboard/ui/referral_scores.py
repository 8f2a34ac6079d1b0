"""The referral form's "Scores" tab: the case's scores entered before the meeting.

One :class:`~mdtboard.ui.score_form.ScoreForm` per tool suggested for the case type
(``domain.scores.relevant_tools``) and per other tool already stored, filled with the
stored answers and "Entered by … on …"; answers another fact gives are shown as
derived. What the answers are, derive and save lives in the Qt-free
:class:`~mdtboard.ui.score_sheet.ScoreSheet`; the form saves ``changes()`` with the
referral, in one transaction (``services.referrals.update_referral``). Meeting mode
shows them as entered; the chair confirms or changes them.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.scores import TOOLS
from mdtboard.services.assessments import AssessmentView, ScoreChange
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.score_form import ScoreForm
from mdtboard.ui.score_sheet import ScoreSheet, SheetState
from mdtboard.ui.undo import StealUndoKeys

#: forms side by side
COLUMNS = 2
HINT = (
    "Scores entered here are saved with the referral. Meeting mode shows them as "
    "entered, with who and when; the chair confirms or changes them. An answer in "
    "blue comes from another score or the histology: change it if it is wrong."
)
HINT_NEW = (
    "Scores entered here are saved when the referral is registered, with it. Meeting "
    "mode shows them as entered, with who and when; the chair confirms or changes "
    "them. An answer in blue comes from another score or the histology: change it if "
    "it is wrong."
)
HINT_READ_ONLY = (
    "Your role cannot enter scores (a clinician or the chair can); the stored scores are shown."
)


def entered_text(score: AssessmentView | None) -> str:
    """ "Entered by X on 07/11/2026 06:53" (local time, the locale's format), as meeting
    mode says it."""
    if score is None:
        return ""
    return f"Entered by {score.entered_by} on {format_datetime(score.entered_at)}"


class ReferralScores(QWidget):
    """The scores part of the referral form.

    ``sig_user_changed(old, new, name, label)``: the user changed a score; ``old`` and
    ``new`` are :class:`SheetState` (the form records the step for undo), ``name`` says
    which items, so typing in one number box is one step."""

    sig_user_changed = Signal(object, object, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("referralScores")
        self.sheet = ScoreSheet()
        #: the forms shown, by tool, in order
        self.score_forms: dict[str, ScoreForm] = {}
        self._pool: dict[str, ScoreForm] = {}
        self._filling = False
        self._may_write = True
        self._disease_kind, self._compartment = "", ""
        #: where Tab goes into the forms from (the form's tab bar)
        self.tab_anchor: QWidget | None = None
        self._steal = StealUndoKeys(self)
        outer = QVBoxLayout(self)
        self.note = QLabel(HINT, self)
        self.note.setObjectName("scoresNote")
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        #: the scores readiness still needs (the form's readiness says it)
        self.requirement = QLabel(self)
        self.requirement.setObjectName("scoresRequirement")
        self.requirement.setWordWrap(True)
        outer.addWidget(self.requirement)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget(self.scroll_area)
        self._grid = QGridLayout(body)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)

    # --- what is shown ---------------------------------------------------------------
    def load(self, rows: Iterable[AssessmentView], *, may_write: bool, registered: bool) -> None:
        """The case's stored scores; ``may_write``: the user's role may enter scores."""
        self.sheet.load(rows)
        self._may_write = may_write
        self.note.setText(HINT_READ_ONLY if not may_write else HINT if registered else HINT_NEW)
        self.sheet.show_for(self._disease_kind, self._compartment)
        self._lay_out()
        self._fill()

    def set_case(self, disease_kind: str, compartment: str, histology_key: str | None) -> None:
        """The case type and histology as the form has them now: the tools suggested
        for it are shown, and derived answers follow the histology."""
        self._disease_kind, self._compartment = disease_kind, compartment
        self.sheet.set_histology(histology_key)
        if self.sheet.show_for(disease_kind, compartment):
            self._lay_out()
        self._fill()

    def show_requirement(self, missing: str) -> None:
        """What readiness still needs of the scores ("" when the key scores are in)."""
        self.requirement.setText(
            f"{missing} (needed for readiness)."
            if missing
            else "The key scores for readiness are in."
        )
        self.requirement.setStyleSheet("color: #b36b00;" if missing else "color: #1b7f3b;")

    def restore(self, state: SheetState) -> None:
        """Undo or redo a step."""
        self.sheet.restore(state)
        self._fill()

    def refresh_stored(self, rows: Iterable[AssessmentView]) -> list[str]:
        """After a conflict: the stored scores again; the tools changed meanwhile show
        the stored answers and who entered them (returned)."""
        taken = self.sheet.refresh_stored(rows)
        if self.sheet.show_for(self._disease_kind, self._compartment):
            self._lay_out()
        self._fill()
        return taken

    def changes(self) -> list[ScoreChange]:
        return self.sheet.changes() if self._may_write else []

    def complete_tools(self) -> frozenset[str]:
        return self.sheet.complete_tools()

    # --- forms ---------------------------------------------------------------------
    def _lay_out(self) -> None:
        tools = list(self.sheet.tools)
        if list(self.score_forms) == tools:
            return
        for form in self.score_forms.values():
            self._grid.removeWidget(form)
            form.hide()
        self.score_forms = {}
        for n, tool_id in enumerate(tools):
            if tool_id not in self._pool:
                made = ScoreForm(tool_id, self._grid.parentWidget())
                made.sig_answers_changed.connect(self._edited)
                for box in made.findChildren(QAbstractSpinBox):
                    box.installEventFilter(self._steal)  # Ctrl+Z is the form's undo
                self._pool[tool_id] = made
            form = self._pool[tool_id]
            self.score_forms[tool_id] = form
            self._grid.addWidget(form, n // COLUMNS, n % COLUMNS, Qt.AlignmentFlag.AlignTop)
            form.show()
        for row in range(self._grid.rowCount()):
            self._grid.setRowStretch(row, 0)
        self._grid.setRowStretch((len(tools) + COLUMNS - 1) // COLUMNS, 1)
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Tab goes through the forms as they are laid out, row by row, each item in
        turn (a unit box after its number), then on to the rest of the referral form."""
        if self.tab_anchor is None:
            return
        previous = self.tab_anchor
        for tool_id, form in self.score_forms.items():
            for item in TOOLS[tool_id].items:
                widgets: list[QWidget] = [form.input_for(item.key)]
                unit = form.findChild(QComboBox, f"{tool_id}.{item.key}.unit")
                if unit is not None:
                    widgets.append(unit)
                for w in widgets:
                    QWidget.setTabOrder(previous, w)
                    previous = w

    def _fill(self) -> None:
        self._filling = True
        try:
            for tool_id, form in self.score_forms.items():
                wanted = self.sheet.scores.get(tool_id, {})
                if form.answers() != wanted:
                    form.set_answers(wanted)
                form.set_derived(self.sheet.derived_sources(tool_id))
                form.set_entered(entered_text(self.sheet.stored.get(tool_id)))
                form.setEnabled(self._may_write)
        finally:
            self._filling = False

    def _edited(self, tool_id: str) -> None:
        if self._filling:
            return
        form = self.score_forms[tool_id]
        before = dict(self.sheet.scores.get(tool_id, {}))
        old = self.sheet.state()
        self.sheet.set_score(tool_id, form.answers())
        new = self.sheet.state()
        if new == old:
            return
        self._fill()
        now = self.sheet.scores.get(tool_id, {})
        items = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
        self.sig_user_changed.emit(
            old, new, f"score:{tool_id}:{','.join(items)}", f"{TOOLS[tool_id].label} score"
        )
