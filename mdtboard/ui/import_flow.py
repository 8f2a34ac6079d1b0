"""The main window's import: choose a file, run the wizard, import in the background.

The wizard has shown every problem before Import is pressed; what can still fail is
what changed meanwhile (a patient registered on another workstation with one of the
file's MRNs), reported as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from mdtboard.services import import_mapping
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.importer import ImportInvalid, ImportReport, import_referrals
from mdtboard.services.permissions import Permission
from mdtboard.ui import main_prompts as prompts
from mdtboard.ui.import_wizard import ImportChoice, ImportWizard
from mdtboard.ui.workers import BackgroundJob, run_in_background


class ImportFlow(QObject):
    """One window's import; ``sig_imported(report)`` after rows were written."""

    sig_imported = Signal(object)

    def __init__(self, window: QWidget, ctx: ServiceContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.wizard: ImportWizard | None = None
        self.job: BackgroundJob | None = None
        self.last_report: ImportReport | None = None
        self.last_error: object | None = None
        self.problems_box: prompts.ImportProblemsBox | None = None

    def start(self, path: str | None = None) -> ImportWizard | None:
        """Open the wizard on ``path`` (asked for when not given)."""
        try:
            self.ctx.require(Permission.IMPORT)
        except ServiceError as exc:  # before a file is chosen, not after the wizard
            QMessageBox.information(self.window, "Import referrals", str(exc))
            return None
        path = path if path is not None else prompts.ask_file_to_import(self.window)
        if not path:
            return None
        wizard = ImportWizard(self.ctx, Path(path), self.window)
        wizard.sig_import.connect(self.run)
        self.wizard = wizard
        wizard.open()
        return wizard

    def run(self, choice: ImportChoice) -> BackgroundJob | None:
        """Save the profile if asked, then import off the GUI thread with progress."""
        if choice.profile:
            try:
                import_mapping.save_profile(self.ctx, choice.profile, choice.mapping)
            except ServiceError as exc:
                QMessageBox.warning(self.window, "Profile not saved", str(exc))
                return None
        ctx = self.ctx

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return import_referrals(
                ctx,
                choice.source,
                mapping=choice.mapping,
                valid_rows_only=choice.valid_rows_only,
                allow_same_file=choice.allow_same_file,
                progress=progress,
                cancelled=cancelled,
            )

        bg = run_in_background(self.window, job, "Importing referrals…")
        bg.sig_finished.connect(self._done)
        bg.sig_failed.connect(lambda exc: self._failed(exc, choice))
        self.job = bg
        return bg

    def _done(self, report: ImportReport) -> None:
        self.last_report = report
        self.sig_imported.emit(report)
        skipped = f"; {len(report.errors)} row(s) skipped" if report.errors else ""
        if isinstance(self.window, QMainWindow):  # a message, not a box to dismiss
            self.window.statusBar().showMessage(
                f"Imported {report.imported} referrals ({report.new_patients} new patients)"
                f"{skipped}",
                10_000,
            )

    def _failed(self, exc: object, choice: ImportChoice) -> None:
        self.last_error = exc
        if isinstance(exc, ImportInvalid):
            box = prompts.ImportProblemsBox(exc.report.errors, choice.source.name, self.window)
            self.problems_box = box
            box.exec()
            if box.valid_rows_chosen():
                self.run(
                    ImportChoice(choice.source, choice.mapping, True, choice.allow_same_file, "")
                )
        else:
            QMessageBox.warning(self.window, "Import failed", str(exc))
