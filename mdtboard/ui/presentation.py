"""Presentation mode: a large-font, read-only view of the current case for a shared screen.

It follows the chair's navigation (case and step) in the meeting-mode window.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from mdtboard.domain.vocab import Urgency
from mdtboard.ui.score_form import result_text

if TYPE_CHECKING:
    from mdtboard.ui.meeting_mode import MeetingModeWindow


class PresentationWindow(QWidget):
    def __init__(self, chair: MeetingModeWindow) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.chair = chair
        self.setWindowTitle(f"Presentation — {chair.meeting.title}")
        self.setObjectName("PresentationWindow")
        layout = QVBoxLayout(self)
        self.view = QTextBrowser(self)
        self.view.setObjectName("presentationView")
        self.view.setAccessibleName("Presented case")
        font = self.view.font()
        font.setPointSize(max(20, font.pointSize() * 2))
        self.view.setFont(font)
        layout.addWidget(self.view)
        for key in ("Escape", "F11"):
            QShortcut(QKeySequence(key), self, self.close)
        chair.sig_case_changed.connect(self.refresh)
        chair.sig_step_changed.connect(self.refresh)
        chair.sig_content_changed.connect(self.refresh)
        screens = QGuiApplication.screens()
        if len(screens) > 1:  # a second monitor: open there, full screen
            self.setGeometry(screens[1].geometry())
            self.showFullScreen()
        else:
            self.resize(1280, 800)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        c = self.chair
        case = c.case
        if case is None:
            self.view.setHtml("<h1>No case selected</h1>")
            return
        e = html.escape
        step = c.current_step_key()
        p = case.patient
        head = (
            f"<h1>{case.position}. {e(p.display_name)}</h1>"
            f"<p>MRN {e(p.mrn)} · born {p.date_of_birth:%d %b %Y} · "
            f"{e(Urgency(case.urgency).label)}</p>"
            f"<p><b>Question:</b> {e(case.question)}</p>"
        )
        if step in ("summary", "histology"):
            body = (
                f"<p><b>Histology:</b> {e(case.histology_label)} ({e(case.compartment)})</p>"
                f"<p><b>Levels:</b> {e(case.levels_text)}</p>"
                f"<p><b>Neurology:</b> {e(case.neuro_status or 'not recorded')}</p>"
            )
        elif step == "scores":
            body = "".join(
                f"<p><b>{e(f.title())}:</b> {e(result_text(t, f.result()))}</p>"
                for t, f in c.score_forms.items()
            )
        elif step == "noms":
            body = c.noms_html
        elif step == "options":
            mods = c.modality_editor.modalities()
            from mdtboard.ui.modality_editor import describe

            body = "<ul>" + "".join(f"<li>{e(describe(m))}</li>" for m in mods) + "</ul>"
        elif step == "actions":
            body = (
                "<ul>"
                + "".join(
                    f"<li>{e(a.description)} — {e(a.owner)}"
                    f"{' by ' + a.due_date.strftime('%d %b') if a.due_date else ''}</li>"
                    for a in c.actions_model.actions()
                )
                + "</ul>"
            )
        else:
            body = (
                f"<p><b>Plan:</b> {e(c.plan_text.toPlainText())}</p>"
                f"<p><b>Rationale:</b> {e(c.rationale.toPlainText())}</p>"
            )
            if c.dissent.toPlainText().strip():
                body += f"<p><b>Dissent:</b> {e(c.dissent.toPlainText())}</p>"
        status = c.status_line.text()
        self.view.setHtml(f"{head}<hr>{body}<hr><p><i>{e(status)}</i></p>")
