"""The referral form's side panel: readiness for discussion, and earlier MDT discussions."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mdtboard.domain.readiness import Light
from mdtboard.ui.date_fields import format_date

if TYPE_CHECKING:
    from mdtboard.services.meetings import HistoryEntry

LIGHT_COLOURS = {Light.GREEN: "#1b7f3b", Light.AMBER: "#b36b00", Light.RED: "#b3261e"}
#: earlier discussions listed (newest first)
HISTORY_SHOWN = 6


class TrafficLight(QLabel):
    """Readiness shown as a coloured lamp with its reasons (text, not colour alone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAccessibleName("Readiness")
        self.light = Light.RED

    def show_readiness(self, light: Light, reasons: list[str]) -> None:
        self.light = light
        colour = LIGHT_COLOURS[light]
        items = "".join(f"<li>{r}</li>" for r in reasons) or "<li>Ready for discussion</li>"
        self.setText(
            f"<p><span style='color:{colour}; font-size:18pt'>●</span> "
            f"<b>{light.label}</b></p><ul style='margin-left:-20px'>{items}</ul>"
        )
        self.setAccessibleDescription(f"{light.label}. " + "; ".join(reasons))


class ReadinessPanel(QWidget):
    """The lamp (``readiness``) over the patient's MDT history (``history``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.readiness = TrafficLight(self)
        self.readiness.setObjectName("readiness")
        lay.addWidget(self.readiness)
        self.history = QLabel(self)
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setAccessibleName("Earlier MDT discussions of this patient")
        lay.addWidget(self.history)

    def show_readiness(self, light: Light, reasons: list[str]) -> None:
        self.readiness.show_readiness(light, reasons)

    def show_history(self, entries: Sequence[HistoryEntry]) -> None:
        """The latest discussions: date, outcome, plan and reason (escaped)."""
        if not entries:
            self.history.setText("<i>No earlier MDT discussion of this patient.</i>")
            return
        lines = "".join(
            f"<li>{format_date(h.meeting_at)}: {html.escape(h.agenda_status)}"
            f"{' — ' + html.escape(h.plan_text) if h.plan_text else ''}"
            f"{' (' + html.escape(h.reason) + ')' if h.reason else ''}"
            f"{' · Follow-up: ' + html.escape(h.followup) if h.followup else ''}</li>"
            for h in entries[:HISTORY_SHOWN]
        )
        self.history.setText(f"<b>MDT history</b><ul style='margin-left:-20px'>{lines}</ul>")
