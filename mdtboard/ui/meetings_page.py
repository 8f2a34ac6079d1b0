"""Meetings and agenda builder: create meetings, list ready cases, reorder, relist."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.vocab import AgendaStatus, MeetingStatus, ReferralStatus
from mdtboard.services import meetings, members, readiness, worklist
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.meetings import AgendaEntry, MeetingSummary
from mdtboard.services.settings import get_settings, is_demo
from mdtboard.services.worklist import CaseQuery
from mdtboard.ui.agenda_model import ID_ROLE, AgendaTableModel, MeetingTableModel
from mdtboard.ui.case_model import CaseTableModel
from mdtboard.ui.date_fields import DateTimeField, format_date, format_datetime
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.flow_layout import FlowLayout
from mdtboard.ui.help import install_help
from mdtboard.ui.remember import keep_geometry, keep_splitter
from mdtboard.ui.table_base import row_table

#: the most cases "Add all ready" lists in one step
MAX_BULK = 500
_NEW = (ReferralStatus.NEW.value, ReferralStatus.READY.value)
#: the candidates offered, by group (deferred and undiscussed ones are offered for
#: relisting below the list); emergencies come first in each
CANDIDATE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("New and discussed before", (*_NEW, ReferralStatus.DISCUSSED.value)),
    ("New referrals", _NEW),
    ("Discussed before", (ReferralStatus.DISCUSSED.value,)),
)


class MeetingDialog(QDialog):
    """New meeting, or a weekly series of meetings."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New meeting" + (f" — {DEMO_TITLE}" if is_demo(ctx.db) else ""))
        self.ctx = ctx
        self.created: list[MeetingSummary] = []
        form = QFormLayout(self)
        self.title = QLineEdit("Spine oncology MDT", self)
        self.title.setAccessibleName("Title")
        form.addRow("Title *", self.title)
        self.starts_at = DateTimeField(self)  # one Tab leaves it; Alt+Down, a calendar
        self.starts_at.setObjectName("meetingStartsAt")
        start = datetime.combine(date.today() + timedelta(days=7), time(8, 0)).astimezone()
        self.starts_at.set_datetime_value(start)
        self.starts_at.setAccessibleName("Date and time")
        form.addRow("Date and time *", self.starts_at)
        self.location = QLineEdit(self)
        self.location.setAccessibleName("Location")
        form.addRow("Location", self.location)
        self.video_link = QLineEdit(self)
        self.video_link.setAccessibleName("Video link")
        form.addRow("Video link", self.video_link)
        self.chair = QComboBox(self)
        self.chair.setAccessibleName("Chair")
        self.chair.addItem("(none)", None)
        for m in members.list_members(ctx.db):
            self.chair.addItem(f"{m.name} — {m.role_label}", m.id)
        form.addRow("Chair", self.chair)
        self.weeks = QSpinBox(self)
        self.weeks.setRange(1, 52)
        self.weeks.setAccessibleName("Number of weekly meetings")
        form.addRow("Weekly meetings", self.weeks)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b3261e;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        keep_geometry(self, "meetingDialog/geometry", (520, 330))
        install_help(self, "agenda")
        self._apply_defaults(meetings.next_free_slot(ctx.db))
        self.starts_at.textChanged.connect(lambda _t: self._date_changed())

    def _apply_defaults(self, d: meetings.MeetingDefaults | None) -> None:
        """The next free slot of the series, with its date in the title."""
        if d is None:
            self._auto_title = ""
            return
        self.starts_at.set_datetime_value(d.starts_at)
        self.title.setText(d.title)
        self._auto_title = d.title
        self.location.setText(d.location)
        self.video_link.setText(d.video_link)
        self.chair.setCurrentIndex(max(0, self.chair.findData(d.chair_id)))

    def _date_changed(self) -> None:
        """A title still as proposed follows the date."""
        when = self.starts_at.datetime_value()
        if when is not None and self._auto_title and self.title.text() == self._auto_title:
            self._auto_title = meetings.dated_title(self._auto_title, when)
            self.title.setText(self._auto_title)

    def save(self) -> None:
        when = self.starts_at.datetime_value()
        if when is None:
            self.error.setText(
                self.starts_at.problem("Date and time")
                if self.starts_at.is_invalid()
                else "Date and time: a meeting needs one."
            )
            self.starts_at.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        same = meetings.clashes(self.ctx.db, when, self.location.text())
        if same:
            answer = QMessageBox.question(
                self,
                "Another meeting at this time and place",
                f"{same[0].title} is already at {format_datetime(when, weekday=True)}"
                + (f" in {same[0].location}" if same[0].location else "")
                + ". Create a second meeting there?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            if self.weeks.value() > 1:
                self.created = meetings.create_weekly_series(
                    self.ctx,
                    title=self.title.text(),
                    first_starts_at=when,
                    weeks=self.weeks.value(),
                    location=self.location.text(),
                    video_link=self.video_link.text(),
                    chair_id=self.chair.currentData(),
                )
            else:
                self.created = [
                    meetings.create_meeting(
                        self.ctx,
                        title=self.title.text(),
                        starts_at=when,
                        location=self.location.text(),
                        video_link=self.video_link.text(),
                        chair_id=self.chair.currentData(),
                    )
                ]
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class MeetingsPage(QWidget):
    """``sig_meeting_mode_requested(meeting_id)`` when the user starts a meeting."""

    sig_meeting_mode_requested = Signal(int)
    sig_agenda_changed = Signal(int)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        layout.addWidget(splitter)

        left = QWidget(splitter)
        lv = QVBoxLayout(left)
        lv.addWidget(QLabel("<b>Meetings</b>", left))
        self.meeting_model = MeetingTableModel(self)
        self.meeting_view = row_table(
            left,
            self.meeting_model,
            "meetingTable",
            "Meetings",
            (170, 260),
            remember="meetings/meetingsHeader",
        )
        lv.addWidget(self.meeting_view)
        row = FlowLayout()  # the buttons wrap in a narrow window (an 800-pixel screen)
        self.new_meeting_btn = QPushButton("&New meeting…", left)
        self.new_meeting_btn.clicked.connect(self.new_meeting)
        row.addWidget(self.new_meeting_btn)
        self.start_btn = QPushButton("&Start meeting mode", left)
        self.start_btn.clicked.connect(self.start_meeting)
        row.addWidget(self.start_btn)
        self.agenda_pdf_btn = QPushButton("Agenda &PDF…", left)
        self.agenda_pdf_btn.clicked.connect(lambda: self.export_pdf("agenda"))
        row.addWidget(self.agenda_pdf_btn)
        self.summary_pdf_btn = QPushButton("Out&come summary PDF…", left)
        self.summary_pdf_btn.clicked.connect(lambda: self.export_pdf("summary"))
        row.addWidget(self.summary_pdf_btn)
        self.protocols_btn = QPushButton("Standard-of-care protocols…", left)
        self.protocols_btn.setToolTip("The agreed protocols a case can be listed under")
        self.protocols_btn.clicked.connect(self.manage_protocols)
        row.addWidget(self.protocols_btn)
        lv.addLayout(row)

        right = QWidget(splitter)
        rv = QVBoxLayout(right)
        self.agenda_title = QLabel("<b>Agenda</b>", right)
        self.agenda_title.setWordWrap(True)
        rv.addWidget(self.agenda_title)
        self.agenda_model = AgendaTableModel(self._persist_order, self)
        self.agenda_view = row_table(
            right,
            self.agenda_model,
            "agendaTable",
            "Agenda",
            (30, 200, 110, 120, 200, 90, 260, 90),
            remember="meetings/agendaHeader",
        )
        self.agenda_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.agenda_view.setDragEnabled(True)
        self.agenda_view.setAcceptDrops(True)
        self.agenda_view.setDropIndicatorShown(True)
        self.agenda_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.agenda_view.setWordWrap(False)
        rv.addWidget(self.agenda_view, 3)

        buttons = FlowLayout()
        self.up_btn = self._button("Move &up", "Alt+Up", lambda: self.move_selected(-1), buttons)
        self.down_btn = self._button(
            "Move d&own", "Alt+Down", lambda: self.move_selected(1), buttons
        )
        self.emergencies_btn = self._button(
            "Emer&gencies first", None, self.emergencies_first, buttons
        )
        self.remove_btn = self._button("&Remove", "Del", self.remove_selected, buttons)
        self.defer_btn = self._button("&Defer…", None, self.defer_selected, buttons)
        self.withdraw_btn = self._button("W&ithdraw…", None, self.withdraw_selected, buttons)
        self.soc_btn = self._button(
            "Standard of care…", "Ctrl+K", lambda: self.list_selected_under_protocol(), buttons
        )
        rv.addLayout(buttons)

        cand_row = FlowLayout()
        cand_row.addWidget(QLabel("<b>Cases to list</b>", right))
        self.ready_only = QCheckBox("Ready cases only", right)
        self.ready_only.setChecked(False)
        cand_row.addWidget(self.ready_only)
        self.candidate_group = QComboBox(right)
        self.candidate_group.setObjectName("candidateGroup")
        self.candidate_group.setAccessibleName("Which cases to offer")
        for label, statuses in CANDIDATE_GROUPS:
            self.candidate_group.addItem(label, statuses)
        cand_row.addWidget(self.candidate_group)
        self.add_btn = QPushButton("&Add to agenda", right)
        self.add_btn.clicked.connect(self.add_selected_candidate)
        cand_row.addWidget(self.add_btn)
        self.add_ready_btn = QPushButton("Add all read&y", right)
        self.add_ready_btn.setObjectName("addAllReady")
        self.add_ready_btn.clicked.connect(self.add_all_ready)
        cand_row.addWidget(self.add_ready_btn)
        rv.addLayout(cand_row)
        self.candidates = CaseTableModel(ctx.db, self)
        self.candidate_view = row_table(
            right,
            self.candidates,
            "candidateTable",
            "Cases to list",
            (200, 110, 45, 220, 90, 120, 80, 110, 120),
            remember="meetings/candidatesHeader",
        )
        self.candidate_view.setWordWrap(False)
        self.candidate_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.candidate_view.activated.connect(lambda _i: self.add_selected_candidate())
        rv.addWidget(self.candidate_view, 2)

        relist_row = QHBoxLayout()
        relist_row.addWidget(
            QLabel("<b>Deferred or undiscussed — offered for relisting</b>", right)
        )
        relist_row.addStretch(1)
        self.relist_btn = QPushButton("Re&list here", right)
        self.relist_btn.clicked.connect(self.relist_selected)
        relist_row.addWidget(self.relist_btn)
        rv.addLayout(relist_row)
        self.relist_list = QComboBox(right)
        self.relist_list.setObjectName("relistList")
        self.relist_list.setAccessibleName("Cases offered for relisting")
        rv.addWidget(self.relist_list)
        splitter.setSizes([420, 900])
        keep_splitter(splitter, "meetings/splitter")

        self.meeting_view.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._show_agenda()
        )
        self.ready_only.toggled.connect(lambda _c: self._load_candidates())
        self.candidate_group.currentIndexChanged.connect(lambda _i: self._load_candidates())
        self.refresh()

    def _button(self, text: str, shortcut: str | None, slot: object, row: QLayout) -> QPushButton:
        btn = QPushButton(text, self)
        btn.clicked.connect(slot)
        if shortcut:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.agenda_view.addAction(act)
            btn.setToolTip(shortcut)
        row.addWidget(btn)
        return btn

    # --- data ------------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        current = select_id or self.current_meeting_id()
        rows = meetings.list_meetings(self.ctx.db)
        self.meeting_model.set_rows(rows)
        if current is None:
            now = datetime.now(UTC)
            upcoming = [m for m in rows if m.starts_at > now - timedelta(hours=12)]
            current = upcoming[0].id if upcoming else (rows[-1].id if rows else None)
        if current is not None:
            row = self.meeting_model.row_of(current)
            if row >= 0:
                self.meeting_view.selectionModel().setCurrentIndex(
                    self.meeting_model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
        self._show_agenda()
        self._load_relist()

    def current_meeting_id(self) -> int | None:
        index = self.meeting_view.currentIndex()
        if not index.isValid():
            return None
        value = self.meeting_model.data(index, ID_ROLE)
        return int(value) if value is not None else None

    def current_meeting(self) -> MeetingSummary | None:
        return self.meeting_model.row_at(self.meeting_view.currentIndex().row())

    def _show_agenda(self) -> None:
        meeting = self.current_meeting()
        if meeting is None:
            self.agenda_model.set_entries([])
            self.agenda_title.setText("<b>Agenda</b>")
            return
        entries = meetings.agenda(self.ctx.db, meeting.id)
        ready = readiness.readiness_for(self.ctx.db, [e.referral_id for e in entries])
        self.agenda_model.editable = meeting.status != MeetingStatus.CLOSED
        self.agenda_model.set_entries(entries, ready)
        when = format_datetime(meeting.starts_at, weekday=True)
        self.agenda_title.setText(
            f"<b>Agenda — {meeting.title}</b> ({when}, {len(entries)} cases"
            f"{', closed' if meeting.status == MeetingStatus.CLOSED else ''})"
        )
        for w in (
            self.up_btn,
            self.down_btn,
            self.emergencies_btn,
            self.remove_btn,
            self.defer_btn,
            self.withdraw_btn,
            self.add_btn,
            self.relist_btn,
        ):
            w.setEnabled(self.agenda_model.editable)
        self._load_candidates()

    def _load_candidates(self) -> None:
        """Open cases not on an agenda now; "ready only" is the live traffic light. The
        selection keeps its place, so after a case is listed the next one takes it
        (Enter lists it in turn)."""
        row = self.candidate_view.currentIndex().row()
        self.candidates.set_query(self._candidate_query())
        if row >= 0 and self.candidates.rowCount():
            self.candidate_view.setCurrentIndex(
                self.candidates.index(min(row, self.candidates.rowCount() - 1), 1)
            )

    def _candidate_query(self) -> CaseQuery:
        return CaseQuery(
            statuses=tuple(self.candidate_group.currentData() or CANDIDATE_GROUPS[0][1]),
            readiness=("green",) if self.ready_only.isChecked() else (),
            imaging_max_age_days=get_settings(self.ctx.db).imaging_max_age_days,
            sort="urgency",
            descending=False,
        )

    def _load_relist(self) -> None:
        self.relist_list.clear()
        for c in meetings.relist_candidates(self.ctx.db):
            when = format_date(c.meeting_at)
            self.relist_list.addItem(
                f"{c.patient_name} — {c.status} at {when}: {c.reason}", c.agenda_item_id
            )

    def _persist_order(self, ids: list[int]) -> list[AgendaEntry]:
        meeting_id = self.current_meeting_id()
        assert meeting_id is not None
        try:
            fresh = meetings.reorder(self.ctx, meeting_id, ids)
        except ServiceError as exc:
            QMessageBox.warning(self, "Agenda not reordered", str(exc))
            return meetings.agenda(self.ctx.db, meeting_id)
        self.sig_agenda_changed.emit(meeting_id)
        return fresh

    # --- actions -----------------------------------------------------------------
    def selected_entry(self) -> AgendaEntry | None:
        return self.agenda_model.row_at(self.agenda_view.currentIndex().row())

    def _select_agenda_row(self, row: int) -> None:
        if 0 <= row < self.agenda_model.rowCount():
            self.agenda_view.selectionModel().setCurrentIndex(
                self.agenda_model.index(row, 1),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def move_selected(self, delta: int) -> None:
        row = self.agenda_view.currentIndex().row()
        if row < 0 or not self.agenda_model.editable:
            return
        self._select_agenda_row(self.agenda_model.move_row(row, delta))

    def emergencies_first(self) -> None:
        meeting_id = self.current_meeting_id()
        if meeting_id is None:
            return
        self._run(lambda: meetings.sort_emergencies_first(self.ctx, meeting_id))

    def remove_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self._run(lambda: meetings.remove_from_agenda(self.ctx, entry.id))

    def _ask_reason(self, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, prompt)
        if not ok:
            return None
        if not text.strip():
            QMessageBox.warning(self, title, "A reason is required.")
            return None
        return text.strip()

    def defer_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        reason = self._ask_reason("Defer case", f"Why is {entry.patient_name} deferred?")
        if reason is not None:
            self._run(
                lambda: meetings.set_item_status(self.ctx, entry.id, AgendaStatus.DEFERRED, reason)
            )

    def withdraw_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        reason = self._ask_reason("Withdraw case", f"Why is {entry.patient_name} withdrawn?")
        if reason is not None:
            self._run(
                lambda: meetings.set_item_status(self.ctx, entry.id, AgendaStatus.WITHDRAWN, reason)
            )

    def manage_protocols(self) -> QDialog:
        from mdtboard.ui.protocols_dialog import ProtocolsDialog

        dialog = ProtocolsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.protocols_dialog = dialog
        dialog.open()
        return dialog

    def list_selected_under_protocol(self, choice: str | None = None) -> None:
        """List the selected case as standard of care under a protocol, or back for a
        full discussion (``choice``: the item's text, for tests and scripts)."""
        from mdtboard.services import protocols

        entry = self.selected_entry()
        if entry is None:
            return
        current = protocols.list_protocols(self.ctx.db)
        full = "Full discussion (no protocol)"
        labels = [full, *(p.label for p in current)]
        if choice is None:
            if not current:
                QMessageBox.information(
                    self,
                    "Standard of care",
                    "No standard-of-care protocol is recorded yet: an administrator adds "
                    "them under Standard-of-care protocols….",
                )
                return
            start = next(
                (n for n, p in enumerate(current, start=1) if p.id == entry.protocol_id), 0
            )
            choice, ok = QInputDialog.getItem(
                self,
                "Standard of care",
                f"List {entry.patient_name} for:",
                labels,
                start,
                False,
            )
            if not ok:
                return
        chosen = next((p.id for p in current if p.label == choice), None)
        if choice != full and chosen is None:
            QMessageBox.warning(self, "Standard of care", f"No current protocol {choice!r}.")
            return
        self._run(lambda: protocols.list_under_protocol(self.ctx, entry.id, chosen))

    def add_selected_candidate(self) -> None:
        """List every selected candidate (Shift/Ctrl+click, Shift+arrows, Ctrl+A) in one
        step; one question names those that are not ready, and why."""
        view = self.candidate_view
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()})
        if not rows and view.currentIndex().isValid():
            rows = [view.currentIndex().row()]
        picked = [c for c in (self.candidates.row_at(r) for r in rows) if c is not None]
        self._add_cases([(c.referral_id, c.patient_name) for c in picked])

    def add_all_ready(self) -> None:
        """Every candidate whose readiness light is green now, in one step."""
        query = replace(self._candidate_query(), readiness=("green",))
        ready = worklist.fetch_cases(self.ctx.db, query, 0, MAX_BULK)
        self._add_cases([(c.referral_id, c.patient_name) for c in ready])

    def _add_cases(self, cases: list[tuple[int, str]]) -> None:
        meeting_id = self.current_meeting_id()
        if meeting_id is None or not cases:
            return
        states = readiness.readiness_for(self.ctx.db, [rid for rid, _ in cases])
        not_ready = [(rid, name) for rid, name in cases if not states[rid].ready]
        ids = [rid for rid, _ in cases]
        if not_ready:
            lines = "\n".join(
                f"• {name} ({states[rid].light.label}): "
                + "; ".join(r.message for r in states[rid].reasons)
                for rid, name in not_ready[:15]
            )
            more = f"\n… and {len(not_ready) - 15} more" if len(not_ready) > 15 else ""
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Cases not ready",
                f"{len(not_ready)} of the {len(cases)} cases are not ready:\n\n{lines}{more}",
                QMessageBox.StandardButton.Cancel,
                self,
            )
            all_btn = box.addButton(f"List all {len(cases)}", QMessageBox.ButtonRole.AcceptRole)
            ready_btn = None
            if len(not_ready) < len(cases):
                ready_btn = box.addButton(
                    f"Only the {len(cases) - len(not_ready)} ready",
                    QMessageBox.ButtonRole.ActionRole,
                )
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is ready_btn and ready_btn is not None:
                ids = [rid for rid in ids if states[rid].ready]
            elif box.clickedButton() is not all_btn:
                return
        self._run(lambda: meetings.list_cases(self.ctx, meeting_id, ids))

    def relist_selected(self) -> None:
        meeting_id = self.current_meeting_id()
        item_id = self.relist_list.currentData()
        if meeting_id is None or item_id is None:
            return
        self._run(lambda: meetings.relist(self.ctx, int(item_id), meeting_id))

    def new_meeting(self) -> None:
        dialog = MeetingDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created:
            self.refresh(select_id=dialog.created[0].id)

    def export_pdf(self, document: str, path: Path | None = None) -> object:
        from mdtboard.ui.exporting import export_meeting

        meeting_id = self.current_meeting_id()
        if meeting_id is None:
            return None
        try:
            self.last_export = export_meeting(self, self.ctx, meeting_id, document, path)
        except ServiceError as exc:
            QMessageBox.warning(self, "Not allowed", str(exc))
            return None
        return self.last_export

    def start_meeting(self) -> None:
        """Meeting mode for the meeting selected in the list."""
        meeting_id = self.current_meeting_id()
        if meeting_id is not None:
            self.sig_meeting_mode_requested.emit(meeting_id)

    def _run(self, action: object) -> None:
        meeting_id = self.current_meeting_id()
        entry = self.selected_entry()
        try:
            action()  # type: ignore[operator]
        except ServiceError as exc:
            QMessageBox.warning(self, "Not done", str(exc))
            return
        self.refresh(select_id=meeting_id)
        if entry is not None:
            ids = [e.id for e in self.agenda_model.rows()]
            if entry.id in ids:
                self._select_agenda_row(ids.index(entry.id))
        if meeting_id is not None:
            self.sig_agenda_changed.emit(meeting_id)
