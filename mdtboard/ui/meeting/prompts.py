"""Meeting mode's questions to the chair: sign off, discard unsaved changes, relist
on closing, and the closing summary. Each names what it is about; none writes."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QMessageBox, QWidget

from mdtboard.services.decisions import CloseSummary
from mdtboard.services.meetings import MeetingSummary
from mdtboard.services.summaries import CaseReport
from mdtboard.ui.date_fields import format_date

B = QMessageBox.StandardButton


def sign_off_text(case: CaseReport, meeting: MeetingSummary, now: datetime | None = None) -> str:
    """The confirmation names the case, and says so when the meeting is dated in the
    future or has not been started."""
    who = case.patient
    lines = [f"Sign off the decision for case {case.position}: {who.display_name} (MRN {who.mrn})?"]
    today = (now or datetime.now(UTC)).astimezone().date()
    if meeting.starts_at.astimezone().date() > today:
        lines.append(f"This meeting is dated {format_date(meeting.starts_at)}, in the future.")
    if meeting.status == "planned":
        lines.append("This meeting has not been started.")
    lines.append("A signed-off decision can be corrected only by an amendment.")
    return "\n\n".join(lines)


def confirm_sign_off(parent: QWidget, case: CaseReport, meeting: MeetingSummary) -> bool:
    answer = QMessageBox.question(
        parent, "Sign off", sign_off_text(case, meeting), B.Yes | B.Cancel, B.Yes
    )
    return answer == B.Yes


def may_discard(parent: QWidget, reason: str, action: str) -> bool:
    """The case's changes could not be saved: discard them? (the default keeps them)."""
    answer = QMessageBox.warning(
        parent,
        "Changes not saved",
        f"The changes to this case could not be saved:\n{reason}\n\nDiscard them and {action}?",
        B.Discard | B.Cancel,
        B.Cancel,
    )
    return answer == B.Discard


def ask_relist(parent: QWidget, open_cases: int, upcoming: MeetingSummary) -> bool | None:
    """Relist the open cases on the next meeting? True, False, or None to cancel."""
    answer = QMessageBox.question(
        parent,
        "Close meeting",
        f"Relist the {open_cases} deferred or undiscussed case(s) on {upcoming.title} "
        "when the meeting closes?",
        B.Yes | B.No | B.Cancel,
        B.Yes,
    )
    return None if answer == B.Cancel else answer == B.Yes


def show_closed(parent: QWidget, result: CloseSummary, upcoming: MeetingSummary | None) -> None:
    text = (
        f"Discussed: {len(result.discussed)}\nDeferred: {len(result.deferred)}\n"
        f"Withdrawn: {len(result.withdrawn)}\nUndiscussed: {len(result.undiscussed)}"
    )
    if result.relisted and upcoming is not None:
        text += f"\n\nRelisted on {upcoming.title}: {len(result.relisted)}"
    QMessageBox.information(parent, "Meeting closed", text)
