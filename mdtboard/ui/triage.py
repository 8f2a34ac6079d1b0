"""Checklists of a referral: DOMAIN.md §3 red flags (with the urgency they suggest) and
the §8 differential diagnosis. Both are rendered from the clinical engine's lists."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import differential, mscc
from mdtboard.domain.vocab import URGENCY_ORDER, Urgency

GROUPS = {
    "pain": "Pain",
    "neurology": "Neurology",
    "systemic": "Systemic",
    "history": "History",
}
#: what the red-flag checklist says under its suggestion, always in view
DECISION_SUPPORT_NOTE = "Decision support: the referral's urgency is set on the form."
#: room left for the window's title bar when the checklist is fitted to the screen
_TITLE_BAR = 40

ANSWER_LABELS = {
    "not_considered": "Not considered",
    "ruled_out": "Ruled out",
    "possible": "Possible",
    "confirmed": "Confirmed",
}


def red_flags_summary(flags: Iterable[str]) -> str:
    chosen = list(flags)
    if not chosen:
        return "None recorded…"
    return f"{len(chosen)} recorded…"


def suggestion_text(flags: Iterable[str], chosen_urgency: str) -> tuple[str, bool]:
    """What the red flags suggest, and whether that is more urgent than the choice."""
    chosen = list(flags)
    if not chosen:
        return "", False
    s = mscc.suggest_urgency(chosen)
    routine = URGENCY_ORDER[Urgency.ROUTINE.value]
    higher = URGENCY_ORDER[s.urgency.value] < URGENCY_ORDER.get(chosen_urgency, routine)
    text = f"Red flags suggest: <b>{html.escape(s.urgency.label)}</b> — {html.escape(s.reasons[0])}"
    return text, higher


def differential_summary(answers: Mapping[str, str]) -> str:
    counts = {
        label: sum(1 for v in answers.values() if v == key)
        for key, label in ANSWER_LABELS.items()
        if key != "not_considered"
    }
    parts = [f"{n} {label.lower()}" for label, n in counts.items() if n]
    return (", ".join(parts) or "Not recorded") + "…"


class _Scroll(QScrollArea):
    """A scroll area that asks for room to show all of its content (the window is
    limited to the screen, and only then does it scroll)."""

    def __init__(self, content: QWidget, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(content)

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize()
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(hint.width() + bar, hint.height() + 2 * self.frameWidth())


class RedFlagsDialog(QDialog):
    """Tick the red flags present; the suggested urgency and its reasons update live.
    The checklist and the suggestion scroll when the screen is too small for them; the
    decision-support note and the buttons stay in view."""

    def __init__(self, flags: Iterable[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Red flags (DOMAIN §3)")
        self.setObjectName("RedFlagsDialog")
        chosen = set(flags)
        layout = QVBoxLayout(self)
        checklist = QWidget(self)
        groups = QVBoxLayout(checklist)
        groups.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for group, title in GROUPS.items():
            box = QGroupBox(title, checklist)
            v = QVBoxLayout(box)
            for flag in (f for f in mscc.RED_FLAGS if f.group == group):
                check = QCheckBox(flag.label, box)
                check.setObjectName(f"flag_{flag.key}")
                check.setChecked(flag.key in chosen)
                check.toggled.connect(lambda _on: self._show_suggestion())
                self.boxes[flag.key] = check
                v.addWidget(check)
            groups.addWidget(box)
        groups.addStretch(1)
        self.checklist_area = _Scroll(checklist, "redFlagChecklist", self)
        self.checklist_area.setMinimumHeight(160)
        layout.addWidget(self.checklist_area, 1)
        self.suggestion = QLabel()
        self.suggestion.setObjectName("redFlagSuggestion")
        self.suggestion.setWordWrap(True)
        self.suggestion.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.suggestion_area = _Scroll(self.suggestion, "redFlagSuggestionArea", self)
        self.suggestion_area.setMinimumHeight(5 * self.fontMetrics().height())
        layout.addWidget(self.suggestion_area)
        self.note = QLabel(f"<i>{html.escape(DECISION_SUPPORT_NOTE)}</i>", self)
        self.note.setObjectName("redFlagNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show_suggestion()
        screen = (parent.screen() if parent else None) or QGuiApplication.primaryScreen()
        if screen is not None:  # never taller than the screen (18 flags, all ticked)
            room = screen.availableGeometry().size() - QSize(0, _TITLE_BAR)
            self.setMaximumHeight(room.height())
            self.resize(self.sizeHint().boundedTo(room))  # all of it, when the screen has room

    def selected(self) -> tuple[str, ...]:
        return tuple(f.key for f in mscc.RED_FLAGS if self.boxes[f.key].isChecked())

    def _show_suggestion(self) -> None:
        s = mscc.suggest_urgency(self.selected())
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in s.reasons)
        self.suggestion.setText(
            f"Suggested urgency: <b>{html.escape(s.urgency.label)}</b><ul>{reasons}</ul>"
        )


class DifferentialDialog(QDialog):
    """One answer per differential diagnosis, with the features that tell them apart."""

    def __init__(self, answers: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Differential diagnosis (DOMAIN §8)")
        self.setObjectName("DifferentialDialog")
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.combos: dict[str, QComboBox] = {}
        for row, d in enumerate(differential.DIFFERENTIALS):
            label = QLabel(
                f"<b>{html.escape(d.label)}</b><br><small>{html.escape(d.features)}</small>"
            )
            label.setWordWrap(True)
            combo = QComboBox(self)
            combo.setObjectName(f"diff_{d.key}")
            combo.setAccessibleName(d.label)
            for key, text in ANSWER_LABELS.items():
                combo.addItem(text, key)
            combo.setCurrentIndex(max(0, combo.findData(answers.get(d.key, "not_considered"))))
            label.setBuddy(combo)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
            self.combos[d.key] = combo
        grid.setColumnStretch(0, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 0)

    def answers(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, str(c.currentData())) for k, c in self.combos.items()))
