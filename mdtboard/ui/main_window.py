"""The main window: worklist, search and filters, menus, status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QToolBar,
    QWidget,
)

from mdtboard import __version__
from mdtboard.domain.vocab import ReferralStatus, Urgency
from mdtboard.ui.case_columns import CASE_ID_ROLE, COLUMN_WIDTHS, COLUMNS

if TYPE_CHECKING:
    from mdtboard.services.context import ServiceContext
    from mdtboard.services.importer import ImportReport
    from mdtboard.store.changes import ChangeWatcher
    from mdtboard.ui.case_model import CaseTableModel
    from mdtboard.ui.meetings_page import MeetingsPage
    from mdtboard.ui.referral_dialog import ReferralDialog
    from mdtboard.ui.workers import BackgroundJob

SEARCH_DELAY_MS = 150
CHANGE_POLL_MS = 500


class MainWindow(QMainWindow):
    """Worklist window. ``sig_case_activated(referral_id)`` when a case is opened.

    Built in two steps so the window can paint before the database layer is loaded:
    the constructor makes the frame (menus, filters, an empty list with its columns);
    :meth:`attach` connects it to a database and fills the list. ``MainWindow(ctx)``
    does both at once.
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
        self.table = QTableView(self)
        self.table.setObjectName("caseTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Case list")
        self._placeholder = QStandardItemModel(0, len(COLUMNS), self)
        self._placeholder.setHorizontalHeaderLabels([label for _k, label in COLUMNS])
        self.table.setModel(self._placeholder)
        self._configure_columns()
        self.table.activated.connect(self._on_activated)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.table, "&Worklist")
        self.meetings_page: MeetingsPage | None = None
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self.tabs.addTab(QWidget(self), "M&eetings and agendas")
        self.sig_case_activated.connect(self.edit_case)

        self._build_toolbar()
        self._build_menus()
        self._status = QLabel("Opening the database…", self)
        self.statusBar().addPermanentWidget(self._status)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._change_timer = QTimer(self)
        self._change_timer.setInterval(CHANGE_POLL_MS)
        self._change_timer.timeout.connect(self._poll_changes)

        self._restore_geometry()
        self._set_usable(False)
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: ServiceContext) -> None:
        """Connect the frame to a database: load the first page of the list, the
        meetings to filter by and the counts, and start watching for changes."""
        from mdtboard.services.settings import get_settings
        from mdtboard.ui.case_model import CaseTableModel

        assert not self.attached, "a window is attached to one database"
        self.ctx = ctx
        self.setWindowTitle(f"mdtboard — {ctx.db.target.display}")
        self._imaging_max_age_days = get_settings(ctx.db).imaging_max_age_days
        self.model = CaseTableModel(ctx.db, self)
        self.table.setSortingEnabled(False)  # set the indicator first, then enable (no double load)
        self.table.setModel(self.model)
        self._placeholder.deleteLater()
        self._configure_columns()
        self._restore_header()
        self.table.setSortingEnabled(True)
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

    def _configure_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setSortIndicator(
            [k for k, _ in COLUMNS].index("received"), Qt.SortOrder.DescendingOrder
        )
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(col, width)

    def _set_usable(self, usable: bool) -> None:
        """Until the database is open, nothing that needs it can be triggered."""
        self.filter_toolbar.setEnabled(usable)
        for menu in self._menus:
            for action in menu.actions():
                if action not in (self.act_quit, self.act_about):
                    action.setEnabled(usable)
        self.tabs.setTabEnabled(1, usable)

    # --- construction ------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Search and filters", self)
        bar.setObjectName("filterToolbar")
        bar.setMovable(False)
        self.search = QLineEdit(bar)
        self.search.setObjectName("searchField")
        self.search.setPlaceholderText("Search name, MRN, histology, level, referrer  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        bar.addWidget(QLabel(" Find: ", bar))
        bar.addWidget(self.search)

        self.status_filter = QComboBox(bar)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("All statuses", ())
        self.status_filter.addItem(
            "Open (not closed)",
            tuple(s.value for s in ReferralStatus if s != ReferralStatus.CLOSED),
        )
        for s in ReferralStatus:
            self.status_filter.addItem(s.label, (s.value,))
        self.status_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        bar.addWidget(QLabel("  Status: ", bar))
        bar.addWidget(self.status_filter)

        self.urgency_filter = QComboBox(bar)
        self.urgency_filter.setObjectName("urgencyFilter")
        self.urgency_filter.setAccessibleName("Urgency filter")
        self.urgency_filter.addItem("All urgencies", ())
        for u in Urgency:
            self.urgency_filter.addItem(u.label, (u.value,))
        self.urgency_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        bar.addWidget(QLabel("  Urgency: ", bar))
        bar.addWidget(self.urgency_filter)

        self.readiness_filter = QComboBox(bar)
        self.readiness_filter.setObjectName("readinessFilter")
        self.readiness_filter.setAccessibleName("Readiness filter")
        self.readiness_filter.addItem("Any readiness", ())
        self.readiness_filter.addItem("Ready", ("green",))
        self.readiness_filter.addItem("Nearly ready", ("amber",))
        self.readiness_filter.addItem("Not ready", ("red",))
        self.readiness_filter.addItem("Not ready or nearly", ("amber", "red"))
        self.readiness_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        bar.addWidget(QLabel("  Readiness: ", bar))
        bar.addWidget(self.readiness_filter)

        self.meeting_filter = QComboBox(bar)
        self.meeting_filter.setObjectName("meetingFilter")
        self.meeting_filter.setAccessibleName("Meeting filter")
        self.meeting_filter.setMaximumWidth(240)
        self.meeting_filter.addItem("Any meeting", None)
        self.meeting_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        bar.addWidget(QLabel("  Meeting: ", bar))
        bar.addWidget(self.meeting_filter)
        self.addToolBar(bar)
        self.filter_toolbar = bar

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.act_new_referral = QAction("&New referral…", self)
        self.act_new_referral.setShortcut(QKeySequence.StandardKey.New)
        self.act_new_referral.triggered.connect(self.new_referral)
        file_menu.addAction(self.act_new_referral)
        self.act_edit_referral = QAction("&Edit selected referral…", self)
        self.act_edit_referral.setShortcut(QKeySequence("Ctrl+E"))
        self.act_edit_referral.triggered.connect(self._edit_selected)
        file_menu.addAction(self.act_edit_referral)
        file_menu.addSeparator()
        self.act_import = QAction("&Import referrals (CSV)…", self)
        self.act_import.setShortcut(QKeySequence("Ctrl+I"))
        self.act_import.triggered.connect(self.import_referrals)
        file_menu.addAction(self.act_import)
        self.act_letter = QAction("Outcome &letter for selected case (PDF)…", self)
        self.act_letter.triggered.connect(self.export_letter)
        file_menu.addAction(self.act_letter)
        self.act_export_csv = QAction("Export worklist as &CSV…", self)
        self.act_export_csv.triggered.connect(self.export_worklist)
        file_menu.addAction(self.act_export_csv)
        file_menu.addSeparator()
        self.act_sign_out = QAction("Sign &out", self)
        self.act_sign_out.triggered.connect(self.sign_out)
        file_menu.addAction(self.act_sign_out)
        self.act_quit = QAction("&Quit", self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        file_menu.addAction(self.act_quit)

        view_menu = self.menuBar().addMenu("&View")
        self.act_refresh = QAction("&Refresh", self)
        self.act_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.act_refresh.triggered.connect(self.reload)
        view_menu.addAction(self.act_refresh)
        self.act_find = QAction("&Find…", self)
        self.act_find.setShortcut(QKeySequence.StandardKey.Find)
        self.act_find.triggered.connect(self._focus_search)
        view_menu.addAction(self.act_find)
        self.act_list = QAction("Go to case &list", self)
        self.act_list.setShortcut(QKeySequence("Ctrl+L"))
        self.act_list.triggered.connect(lambda: self.table.setFocus())
        view_menu.addAction(self.act_list)

        self.act_audit = QAction("&Audit trail…", self)
        self.act_audit.triggered.connect(self.show_audit)
        view_menu.addAction(self.act_audit)
        self.act_members = QAction("MDT &members…", self)
        self.act_members.triggered.connect(self.manage_members)
        view_menu.addAction(self.act_members)

        help_menu = self.menuBar().addMenu("&Help")
        self.act_about = QAction("&About mdtboard", self)
        self.act_about.triggered.connect(self.show_about)
        help_menu.addAction(self.act_about)
        self._menus = (file_menu, view_menu, help_menu)

        toolbar = self.filter_toolbar
        toolbar.addSeparator()
        toolbar.addAction(self.act_refresh)

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
            self.tabs.insertTab(1, page, "M&eetings and agendas")
            self.tabs.setCurrentIndex(1)
            self.tabs.blockSignals(False)

    def open_meeting_mode(self, meeting_id: int) -> QMainWindow | None:
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.meeting_mode import MeetingModeWindow

        try:
            window = MeetingModeWindow(self.ctx, meeting_id, self)
        except ServiceError as exc:
            QMessageBox.warning(self, "Meeting mode", str(exc))
            return None
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.sig_closed.connect(self.reload)
        self.meeting_window = window
        window.show()
        return window

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

        def saved() -> None:
            case = dialog.result_case
            if case is not None:
                self.reload()
                self._select_case(case.id)
                self.statusBar().showMessage(f"Referral {case.id} saved", 5000)

        dialog.accepted.connect(saved)
        self.referral_dialog = dialog
        dialog.open()
        dialog.activateWindow()
        return dialog

    def import_referrals(
        self, path: str | None = None, *, allow_same_file: bool = False
    ) -> BackgroundJob | None:
        """Validate a CSV off the GUI thread; nothing is written if any row is invalid."""
        from mdtboard.services.importer import import_referrals
        from mdtboard.ui.workers import run_in_background

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import referrals", "", "CSV files (*.csv);;All files (*)"
            )
            if not path:
                return None
        source = Path(path)

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return import_referrals(
                self.ctx,
                source,
                allow_same_file=allow_same_file,
                progress=progress,
                cancelled=cancelled,
            )

        bg = run_in_background(self, job, "Importing referrals…")
        bg.sig_finished.connect(self._import_done)
        bg.sig_failed.connect(lambda exc: self._import_failed(exc, source))
        self.import_job = bg
        return bg

    def _import_done(self, report: ImportReport) -> None:
        self.reload()
        self.last_import = report
        QMessageBox.information(
            self,
            "Import finished",
            f"Imported {report.imported} referrals ({report.new_patients} new patients).",
        )

    def _import_failed(self, exc: object, source: Path) -> None:
        from mdtboard.services.importer import AlreadyImported, ImportInvalid

        self.last_import_error = exc
        if isinstance(exc, AlreadyImported):
            again = QMessageBox.question(
                self,
                "File imported before",
                f"{exc}\n\nImport it again anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if again == QMessageBox.StandardButton.Yes:
                self.import_referrals(str(source), allow_same_file=True)
            return
        if isinstance(exc, ImportInvalid):
            errors = exc.report.errors
            shown = "\n".join(str(e) for e in errors[:30])
            more = f"\n… and {len(errors) - 30} more" if len(errors) > 30 else ""
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Nothing imported",
                f"{len(errors)} problem(s) in {source.name}; nothing was written.",
                QMessageBox.StandardButton.Close,
                self,
            )
            box.setDetailedText(shown + more)
            valid = box.addButton("Import the valid rows only", QMessageBox.ButtonRole.AcceptRole)
            self.import_error_box = box
            box.exec()
            if box.clickedButton() is valid:
                self._import_valid_only(source)
            return
        QMessageBox.warning(self, "Import failed", str(exc))

    def _import_valid_only(self, source: Path) -> None:
        from mdtboard.services.importer import import_referrals
        from mdtboard.ui.workers import run_in_background

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> object:
            return import_referrals(
                self.ctx, source, valid_rows_only=True, progress=progress, cancelled=cancelled
            )

        bg = run_in_background(self, job, "Importing valid rows…")
        bg.sig_finished.connect(self._import_done)
        bg.sig_failed.connect(lambda exc: QMessageBox.warning(self, "Import failed", str(exc)))
        self.import_job = bg

    def export_worklist(self, path: str | None = None) -> object:
        """The current view as CSV, in the background with progress (permission
        ``export``, audited; the file dialog asked before an existing file is replaced)."""
        from mdtboard.services import exports
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.workers import run_in_background

        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export worklist", "worklist.csv", "CSV files (*.csv)"
            )
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
        from mdtboard.services.errors import ServiceError
        from mdtboard.ui.exporting import export_letter

        case_id = self.selected_case_id()
        if case_id is None:
            return None
        try:
            self.last_export = export_letter(self, self.ctx, case_id, Path(path) if path else None)
        except ServiceError as exc:
            QMessageBox.warning(self, "Not allowed", str(exc))
            return None
        return self.last_export

    def _fill_meeting_filter(self) -> None:
        """The meetings to filter by, keeping the one chosen (new meetings appear)."""
        from mdtboard.services import meetings

        chosen = self.meeting_filter.currentData()
        was = self.meeting_filter.blockSignals(True)
        try:
            self.meeting_filter.clear()
            self.meeting_filter.addItem("Any meeting", None)
            for m in meetings.list_meetings(self.ctx.db):
                day = f"{m.starts_at.astimezone():%d %b %Y}"
                label = m.title if day in m.title else f"{day} — {m.title}"
                self.meeting_filter.addItem(label, m.id)
            self.meeting_filter.setCurrentIndex(max(0, self.meeting_filter.findData(chosen)))
        finally:
            self.meeting_filter.blockSignals(was)

    def reload(self) -> None:
        """Data changed (or F5): recount and reload the current view, keeping the
        selected case selected."""
        current = self.selected_case_id()
        self._totals = None
        self._fill_meeting_filter()
        self.model.reload()
        if current is not None:
            self._select_case(current)

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

    def manage_members(self) -> None:
        from mdtboard.ui.members_dialog import MembersDialog

        MembersDialog(self.ctx, self).exec()

    def _select_case(self, case_id: int) -> None:
        row = self.model.row_of_case(case_id)
        if row >= 0:
            self.table.selectRow(row)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def apply_filters(self) -> None:
        self._search_timer.stop()
        if not self.attached:
            return
        query = replace(
            self.model.query,
            search=self.search.text().strip(),
            statuses=tuple(self.status_filter.currentData() or ()),
            urgencies=tuple(self.urgency_filter.currentData() or ()),
            readiness=tuple(self.readiness_filter.currentData() or ()),
            meeting_id=self.meeting_filter.currentData(),
            imaging_max_age_days=self._imaging_max_age_days,
        )
        self.model.set_query(query)

    def refresh_totals(self) -> None:
        """Whole-database counts for the status bar (not per keystroke: they do not
        depend on the filter)."""
        from mdtboard.services import worklist

        self._totals = worklist.status_counts(self.ctx.db)

    def _update_counts(self, shown: int, total: int) -> None:
        if self._totals is None:
            self.refresh_totals()
        counts = self._totals or {}
        all_cases = sum(v for k, v in counts.items() if k != "mscc_open")
        mscc = counts.get("mscc_open", 0)
        text = f"{total} of {all_cases} cases match"
        if shown < total:
            text += f" ({shown} loaded)"
        text += f"   ·   MSCC open: {mscc}"
        self._status.setText(text)

    def selected_case_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = self.model.data(index, CASE_ID_ROLE)
        return int(value) if value is not None else None

    def _on_activated(self, index: object) -> None:
        case_id = self.selected_case_id()
        if case_id is not None:
            self.sig_case_activated.emit(case_id)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About mdtboard",
            f"<h3>mdtboard {__version__}</h3>"
            "<p>Case manager for spine-oncology multidisciplinary tumour boards.</p>"
            "<p><b>Decision support only.</b> mdtboard records what the MDT decided and why; "
            "it never orders treatment.</p>"
            f"<p>Database: {self.ctx.db.target.display if self.attached else '(opening)'}</p>",
        )

    # --- persistence of UI state ---------------------------------------------
    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)

    def _restore_header(self) -> None:
        state = QSettings().value("main/header")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.table.horizontalHeader().restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_other_windows():
            event.ignore()
            return
        self._change_timer.stop()
        settings = QSettings()
        settings.setValue("main/geometry", self.saveGeometry())
        if self.attached:
            self.change_watcher.close()
            settings.setValue("main/header", self.table.horizontalHeader().saveState())
        super().closeEvent(event)
