"""Step 8: what will be signed off, the problems left, the quorum and the versions."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.meeting import render
from mdtboard.ui.meeting.pages.base import StepPage
from mdtboard.ui.meeting.presenter import CasePresenter


class SignoffPage(StepPage):
    key = "signoff"
    scrolls = False

    def __init__(self, presenter: CasePresenter, chair: str, parent: QWidget | None = None) -> None:
        super().__init__(presenter, parent)
        v = QVBoxLayout(self)
        self.signoff_status = QTextBrowser(self)
        self.signoff_status.setObjectName("signoffStatus")
        self.signoff_status.setAccessibleName("Sign-off status and versions")
        v.addWidget(self.signoff_status, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chair:", self))
        self.chair_name = QLineEdit(chair, self)
        self.chair_name.setObjectName("chairName")
        self.chair_name.setAccessibleName("Chair signing off")
        row.addWidget(self.chair_name, 1)
        self.signoff_btn = QPushButton("&Sign off decision…", self)
        self.signoff_btn.setObjectName("signOff")
        row.addWidget(self.signoff_btn)
        self.amend_btn = QPushButton("A&mend…", self)
        self.amend_btn.setObjectName("amend")
        row.addWidget(self.amend_btn)
        self.save_amend_btn = QPushButton("Save a&mendment", self)
        self.save_amend_btn.setObjectName("saveAmendment")
        row.addWidget(self.save_amend_btn)
        v.addLayout(row)

    def refresh_derived(self) -> None:
        p = self.presenter
        if p.case is None or p.quorum is None:
            return
        self.signoff_status.setHtml(
            render.signoff_html(
                p.decision, p.data, p.problems(), p.quorum, p.case.revisions, format_datetime
            )
        )

    def first_input(self) -> QWidget | None:
        return self.signoff_btn if self.signoff_btn.isEnabled() else self.signoff_status

    def set_read_only(self, final: bool) -> None:
        p = self.presenter
        self.signoff_btn.setEnabled(not final and not p.amending)
        self.amend_btn.setEnabled(p.is_signed and not p.amending)
        self.save_amend_btn.setVisible(p.amending)
