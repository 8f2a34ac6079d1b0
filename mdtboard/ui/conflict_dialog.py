"""Shown when someone else saved the same record first: both versions side by side.

Nothing is lost: the user keeps theirs (saved on top of the other change, which
stays in the audit trail), takes the other version, or goes back to editing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from mdtboard.ui.date_fields import format_date, format_datetime


class Choice(Enum):
    KEEP_MINE = "mine"
    TAKE_THEIRS = "theirs"
    CANCEL = "cancel"


def _show(value: Any) -> str:
    """A field's value as the form shows it: dates and times in the locale's format
    (local time), lists joined."""
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, tuple | list):  # a list of pairs (the differential): "a: b"
        return ", ".join(
            ": ".join(map(_show, v)) if isinstance(v, tuple | list) else _show(v) for v in value
        )
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


class ConflictDialog(QDialog):
    def __init__(
        self,
        mine: Mapping[str, Any],
        theirs: Mapping[str, Any],
        what: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed by someone else")
        self.setObjectName("ConflictDialog")
        self.choice = Choice.CANCEL
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"{what} was saved on another workstation after you opened it. "
                "Choose which version to keep; the other stays in the audit trail.",
                self,
            )
        )
        self.differences = [k for k in mine if mine.get(k) != theirs.get(k)]
        rows = (
            "".join(
                f"<tr><td><b>{html.escape(k.replace('_', ' '))}</b></td>"
                f"<td>{html.escape(_show(mine.get(k)))}</td>"
                f"<td>{html.escape(_show(theirs.get(k)))}</td></tr>"
                for k in self.differences
            )
            or "<tr><td colspan=3>No field differs.</td></tr>"
        )
        view = QTextBrowser(self)
        view.setObjectName("conflictTable")
        view.setAccessibleName("Differences between your version and the saved version")
        view.setHtml(
            "<table border=1 cellspacing=0 cellpadding=4 width='100%'>"
            "<tr><th>Field</th><th>Your version</th><th>Saved by someone else</th></tr>"
            f"{rows}</table>"
        )
        layout.addWidget(view)
        buttons = QDialogButtonBox(self)
        self.keep_btn = buttons.addButton(
            "Keep &my version", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.take_btn = buttons.addButton(
            "Use &their version", QDialogButtonBox.ButtonRole.ResetRole
        )
        self.cancel_btn = buttons.addButton(
            "&Back to editing", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.keep_btn.clicked.connect(lambda: self._done(Choice.KEEP_MINE))
        self.take_btn.clicked.connect(lambda: self._done(Choice.TAKE_THEIRS))
        self.cancel_btn.clicked.connect(lambda: self._done(Choice.CANCEL))
        layout.addWidget(buttons)
        self.resize(720, 420)

    def _done(self, choice: Choice) -> None:
        self.choice = choice
        self.accept() if choice != Choice.CANCEL else self.reject()
