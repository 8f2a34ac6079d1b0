"""Presentation mode: a large-font, read-only view of the current case for a shared
screen. It follows the chair's navigation (case and step) in meeting mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from mdtboard.ui.meeting.window import MeetingModeWindow


class PresentationWindow(QWidget):
    def __init__(self, chair: MeetingModeWindow) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.chair = chair
        self.setWindowTitle(chair.windowTitle().replace("Meeting mode", "Presentation", 1))
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
        self.view.setHtml(self.chair.presentation_html())
