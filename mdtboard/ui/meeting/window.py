"""Meeting mode: the chair walks the team through each case and signs off the plan.

Steps: Summary → Histology and biopsy → Scores → NOMS → Options → Consensus →
Actions → Sign-off, with free navigation. The window lays out the agenda, the
stepper and one page per step (``pages``), all bound to one ``CasePresenter``
that holds the case; it keeps the shortcuts, the timers and the dialogs. Drafts
autosave; a signed-off decision is read-only and corrected only by an amendment.
Nothing is written to the database until ``start`` (the meeting) or an edit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.vocab import AgendaStatus, AttendanceStatus
from mdtboard.services import decisions, meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.pathway import pathway_of
from mdtboard.services.settings import is_demo
from mdtboard.ui.date_fields import format_date, format_time
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.flow_layout import FlowLayout
from mdtboard.ui.help import install_help, show_help
from mdtboard.ui.meeting import prompts, render
from mdtboard.ui.meeting.agenda import MeetingAgendaModel
from mdtboard.ui.meeting.attendance import AttendanceDialog
from mdtboard.ui.meeting.case_clock import CaseClock
from mdtboard.ui.meeting.pages import (
    ActionsPage,
    ConsensusPage,
    HistologyPage,
    NomsPage,
    OptionsPage,
    ScoresPage,
    SignoffPage,
    StepPage,
    SummaryPage,
)
from mdtboard.ui.meeting.presenter import CasePresenter
from mdtboard.ui.meeting.toolbar import MeetingActions
from mdtboard.ui.remember import keep_columns, keep_geometry, keep_splitter
from mdtboard.ui.table_base import row_table

STEPS: tuple[tuple[str, str], ...] = (
    ("summary", "1 Summary"),
    ("histology", "2 Histology and biopsy"),
    ("scores", "3 Scores"),
    ("noms", "4 NOMS"),
    ("options", "5 Options"),
    ("consensus", "6 Consensus"),
    ("actions", "7 Actions"),
    ("signoff", "8 Sign-off"),
)
AUTOSAVE_MS = 1500
#: typing stops this long before an undo step closes (a word is one step)
UNDO_PAUSE_MS = 400
_EMERGENCY_STYLE = "background:#fde2e1; color:#8a1111; border:2px solid #b3261e; padding:6px;"
#: the 1-week pathway (known cancer, spinal pain, no neurology): urgent, not an emergency
_PATHWAY_STYLE = "background:#fff3d6; color:#6b4400; border:2px solid #b36b00; padding:6px;"


class MeetingModeWindow(QMainWindow):
    sig_case_changed = Signal(int)
    sig_step_changed = Signal(int)
    sig_content_changed = Signal()
    sig_closed = Signal()

    def __init__(self, ctx: ServiceContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.meeting = meetings.get_meeting(ctx.db, meeting_id)
        demo = f" — {DEMO_TITLE}" if is_demo(ctx.db) else ""
        self.setWindowTitle(f"Meeting mode — {self.meeting.title}{demo}")
        self.setObjectName("MeetingModeWindow")
        self.presenter = CasePresenter(ctx, meeting_id)
        self.presentation: Any = None
        self._mscc_tick = self._timer(60_000, lambda: self._show_mscc(fresh=True), repeat=True)
        self._autosave = self._timer(AUTOSAVE_MS, self.save_now)
        self._snapshot_timer = self._timer(UNDO_PAUSE_MS, self._record_undo)
        # counts only while the meeting is held: reading a closed meeting is no discussion
        self.case_clock = CaseClock(
            ctx, meeting_id, self, counting=lambda: self.meeting.status == "in_progress"
        )
        self._build()
        self.case_clock.sig_tick.connect(self.clock_label.setText)
        self._build_actions()
        self.presenter.loaded.connect(self._loaded)
        self.presenter.changed.connect(self._changed)
        self.presenter.state_changed.connect(self._state_changed)
        self.reload_agenda()
        if self.agenda_model.rowCount():
            self.open_case(0)
        keep_geometry(self, "meeting/geometry", (1360, 860))

    def start(self) -> MeetingModeWindow:
        """Mark the meeting started (in progress): the first write, never the constructor's."""
        decisions.start_meeting(self.ctx, self.meeting_id)
        self.meeting = meetings.get_meeting(self.ctx.db, self.meeting_id)
        if self.presenter.entry is not None:  # the case open since the window opened
            self.case_clock.start(self.presenter.entry.id)
        return self

    def _timer(self, ms: int, slot: Callable[[], Any], repeat: bool = False) -> QTimer:
        t = QTimer(self)
        t.setSingleShot(not repeat)
        t.setInterval(ms)
        t.timeout.connect(slot)
        return t

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        self.quorum_banner = QLabel(central)
        self.quorum_banner.setObjectName("quorumBanner")
        self.quorum_banner.setAccessibleName("Quorum")
        self.quorum_banner.setWordWrap(True)  # the window fits an 800-pixel screen
        outer.addWidget(self.quorum_banner)
        self.mscc_banner = QLabel(central)
        self.mscc_banner.setObjectName("msccBanner")
        self.mscc_banner.setWordWrap(True)
        self.mscc_banner.hide()
        outer.addWidget(self.mscc_banner)
        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        outer.addWidget(splitter, 1)
        self.agenda_model = MeetingAgendaModel(self)
        self.agenda_view = row_table(
            splitter,
            self.agenda_model,
            "meetingAgenda",
            "Cases on the agenda",
            remember="meeting/agendaHeader",
        )
        self.agenda_view.setWordWrap(False)
        self.agenda_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.agenda_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.agenda_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.agenda_view.clicked.connect(lambda index: self.open_case(index.row()))
        self.agenda_view.activated.connect(lambda index: self.open_case(index.row()))
        right = QWidget(splitter)
        rv = QVBoxLayout(right)
        self.case_title = QLabel(right)
        self.case_title.setObjectName("caseTitle")
        self.case_title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.case_title.setWordWrap(True)
        rv.addWidget(self.case_title)
        stepper = FlowLayout()  # wraps onto a second row in a narrow window
        self.step_buttons = QButtonGroup(self)
        self.step_buttons.setExclusive(True)
        for i, (_key, label) in enumerate(STEPS):
            btn = QToolButton(right)
            btn.setText(label)
            btn.setCheckable(True)
            btn.setAccessibleName(f"Step {label}")
            btn.setToolTip(f"Alt+{i + 1}")
            self.step_buttons.addButton(btn, i)
            stepper.addWidget(btn)
        self.step_buttons.idClicked.connect(self.go_to_step)
        rv.addLayout(stepper)
        self.stack = QStackedWidget(right)
        rv.addWidget(self.stack, 1)
        self.status_line = QLabel(right)
        self.status_line.setObjectName("caseStatusLine")
        self.clock_label = QLabel(right)
        self.clock_label.setObjectName("caseClock")
        self.clock_label.setStyleSheet("color: palette(mid);")
        self.clock_label.setToolTip("How long this case has been open (kept with the meeting)")
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_line, 1)
        status_row.addWidget(self.clock_label)
        rv.addLayout(status_row)
        splitter.setSizes([330, 1030])
        self._splitter = splitter
        # once shown and laid out, the agenda pane is widened to fit its columns if need be
        keep_splitter(
            splitter, "meeting/splitter", after=lambda: QTimer.singleShot(0, self._fit_agenda)
        )
        self.setCentralWidget(central)
        p = self.presenter
        self.summary = SummaryPage(p)
        self.histology = HistologyPage(p)
        self.scores = ScoresPage(p)
        self.noms = NomsPage(p)
        self.options = OptionsPage(p)
        self.consensus = ConsensusPage(p)
        self.actions_page = ActionsPage(p)
        self.signoff = SignoffPage(p, self.meeting.chair)
        self.pages: tuple[StepPage, ...] = (
            self.summary,
            self.histology,
            self.scores,
            self.noms,
            self.options,
            self.consensus,
            self.actions_page,
            self.signoff,
        )
        for page in self.pages:  # pages that fill the window scroll sideways if narrow
            self.stack.addWidget(self._scroll(page, framed=page.scrolls))
        keep_columns(self.actions_page.actions_view, "meeting/actionsHeader")
        self.signoff.signoff_btn.clicked.connect(self.sign_off)
        self.signoff.amend_btn.clicked.connect(self.start_amendment)
        self.signoff.save_amend_btn.clicked.connect(self.save_amendment)

    def _scroll(self, widget: QWidget, *, framed: bool) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        if not framed:  # a page that fills the window looks as it did unscrolled
            area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(widget)
        return area

    def _build_actions(self) -> None:
        a = self.acts = MeetingActions(self, STEPS)
        self.toolbar = a.bar
        self.act_prev_case, self.act_next_case, self.act_save = a.prev_case, a.next_case, a.save
        self.act_apply, self.act_sign, self.act_defer = a.apply, a.sign, a.defer
        self.act_withdraw, self.act_attendance, self.act_present = (
            a.withdraw,
            a.attendance,
            a.present,
        )
        self.act_close_meeting, self.act_help = a.close_meeting, a.help
        self.act_confirm_soc = a.confirm_soc
        self.act_undo, self.act_redo = a.undo, a.redo

    # -------------------------------------------------------------- the agenda
    def reload_agenda(self) -> None:
        self.agenda_model.set_rows(self.presenter.agenda())
        self._reselect_current()
        if self.isVisible():
            self._fit_agenda()
        self._show_quorum()
        people = self.presenter.attendance()
        present = [a.name for a in people if a.status == AttendanceStatus.PRESENT.value]
        self.actions_page.set_owners(present, [a.name for a in people])

    def _fit_agenda(self) -> None:
        """The agenda pane is at least as wide as its columns: every name and status
        whole, without scrolling sideways."""
        view = self.agenda_view
        view.resizeColumnsToContents()
        needed = view.horizontalHeader().length() + 2 * view.frameWidth() + 4
        bar = view.verticalScrollBar()
        needed += bar.sizeHint().width() if bar.isVisible() else 0
        sizes = self._splitter.sizes()
        if sizes and sizes[0] < needed:
            self._splitter.setSizes([needed, max(1, sum(sizes) - needed)])

    def _refresh_agenda_rows(self) -> None:
        """The agenda's statuses after a save or sign-off (the selection stays)."""
        self.agenda_model.set_rows(meetings.agenda(self.ctx.db, self.meeting_id))
        self._reselect_current()

    def _show_quorum(self) -> None:
        q = self.presenter.refresh_quorum()
        colour = "#1b7f3b" if q.quorate else "#b3261e"
        self.quorum_banner.setText(
            f"<span style='color:{colour}; font-weight:bold'>{q.text()}</span>"
        )
        self.quorum = q
        self.signoff.refresh_derived()

    def _current_row(self) -> int:
        entry = self.presenter.entry
        return self.agenda_model.row_of(entry.id) if entry is not None else -1

    def step_case(self, delta: int) -> None:
        row = self._current_row()
        self.open_case(max(0, min(self.agenda_model.rowCount() - 1, row + delta)))

    def open_case(self, row: int) -> None:
        entry = self.agenda_model.row_at(row)
        if entry is None:
            return
        p = self.presenter
        if p.entry is not None and entry.id == p.entry.id and p.case is not None:
            return
        if not self.save_now() and not self._may_discard("go to another case"):
            self._reselect_current()
            return
        self.agenda_view.selectRow(row)
        p.open(entry)
        self.case_clock.start(entry.id)
        self.go_to_step(max(0, self.stack.currentIndex()))
        self.sig_case_changed.emit(entry.id)

    def go_to_step(self, index: int) -> None:
        if not 0 <= index < len(STEPS):
            return
        key = STEPS[index][0]
        if key == "consensus" and not self.presenter.is_final:
            # pre-written from the options and the NOMS explanation; the chair edits them
            if not self.presenter.data.plan_text.strip():
                self.presenter.fill_plan()
            self.presenter.fill_rationale()
        self.stack.setCurrentIndex(index)
        target = self.pages[index].first_input()
        if target is not None and target.isEnabled():
            target.setFocus(Qt.FocusReason.TabFocusReason)
            if isinstance(target, QPlainTextEdit):  # pre-written text: type on after it
                target.moveCursor(QTextCursor.MoveOperation.End)
        button = self.step_buttons.button(index)
        if button is not None:
            button.setChecked(True)
        self.sig_step_changed.emit(index)

    def current_step_key(self) -> str:
        return STEPS[self.stack.currentIndex()][0]

    # --------------------------------------------------- the presenter's events
    def _loaded(self, reason: str) -> None:
        case = self.presenter.case
        assert case is not None
        self.case_title.setText(render.case_title(case))
        primary = self.presenter.is_primary
        label = "4 Primary-tumour pathway" if primary else STEPS[3][1]
        button = self.step_buttons.button(3)
        button.setText(label)
        button.setAccessibleName(f"Step {label}")
        if reason == "open":
            self._show_mscc(fresh=False)
        self._state_changed()
        self.sig_content_changed.emit()

    def _changed(self, _fields: frozenset[str], _origin: object) -> None:
        if self.presenter.is_final:
            return
        if not self.presenter.amending:
            self._autosave.start()
        self._snapshot_timer.start()
        self.status_line.setText("Unsaved changes…")
        self.sig_content_changed.emit()

    def _state_changed(self) -> None:
        p = self.presenter
        self.act_sign.setEnabled(not p.is_final and not p.amending)
        if p.is_final:
            self.status_line.setText("Signed off — read-only. Use Amend… to correct it.")
        elif p.amending:
            self.status_line.setText(
                "Amending a signed-off decision: save the amendment with its reason."
            )
        elif not p.dirty:
            self.status_line.setText("Draft — autosaves.")

    def _record_undo(self) -> None:
        self.presenter.record()

    def undo(self) -> None:
        self.presenter.undo()

    def redo(self) -> None:
        self.presenter.redo()

    def _show_mscc(self, *, fresh: bool) -> None:
        """The MSCC banner (reference/scores.md §11): the QS56 clocks from the suspected
        diagnosis, dexamethasone and the prompts; refreshed every minute, so it runs.
        ``fresh=False`` shows the clocks the case was just read with."""
        case = self.presenter.case
        status = None
        if case is not None:
            status = pathway_of(self.ctx.db, case.referral_id) if fresh else case.pathway
        if status is None:
            self.mscc_banner.hide()
            return
        self.mscc_banner.setText(render.mscc_banner_html(status))
        self.mscc_banner.setStyleSheet(
            _EMERGENCY_STYLE if status.suspected_mscc else _PATHWAY_STYLE
        )
        self.mscc_banner.show()

    # ------------------------------------------------------------------ saving
    def save_now(self) -> bool:
        """Persist the draft with its changed scores (autosave and Ctrl+S)."""
        self._autosave.stop()
        p = self.presenter
        was_dirty = p.dirty
        if not p.save():
            self.status_line.setText(f"Not saved: {p.last_save_error}")
            return False
        if was_dirty and not p.amending and not p.is_final:
            self.status_line.setText(
                f"Draft saved {format_time(datetime.now().time(), seconds=True)}"
            )
            self._refresh_agenda_rows()
        return True

    @property
    def last_save_error(self) -> str:
        return self.presenter.last_save_error

    def _may_discard(self, action: str) -> bool:
        reason = self.presenter.last_save_error or "see the status line"
        if not prompts.may_discard(self, reason, action):
            return False
        self.presenter.discard()
        return True

    def _reselect_current(self) -> None:
        """Keep the agenda's selection on the case still being edited."""
        if self.presenter.entry is not None:
            self.agenda_view.selectRow(self.agenda_model.row_of(self.presenter.entry.id))

    def sign_off(self) -> None:
        p = self.presenter
        if p.entry is None or p.case is None or p.is_final or p.amending:
            return
        if not prompts.confirm_sign_off(self, p.case, self.meeting):
            return
        try:
            p.sign_off(self.signoff.chair_name.text())
        except ValidationError as exc:
            self.go_to_step([k for k, _ in STEPS].index("signoff"))
            QMessageBox.warning(self, "Cannot sign off", "\n".join(exc.problems.values()))
            return
        except ServiceError as exc:
            QMessageBox.warning(self, "Cannot sign off", str(exc))
            return
        self._refresh_agenda_rows()

    def confirm_standard_of_care(self) -> QDialog | None:
        """The cases listed as standard of care, ticked, to sign off together."""
        from mdtboard.ui.meeting.soc_dialog import open_confirmation

        if not self.save_now() and not self._may_discard("confirm standard-of-care cases"):
            return None
        dialog = open_confirmation(self, self.signoff.chair_name.text(), self._soc_confirmed)
        self.soc_dialog = dialog
        return dialog

    def _soc_confirmed(self) -> None:
        self._refresh_agenda_rows()
        if self.presenter.entry is not None:
            self.presenter.open(self.presenter.entry)  # the open case may be one of them

    def start_amendment(self) -> None:
        if self.presenter.start_amendment():
            self.go_to_step([k for k, _ in STEPS].index("consensus"))

    def save_amendment(self) -> None:
        if not self.presenter.amending:
            return
        reason, ok = QInputDialog.getText(self, "Amendment", "Reason for the amendment:")
        if not ok:
            return
        try:
            self.presenter.amend(reason)
        except ServiceError as exc:
            QMessageBox.warning(self, "Amendment not saved", str(exc))
            return
        self._refresh_agenda_rows()

    # ----------------------------------------------------------------- actions
    def apply_suggestion(self) -> None:
        """Turn the NOMS suggestion (and a dexamethasone start on the referral) into
        modalities on the options step; the chair then completes their details."""
        if self.presenter.apply_suggestion():
            self.go_to_step([k for k, _ in STEPS].index("options"))

    def set_case_status(self, status: AgendaStatus) -> None:
        entry = self.presenter.entry
        if entry is None:
            return
        verb = "deferred" if status == AgendaStatus.DEFERRED else "withdrawn"
        reason, ok = QInputDialog.getText(self, f"Case {verb}", f"Why is this case {verb}?")
        if not ok:
            return
        try:
            meetings.set_item_status(self.ctx, entry.id, status, reason)
        except ServiceError as exc:
            QMessageBox.warning(self, "Not done", str(exc))
            return
        self.reload_agenda()
        self.status_line.setText(f"Case {verb}: {reason}")

    def edit_attendance(self) -> None:
        dialog = AttendanceDialog(self.ctx, self.meeting_id, self)
        install_help(dialog, "meeting")
        dialog.exec()
        self.reload_agenda()

    def close_meeting(self) -> None:
        if not self.save_now() and not self._may_discard("close the meeting"):
            return
        open_cases = [e for e in self.agenda_model.rows() if e.status in ("deferred", "listed")]
        upcoming = meetings.next_planned_meeting(self.ctx.db, self.meeting_id)
        to_meeting: int | None = None
        if open_cases and upcoming is not None:
            relist = prompts.ask_relist(self, len(open_cases), upcoming)
            if relist is None:
                return
            to_meeting = upcoming.id if relist else None
        try:
            result = decisions.close_and_relist(self.ctx, self.meeting_id, to_meeting)
        except ServiceError as exc:
            QMessageBox.warning(self, "Meeting not closed", str(exc))
            return
        prompts.show_closed(self, result, upcoming)
        self.close()

    def toggle_presentation(self) -> None:
        from mdtboard.ui.meeting.presentation import PresentationWindow

        if self.presentation is not None and self.presentation.isVisible():
            self.presentation.close()
            return
        self.presentation = PresentationWindow(self)
        self.presentation.show()

    def presentation_html(self) -> str:
        p = self.presenter
        if p.case is None:
            return "<h1>No case selected</h1>"
        results = {t: p.result(t) for t in p.tools}
        return render.presentation_html(
            p.case,
            self.current_step_key(),
            p.data,
            results,
            self.noms.html,
            self.status_line.text(),
            p.scores,
            fmt_date=format_date,
        )

    def show_shortcuts(self) -> None:
        """The help at this window's keyboard table (made from its actions)."""
        show_help(self, "keys")

    def showEvent(self, event: QShowEvent) -> None:
        self._mscc_tick.start()  # the banner's clocks run while the window is shown
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._mscc_tick.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.save_now() and not self._may_discard("close meeting mode"):
            event.ignore()
            return
        for timer in (self._mscc_tick, self._autosave, self._snapshot_timer):
            timer.stop()  # nothing runs for a closed window
        self.case_clock.stop()
        if self.presentation is not None:
            self.presentation.close()
        super().closeEvent(event)
        self.sig_closed.emit()
