"""PDF export from the GUI: save dialog, work off the GUI thread with progress and
cancel, audit with the file's SHA-256, then offer to open it in the system viewer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mdtboard.reports import (
    LetterSettings,
    ReportCancelled,
    build_agenda,
    build_letter,
    build_outcome_form,
    build_summary,
)
from mdtboard.services import exports, meetings, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.settings import get_settings
from mdtboard.ui import file_names
from mdtboard.ui.workers import BackgroundJob, run_in_background

Build = Callable[[Path, Callable[[int, int], None], Callable[[], bool]], Path]


class PdfExport:
    """One export; ``job`` is the background job, ``path`` the target file."""

    def __init__(
        self,
        parent: QWidget,
        ctx: ServiceContext,
        document: str,
        entity: str,
        entity_id: int,
        build: Build,
        path: Path,
        *,
        ask_to_open: bool = True,
    ) -> None:
        self.parent, self.ctx, self.document = parent, ctx, document
        self.entity, self.entity_id, self.path = entity, entity_id, path
        self.ask_to_open = ask_to_open
        self.sha256 = ""
        self.error: object = None
        self._staged = exports.staging_path(path)
        self.job: BackgroundJob = run_in_background(
            parent,
            lambda progress, cancelled: build(self._staged, progress, cancelled),
            f"Writing {document} PDF…",
        )
        self.job.sig_finished.connect(self._done)
        self.job.sig_failed.connect(self._failed)

    def _done(self, _result: object) -> None:
        """Built: audit it, then put it in place (a refused audit leaves the file that
        was there untouched)."""
        try:
            self.sha256 = exports.put_in_place(
                self.ctx, self.document, self.entity, self.entity_id, self._staged, self.path
            )
        except ServiceError as exc:
            self._failed(exc)
            return
        if not self.ask_to_open:
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "PDF written",
            f"{self.document.capitalize()} saved to {self.path}.",
            QMessageBox.StandardButton.Close,
            self.parent,
        )
        open_btn = box.addButton("&Open", QMessageBox.ButtonRole.AcceptRole)
        print_btn = box.addButton("&Print", QMessageBox.ButtonRole.ActionRole)
        self.box = box
        box.exec()
        if box.clickedButton() is open_btn:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
        elif box.clickedButton() is print_btn:
            self.print_now()

    def print_now(self) -> bool:
        """Send the PDF to the default printer; the print is audited with the file's hash."""
        try:
            send_to_printer(self.path)
        except PrintUnavailable as exc:
            QMessageBox.warning(self.parent, "Not printed", str(exc))
            return False
        exports.record_export(
            self.ctx, self.document, self.entity, self.entity_id, self.path, action="print"
        )
        return True

    def _failed(self, exc: object) -> None:
        self.error = exc
        self._staged.unlink(missing_ok=True)
        if isinstance(exc, ReportCancelled):
            return
        QMessageBox.warning(self.parent, "PDF not written", str(exc))


class PrintUnavailable(Exception):
    """No way to print here: the message says what to do instead."""


def send_to_printer(path: Path) -> None:
    """The system's own printing: the print spooler (lp or lpr) on Linux and macOS, the
    PDF handler's print verb on Windows. Raises PrintUnavailable with a plain message."""
    import shutil
    import subprocess
    import sys

    if sys.platform == "win32":
        import os

        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError as exc:
            raise PrintUnavailable(f"Windows could not print {path.name}: {exc}") from exc
        return
    command = shutil.which("lp") or shutil.which("lpr")
    if command is None:
        raise PrintUnavailable(
            "No print command (lp or lpr) on this computer: open the PDF and print it "
            "from the viewer."
        )
    try:
        done = subprocess.run(
            [command, str(path)], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PrintUnavailable(f"The print command did not finish: {exc}") from exc
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise PrintUnavailable(
            "The printer refused the document: " + (reason[0] if reason else "no reason given")
        )


def _ask_path(parent: QWidget, default_name: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(
        parent, "Save PDF", file_names.suggested(default_name), "PDF files (*.pdf)"
    )
    if not name:
        return None
    file_names.remember(name)
    return Path(name)


def export_meeting(
    parent: QWidget,
    ctx: ServiceContext,
    meeting_id: int,
    document: str,
    path: Path | None = None,
    *,
    ask_to_open: bool = True,
) -> PdfExport | None:
    """``document`` is "agenda" or "summary"."""
    exports.check_export_allowed(ctx)
    if path is None:
        when = meetings.get_meeting(ctx.db, meeting_id).starts_at
        path = _ask_path(parent, file_names.meeting_file_name(document, when))
    if path is None:
        return None
    # the file dialog has asked before an existing file is replaced
    exports.check_output(ctx.db.target.sqlite_path, path, replace=True)
    builder = build_agenda if document == "agenda" else build_summary

    def build(
        out: Path, progress: Callable[[int, int], None], cancelled: Callable[[], bool]
    ) -> Path:
        report = summaries.meeting_report(ctx.db, meeting_id)
        return builder(report, out, progress=progress, cancelled=cancelled)

    return PdfExport(
        parent, ctx, document, "meeting", meeting_id, build, path, ask_to_open=ask_to_open
    )


#: the documents of one case: (title for messages, file-name word)
CASE_DOCUMENTS = {
    "letter": ("Outcome letter", "Letter"),
    "letter_gp": ("Outcome letter, GP copy", "Letter to GP"),
    "outcome": ("Outcome record", "Outcome record"),
}


def export_case_document(
    parent: QWidget,
    ctx: ServiceContext,
    referral_id: int,
    document: str = "letter",
    path: Path | None = None,
    *,
    ask_to_open: bool = True,
) -> PdfExport | None:
    """``document``: "letter" (to the referrer), "letter_gp" (the GP's copy) or
    "outcome" (the one-page outcome record)."""
    exports.check_export_allowed(ctx)
    title, word = CASE_DOCUMENTS[document]
    doc = summaries.case_document(ctx.db, referral_id)
    case, meeting = doc.case, doc.meeting
    if case.decision is None:
        QMessageBox.information(parent, title, "This case has no MDT decision yet.")
        return None
    if document == "letter_gp" and not case.gp_name.strip():
        QMessageBox.information(
            parent,
            title,
            "No GP is recorded for this case. Add the GP on the referral "
            "(Edit selected referral…, Referral section) first.",
        )
        return None
    if path is None:
        when = meeting.starts_at if meeting is not None else datetime.now(UTC)
        path = _ask_path(parent, file_names.case_file_name(word, case.patient.mrn, when))
    if path is None:
        return None
    exports.check_output(ctx.db.target.sqlite_path, path, replace=True)
    settings = LetterSettings.from_settings(get_settings(ctx.db))

    def build(
        out: Path, progress: Callable[[int, int], None], cancelled: Callable[[], bool]
    ) -> Path:
        if document == "outcome":
            return build_outcome_form(doc, settings, out)
        return build_letter(doc, settings, out, to="gp" if document == "letter_gp" else "referrer")

    return PdfExport(
        parent, ctx, document, "referral", referral_id, build, path, ask_to_open=ask_to_open
    )


def export_letter(
    parent: QWidget,
    ctx: ServiceContext,
    referral_id: int,
    path: Path | None = None,
    *,
    ask_to_open: bool = True,
) -> PdfExport | None:
    return export_case_document(parent, ctx, referral_id, "letter", path, ask_to_open=ask_to_open)
