"""Step 1: the referral's facts and the patient's earlier MDT discussions."""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from mdtboard.ui.date_fields import format_date
from mdtboard.ui.meeting import render
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter


class SummaryPage(StepPage):
    key = "summary"
    scrolls = False

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_view = QTextBrowser(self)
        self.summary_view.setObjectName("summaryView")
        self.summary_view.setAccessibleName("Case summary")
        layout.addWidget(self.summary_view)

    def first_input(self) -> QWidget | None:
        return self.summary_view

    def fill(self, reason: str) -> None:
        case = self.presenter.case
        if reason == "open" and case is not None:
            self.summary_view.setHtml(
                render.summary_html(case, self.presenter.earlier_discussions(), format_date)
            )
