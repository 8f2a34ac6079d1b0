"""The main window's file choosers, questions and messages.

Presentation only: each function asks or tells and returns the answer; the window
decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mdtboard import __version__
from mdtboard.ui import file_names

#: problems listed in the details of :class:`ImportProblemsBox`; the rest are counted
SHOWN_PROBLEMS = 30


def ask_file_to_import(parent: QWidget) -> str:
    """The referral file to import (CSV or Excel), or "" if the user cancelled."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        "Import referrals",
        file_names.last_folder(),
        "Referral files (*.csv *.tsv *.txt *.xlsx);;All files (*)",
    )
    if path:
        file_names.remember(path)
    return path


def ask_worklist_csv(parent: QWidget) -> str:
    """Where to export the worklist (the dialog asks before replacing a file), or ""."""
    name = f"Worklist {datetime.now().astimezone():%Y-%m-%d}.csv"
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export worklist", file_names.suggested(name), "CSV files (*.csv)"
    )
    if path:
        file_names.remember(path)
    return path


class ImportProblemsBox(QMessageBox):
    """Nothing was imported: how many problems (each one in the details), with an offer
    to import the valid rows only."""

    def __init__(self, problems: Sequence[object], file_name: str, parent: QWidget) -> None:
        super().__init__(
            QMessageBox.Icon.Warning,
            "Nothing imported",
            f"{len(problems)} problem(s) in {file_name}; nothing was written.",
            QMessageBox.StandardButton.Close,
            parent,
        )
        shown = "\n".join(str(p) for p in problems[:SHOWN_PROBLEMS])
        hidden = len(problems) - SHOWN_PROBLEMS
        more = f"\n… and {hidden} more" if hidden > 0 else ""
        self.setDetailedText(shown + more)
        self._valid_only = self.addButton(
            "Import the valid rows only", QMessageBox.ButtonRole.AcceptRole
        )

    def valid_rows_chosen(self) -> bool:
        """After :meth:`exec`: the user asked for the valid rows to be imported."""
        return self.clickedButton() is self._valid_only


def show_about(parent: QWidget, database: str) -> None:
    QMessageBox.about(
        parent,
        "About mdtboard",
        f"<h3>mdtboard {__version__}</h3>"
        "<p>Case manager for spine-oncology multidisciplinary tumour boards.</p>"
        "<p><b>Decision support only.</b> mdtboard records what the MDT decided and why; "
        "it never orders treatment.</p>"
        f"<p>Database: {database}</p>",
    )
