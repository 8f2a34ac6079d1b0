"""The main window: worklist, search and filters, menus, status bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from mdtboard.ui import main_prompts as prompts
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.help import install_help
from mdtboard.ui.main_actions import MainActions
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.worklist_filters import WorklistFilterBar
from mdtboard.ui.worklist_view import CaseTable, WorklistCounts

if TYPE_CHECKING:
    from mdtboard.services.context import ServiceContext
    from mdtboard.store.changes import ChangeWatcher
    from mdtboard.ui.case_model import CaseTableModel
    from mdtboard.ui.import_flow import ImportFlow
    from mdtboard.ui.meetings_page import MeetingsPage
    from mdtboard.ui.referral_dialog import ReferralDialog

CHANGE_POLL_MS = 500


#: how every screen of a demo database says so
#: the second tab (Alt+T: Alt+E is the Edit menu, Alt+M the Meetings menu)
MEETINGS_TAB = "Mee&tings and agendas"


class MainWindow(QMainWindow):
    """Worklist window. ``sig_case_activated(referral_id)`` when a case is opened.

    Built in two steps so the window can paint before the database layer is loaded:
    the constructor makes the frame (menus, filters, an empty list with its columns);
    :meth:`attach` connects it to a database and fills the list. ``MainWindow(ctx)``
    does both at once. The parts are :class:`CaseTable`, :class:`WorklistFilterBar`,
    :class:`MainActions` and :class:`WorklistCounts`.
    """

    sig_case_activated = Signal(int)
    sig_data_changed = Signal()
    #: a service found the signed-in account disabled or re-roled (any thread)
    sig_account_changed = Signal(str)

    ctx: ServiceContext
    model: CaseTableModel
    change_watcher: ChangeWatcher
    _imaging_max_age_days: int

    def __init__(
        self, ctx: ServiceContext | None = None, parent: QWidget | None = None, *, title: str = ""
    ) -> None:
        super().__init__(parent)
        self.idle_lock: QObject | None = None  # set by the app once signed in
        self.signed_out = False
        self._ending = False
        self.sig_account_changed.connect(self._end_session_once, Qt.ConnectionType.QueuedConnection)
        self.attached = False
        self.setWindowTitle(f"mdtboard — {title}" if title else "mdtboard")
        self.setObjectName("MainWindow")

        self._totals: dict[str, int] | None = None
        self.table = CaseTable(self)
        self.table.sig_case_activated.connect(self.sig_case_activated)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.table, "&Worklist")
        self.meetings_page: MeetingsPage | None = None
        self.importer: ImportFlow | None = None
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self.tabs.addTab(QWidget(self), MEETINGS_TAB)
        self.sig_case_activated.connect(self.edit_case)

        bar = self.filter_toolbar = WorklistFilterBar(self)
        bar.sig_changed.connect(self.apply_filters)
        bar.sig_to_list.connect(self.table.enter_from_search)
        self.addToolBar(bar)
        # The filters, as attributes of the window for its callers and tests.
        self.search = bar.search
        self.status_filter = bar.status_filter
        self.urgency_filter = bar.urgency_filter
        self.readiness_filter = bar.readiness_filter
        self.meeting_filter = bar.meeting_filter
        self._actions = self._build_actions()
        bar.addSeparator()
        bar.addAction(self.act_refresh)
        self._status = WorklistCounts("Opening the database…", self)
        self.statusBar().addPermanentWidget(self._status)

        self._change_timer = QTimer(self)
        self._change_timer.setInterval(CHANGE_POLL_MS)
        self._change_timer.timeout.connect(self._poll_changes)

        keep_geometry(self, "main/geometry", (1280, 760))
        self._set_usable(False)
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: ServiceContext) -> None:
        """Connect the frame to a database: load the first page of the list, the
        meetings to filter by and the counts, and start watching for changes."""
        from mdtboard.services.settings import get_settings, is_demo
        from mdtboard.ui.case_model import CaseTableModel

        assert not self.attached, "a window is attached to one database"
        self.ctx = ctx
        self.demo = is_demo(ctx.db)
        self.setWindowTitle(
            f"mdtboard — {DEMO_TITLE + ' — ' if self.demo else ''}{ctx.db.target.display}"
        )
        if self.demo:
            badge = QLabel(DEMO_TITLE, self)
            badge.setObjectName("demoBadge")
            badge.setStyleSheet("color:#ffffff; background:#b3261e; padding:2px 8px;")
            self.statusBar().insertPermanentWidget(0, badge)
        self._imaging_max_age_days = get_settings(ctx.db).imaging_max_age_days
        self.model = CaseTableModel(ctx.db, self)
        self.table.attach_model(self.model)
        self.model.sig_counts_changed.connect(self._update_counts)
        self._fill_meeting_filter()
        self.model.reload()
        self._watch_for_changes()
        self.attached = True
        self._set_usable(True)
        if self.model.rowCount() > 0:
            self.table.selectRow(0)

    def show_frame_message(self, text: str) -> None:
        """What the empty frame is waiting for (the database, a sign-in)."""
        self._status.setText(text)

    def _set_usable(self, usable: bool) -> None:
        """Until the database is open, nothing that needs it can be triggered."""
        self.filter_toolbar.setEnabled(usable)
        for action in self._actions.needing_a_database():
            action.setEnabled(usable)
        self.tabs.setTabEnabled(1, usable)

    def _build_actions(self) -> MainActions:
        """The menus, each action connected to its slot and kept as ``act_*``."""
        a = MainActions(self, lambda: "agenda" if self.tabs.currentIndex() == 1 else "worklist")
        a.new_referral.triggered.connect(self.new_referral)
        a.edit_referral.triggered.connect(self._edit_selected)
        a.import_referrals.triggered.connect(self.import_referrals)
        a.letter.triggered.connect(self.export_letter)
        a.letter_gp.triggered.connect(lambda: self.export_case_document("letter_gp"))
        a.outcome_form.triggered.connect(lambda: self.export_case_document("outcome"))
        a.export_csv.triggered.connect(self.export_worklist)
        a.sign_out.triggered.connect(self.sign_out)
        a.quit.triggered.connect(self.close)
        a.refresh.triggered.connect(self.reload)
        a.find.triggered.connect(lambda: self.show_worklist(self.filter_toolbar.focus_search))
        a.go_to_list.triggered.connect(lambda: self.show_worklist(self.table.setFocus))
        a.worklist.triggered.connect(lambda: self.show_worklist(self.table.setFocus))
        a.meetings.triggered.connect(self.show_meetings)
        a.new_meeting.triggered.connect(lambda: self.show_meetings().new_meeting())
        a.start_meeting.triggered.connect(lambda: self.show_meetings().start_meeting())
        a.agenda_pdf.triggered.connect(lambda: self.show_meetings().export_pdf("agenda"))
        a.summary_pdf.triggered.connect(lambda: self.show_meetings().export_pdf("summary"))
        a.audit.triggered.connect(self.show_audit)
        a.members.triggered.connect(self.manage_members)
        a.followup.triggered.connect(self.show_followup)
        a.metrics.triggered.connect(self.show_metrics)
        a.about.triggered.connect(self.show_about)
        self.act_new_referral = a.new_referral
        self.act_edit_referral = a.edit_referral
        self.act_import = a.import_referrals
        self.act_letter = a.letter
        self.act_followup = a.followup
        self.act_metrics = a.metrics
        self.act_letter_gp = a.letter_gp
        self.act_outcome_form = a.outcome_form
        self.act_export_csv = a.export_csv
        self.act_sign_out = a.sign_out
        self.act_quit = a.quit
        self.act_refresh = a.refresh
        self.act_find = a.find
        self.act_list = a.go_to_list
        self.act_audit = a.audit
        self.act_members = a.members
        self.act_about = a.about
        self.act_help = a.help
        return a

    # --- behaviour -----------------------------------------------------------
    def _on_tab_changed(self, index: int) -> None:
        if index == 1 and self.meetings_page is None:
            # Built on first use: keeps the first paint of the worklist fast.
            from mdtboard.ui.meetings_page import MeetingsPage

            page = MeetingsPage(self.ctx, self)
            page.sig_agenda_changed.connect(lambda _m: self.reload())
            page.sig_meeting_mode_requested.connect(self.open_meeting_mode)
            self.meetings_page = page
            self.tabs.blockSignals(True)
            self.tabs.removeTab(1)
            self.tabs.insertTab(1, page, MEETINGS_TAB)
            self.tabs.setCurrentIndex(1)
            self.tabs.blockSignals(False)

    def open_meeting_mode(self, meeting_id: int) -> QMainWindow | None:
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.meeting import MeetingModeWindow

        try:
            window = MeetingModeWindow(self.ctx, meeting_id, self).start()
        except ServiceError as exc:
            QMessageBox.warning(self, "Meeting mode", str(exc))
            return None
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.sig_closed.connect(self.reload)
        self.meeting_window = window
        window.show()
        return window

    def show_worklist(self, then: Callable[[], object]) -> None:
        self.tabs.setCurrentIndex(0)
        then()

    def show_meetings(self) -> MeetingsPage:
        self.tabs.setCurrentIndex(1)
        assert self.meetings_page is not None
        return self.meetings_page

    def new_referral(self) -> ReferralDialog:
        return self._open_referral(None)

    def _edit_selected(self) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.edit_case(case_id)

    def edit_case(self, case_id: int) -> ReferralDialog:
        return self._open_referral(case_id)

    def _open_referral(self, case_id: int | None) -> ReferralDialog:
        """Open the referral form without blocking; the list refreshes when it is saved."""
        from mdtboard.ui.referral_dialog import ReferralDialog

        dialog = ReferralDialog(self.ctx, case_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        install_help(dialog, "referrals")  # once per window: a second install keeps the first

        def saved() -> None:
            case = dialog.result_case
            if case is not None:
                self.reload()
                self.table.select_case(case.id)
                self.statusBar().showMessage(f"Referral {case.id} saved", 5000)

        dialog.accepted.connect(saved)
        self.referral_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def import_referrals(self, path: str | None = None) -> object:
        """File → Import referrals…: the import wizard (docs/import-format.md); nothing
        is written before its preview is accepted."""
        from mdtboard.ui.import_flow import ImportFlow

        if self.importer is None:
            self.importer = ImportFlow(self, self.ctx)
            self.importer.sig_imported.connect(lambda _report: self.reload())
        return self.importer.start(path)

    def export_worklist(self, path: str | None = None) -> object:
        """The current view as CSV, in the background with progress (permission
        ``export``, audited; the file dialog asked before an existing file is replaced)."""
        from mdtboard.services import exports
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.workers import run_in_background

        path = path if path is not None else prompts.ask_worklist_csv(self)
        if not path:
            return None
        out, query = Path(path), self.model.query
        try:  # refused before any work: no permission, or a path that is an input
            exports.check_export_allowed(self.ctx)
            exports.check_output(self.ctx.db.target.sqlite_path, out, replace=True)
        except ServiceError as exc:
            QMessageBox.warning(self, "Export worklist", str(exc))
            return None

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return exports.export_worklist(
                self.ctx, query, out, replace=True, progress=progress, cancelled=cancelled
            )

        bg = run_in_background(self, job, "Exporting the worklist…")
        bg.sig_finished.connect(
            lambda r: self.statusBar().showMessage(f"Exported {r.rows} cases to {out}", 5000)
        )
        bg.sig_failed.connect(self._export_failed)
        self.export_job = bg
        return bg

    def export_letter(self, path: str | None = None) -> object:
        return self.export_case_document("letter", path)

    def export_case_document(self, document: str, path: str | None = None) -> object:
        """The letter ("letter"), its GP copy ("letter_gp") or the outcome record
        ("outcome") of the selected case."""
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.exporting import CASE_DOCUMENTS, export_case_document

        case_id = self.selected_case_id()
        if case_id is None:
            QMessageBox.information(
                self,
                CASE_DOCUMENTS[document][0],
                "Select a case in the list first: this document is for one case.",
            )
            return None
        try:
            self.last_export = export_case_document(
                self, self.ctx, case_id, document, Path(path) if path else None
            )
        except ServiceError as exc:
            QMessageBox.warning(self, "Not allowed", str(exc))
            return None
        return self.last_export

    def _fill_meeting_filter(self) -> None:
        """The meetings to filter by, keeping the one chosen (new meetings appear)."""
        from mdtboard.services import meetings

        self.filter_toolbar.set_meetings(meetings.list_meetings(self.ctx.db))

    def reload(self) -> None:
        """Data changed (or F5): recount and reload the current view, keeping the
        selected case selected."""
        current = self.selected_case_id()
        self._totals = None
        self._fill_meeting_filter()
        self.model.reload()
        if current is not None:
            self.table.select_case(current)

    def _watch_for_changes(self) -> None:
        """Other workstations' changes appear within a second (PostgreSQL LISTEN/NOTIFY;
        on SQLite, a poll of the database's change counter)."""
        from mdtboard.store.changes import ChangeWatcher

        self.change_watcher = ChangeWatcher(self.ctx.db)
        self._change_timer.start()

    def _poll_changes(self) -> None:
        if not self.change_watcher.changed():
            return
        self.reload()
        if self.meetings_page is not None and self.meetings_page.isVisible():
            self.meetings_page.refresh()
        self.sig_data_changed.emit()

    def sign_out(self) -> None:
        """Record the sign-out and close; the app then asks who signs in next."""
        from mdtboard.services import auth

        if not self.close_other_windows():
            return  # a form with unsaved changes asked, and the user stayed
        auth.record_sign_out(self.ctx)
        self.signed_out = True
        self.close()

    def _export_failed(self, exc: object) -> None:
        from mdtboard.services.errors import AccountChanged

        if not isinstance(exc, AccountChanged):  # that one ends the session, and says so
            QMessageBox.warning(self, "Export worklist", str(exc))

    def account_changed(self, problem: str) -> None:
        """The signed-in account was disabled or re-roled (a service found it during an
        action, maybe on a worker thread): the session ends on the GUI thread as soon as
        the refused action has returned."""
        self.sig_account_changed.emit(problem)

    def _end_session_once(self, problem: str) -> None:
        if not self._ending:
            self._ending = True
            self.end_session(problem)

    def end_session(self, problem: str) -> None:
        """Close every window of the session without saving (the account may no longer
        save), say why, and go back to the sign-in."""
        from PySide6.QtWidgets import QApplication

        for w in QApplication.topLevelWidgets():
            if w is not self and w.isVisible():
                w.hide()
                w.deleteLater()
        QMessageBox.warning(self, "Session ended", f"{problem}. Sign in again.")
        self.signed_out = True
        self.close()

    def close_other_windows(self) -> bool:
        """Close the session's other windows (meeting mode saves its draft, forms ask
        about unsaved changes): nothing of this user stays open after sign-out or quit."""
        from PySide6.QtWidgets import QApplication

        for w in QApplication.topLevelWidgets():
            if w is not self and w.isVisible() and not w.close():
                return False
        return True

    def show_audit(self) -> None:
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.audit_viewer import AuditViewer

        try:
            viewer = AuditViewer(self.ctx, self)
        except ServiceError as exc:
            QMessageBox.warning(self, "Not allowed", str(exc))
            return
        self.audit_viewer = viewer
        viewer.show()

    def show_followup(self) -> object:
        from mdtboard.ui.followup_window import FollowUpWindow

        window = FollowUpWindow(self.ctx, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.followup_window = window
        window.show()
        return window

    def show_metrics(self) -> object:
        """Meetings → Metrics…: the dashboard (its charting library loads only now)."""
        from mdtboard.ui.metrics_window import MetricsWindow

        window = MetricsWindow(self.ctx, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.metrics_window = window
        window.show()
        return window

    def manage_members(self) -> None:
        from mdtboard.ui.members_dialog import MembersDialog

        MembersDialog(self.ctx, self).exec()

    def apply_filters(self) -> None:
        self.filter_toolbar.cancel_pending_search()
        if not self.attached:
            return
        filters = self.filter_toolbar.filters()
        self.model.set_query(filters.applied_to(self.model.query, self._imaging_max_age_days))

    def refresh_totals(self) -> None:
        """Whole-database counts for the status bar (not per keystroke: they do not
        depend on the filter)."""
        from mdtboard.services import worklist

        self._totals = worklist.status_counts(self.ctx.db)

    def _update_counts(self, shown: int, total: int) -> None:
        if self._totals is None:
            self.refresh_totals()
        self._status.show_counts(shown, total, self._totals or {})

    def selected_case_id(self) -> int | None:
        return self.table.selected_case_id()

    def show_about(self) -> None:
        prompts.show_about(self, self.ctx.db.target.display if self.attached else "(opening)")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_other_windows():
            event.ignore()
            return
        self._change_timer.stop()  # geometry and columns are kept as they change (remember)
        if self.attached:
            self.change_watcher.close()
            self.table.save_header()
        super().closeEvent(event)
