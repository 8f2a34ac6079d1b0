"""Meeting mode: the chair walks the team through each case and signs off the plan.

Steps: Summary → Histology and biopsy → Scores → NOMS → Options → Consensus
→ Actions → Sign-off, with free navigation. Drafts autosave; a signed-off
decision is read-only and corrected only by an amendment.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import histology, noms, staging, treatments
from mdtboard.domain.mscc import duration_text
from mdtboard.domain.scores import (
    TOOLS,
    answers_from_histology,
    relevant_tools,
    sins_location_for_levels,
)
from mdtboard.domain.vocab import AgendaStatus, AttendanceStatus, Intent, Role, Urgency
from mdtboard.services import decisions, meetings, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import (
    ActionInput,
    AttendanceView,
    DecisionInput,
    DecisionView,
    ModalityInput,
)
from mdtboard.services.errors import ServiceError, ValidationError
from mdtboard.services.meetings import AgendaEntry
from mdtboard.services.pathway import PathwayStatus, pathway_of
from mdtboard.services.summaries import CaseReport
from mdtboard.ui.agenda_model import AgendaTableModel
from mdtboard.ui.modality_editor import ModalityEditor
from mdtboard.ui.primary_pathway import PrimaryPathwayPage, lesions_of
from mdtboard.ui.score_form import ScoreForm
from mdtboard.ui.table_base import RowsTableModel, row_table

ModelIndex = QModelIndex | QPersistentModelIndex

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
BIOPSY_ROUTES = (
    ("", "— not decided —"),
    ("ct_guided_percutaneous", "CT-guided percutaneous needle biopsy"),
    ("open", "Open biopsy"),
    ("deferred_after_mdt", "Deferred after MDT discussion (rationale required)"),
)
SHORTCUTS = (
    ("Ctrl+PgDown / Ctrl+PgUp", "Next / previous case"),
    ("Alt+Right / Alt+Left", "Next / previous step"),
    ("Ctrl+1 … Ctrl+8", "Go to step"),
    ("Ctrl+S", "Save draft now (drafts also autosave)"),
    ("Ctrl+Return", "Sign off (chair)"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo within the case"),
    ("Ctrl+D", "Defer case (with reason)"),
    ("F11", "Presentation mode (second screen)"),
    ("Ctrl+Shift+A", "Attendance"),
    ("F1", "This list"),
)


_EMERGENCY_STYLE = "background:#fde2e1; color:#8a1111; border:2px solid #b3261e; padding:6px;"
#: the 1-week pathway (known cancer, spinal pain, no neurology): urgent, not an emergency
_PATHWAY_STYLE = "background:#fff3d6; color:#6b4400; border:2px solid #b36b00; padding:6px;"


def _yes_no(value: object) -> bool | None:
    """A combo's "yes"/"no"/"" as True/False/None."""
    return None if not value else value == "yes"


def mscc_banner_html(status: PathwayStatus) -> str:
    """The banner's text: what is suspected, each clock, dexamethasone, the prompts."""
    title = (
        "<b>SUSPECTED MSCC — EMERGENCY</b>"
        if status.suspected_mscc
        else "<b>Spinal pain with known cancer — 1-week pathway</b>"
    )
    since = datetime.now(UTC) - status.suspected_at
    start = (
        "referral (suspicion time not recorded)"
        if status.suspicion_from_referral
        else ("suspected diagnosis")
    )
    parts = [f"{duration_text(since)} since the {start}", *status.clock_lines()]
    info = status.mri_to_plan_line()
    if info:
        parts.append(info)
    if status.dexamethasone_started_at is not None:
        parts.append("dexamethasone started")
    elif status.dexamethasone_omitted_reason:
        parts.append(f"dexamethasone not given: {status.dexamethasone_omitted_reason}")
    elif status.neurology:
        parts.append("dexamethasone NOT recorded")
    body = " · ".join(html.escape(p) for p in parts)
    problems = f" · <b>{html.escape('; '.join(status.problems))}</b>" if status.problems else ""
    prompts = html.escape(" · ".join(status.prompts))
    return f"{title} — {body}{problems}<br><small>{prompts}</small>"


@dataclass(frozen=True)
class CaseState:
    """Everything the chair can change for one case: undo snapshots hold these."""

    decision: DecisionInput
    scores: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    fit_for_surgery: str
    #: the primary-tumour staging records, one a lesion (§12)
    staging: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()


class SnapshotCommand(QUndoCommand):
    def __init__(self, old: CaseState, new: CaseState, apply: Callable[[CaseState], None]) -> None:
        super().__init__("Edit case")
        self.old, self.new, self._apply = old, new, apply
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class ActionsModel(RowsTableModel[ActionInput]):
    HEADERS = ("Action", "Owner", "Due (YYYY-MM-DD)", "Done")
    sig_edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ActionInput] = []
        self.read_only = False

    def actions(self) -> tuple[ActionInput, ...]:
        return tuple(self._rows)

    def add(self, action: ActionInput) -> None:
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(action)
        self.endInsertRows()
        self.sig_edited.emit()

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.sig_edited.emit()

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        a = self._rows[index.row()]
        values = (
            a.description,
            a.owner,
            a.due_date.isoformat() if a.due_date else "",
            "yes" if a.done_at else "",
        )
        return values[index.column()]

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.read_only:
            return False
        a = self._rows[index.row()]
        text = str(value).strip()
        col = index.column()
        if col == 0:
            a = replace(a, description=text)
        elif col == 1:
            a = replace(a, owner=text)
        elif col == 2:
            try:
                a = replace(a, due_date=date.fromisoformat(text) if text else None)
            except ValueError:
                return False
        else:
            done = text.lower() in ("yes", "y", "1", "true", "done")
            a = replace(
                a,
                done_at=datetime.now(UTC)
                if done and not a.done_at
                else (a.done_at if done else None),
            )
        self._rows[index.row()] = a
        self.dataChanged.emit(index, index)
        self.sig_edited.emit()
        return True


class AttendanceDialog(QDialog):
    """Who is present: a row per member with a status choice; quorum shown live."""

    def __init__(self, ctx: ServiceContext, meeting_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.meeting_id = ctx, meeting_id
        self.setWindowTitle("Attendance")
        layout = QVBoxLayout(self)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        self.combos: dict[int, QComboBox] = {}
        for a in decisions.attendance(ctx.db, meeting_id):
            self._add_row(a)
        guest_row = QHBoxLayout()
        self.guest_name = QLineEdit(self)
        self.guest_name.setObjectName("guestName")
        self.guest_name.setPlaceholderText("Guest's name (not on the team list)")
        self.guest_name.setAccessibleName("Guest's name")
        self.guest_role = QComboBox(self)
        self.guest_role.setObjectName("guestRole")
        self.guest_role.setAccessibleName("Guest's role")
        for r in Role:
            self.guest_role.addItem(r.label, r.value)
        self.guest_role.setCurrentIndex(self.guest_role.findData(Role.OTHER.value))
        self.add_guest_btn = QPushButton("Add &guest", self)
        self.add_guest_btn.clicked.connect(self.add_guest)
        self.guest_name.returnPressed.connect(self.add_guest)
        for w in (self.guest_name, self.guest_role, self.add_guest_btn):
            guest_row.addWidget(w)
        layout.addLayout(guest_row)
        self.quorum_label = QLabel(self)
        layout.addWidget(self.quorum_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.accept)
        layout.addWidget(buttons)
        self._show_quorum()

    def _add_row(self, a: AttendanceView) -> None:
        row = self.grid.rowCount()
        self.grid.addWidget(QLabel(f"{a.name}", self), row, 0)
        self.grid.addWidget(QLabel(Role(a.role).label, self), row, 1)
        combo = QComboBox(self)
        combo.setAccessibleName(f"Attendance of {a.name}")
        for st in AttendanceStatus:
            # a guest is someone from outside the team list (Add guest); team members
            # are present or not, so the quorum they make is clear
            if st != AttendanceStatus.GUEST or a.status == AttendanceStatus.GUEST.value:
                combo.addItem(st.label, st.value)
        combo.setCurrentIndex(combo.findData(a.status))
        combo.currentIndexChanged.connect(lambda _i, m=a.member_id: self._set(m))
        self.combos[a.member_id] = combo
        self.grid.addWidget(combo, row, 2)

    def add_guest(self) -> None:
        """A guest for this meeting only: shown in the list, not counted for quorum."""
        try:
            guest = decisions.add_guest(
                self.ctx,
                self.meeting_id,
                self.guest_name.text(),
                str(self.guest_role.currentData()),
            )
        except ServiceError as exc:
            self.quorum_label.setText(f"Guest not added: {exc}")
            return
        self._add_row(guest)
        self.guest_name.clear()
        self._show_quorum()

    def _set(self, member_id: int) -> None:
        status = AttendanceStatus(self.combos[member_id].currentData())
        try:
            decisions.set_attendance(self.ctx, self.meeting_id, member_id, status)
        except ServiceError as exc:
            self.quorum_label.setText(f"Not saved: {exc}")
            return
        self._show_quorum()

    def _show_quorum(self) -> None:
        self.quorum_label.setText(decisions.quorum(self.ctx.db, self.meeting_id).text())


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
        self.setWindowTitle(f"Meeting mode — {self.meeting.title}")
        self.setObjectName("MeetingModeWindow")
        self.case: CaseReport | None = None
        self.entry: AgendaEntry | None = None
        self.decision: DecisionView | None = None
        self.amending = False
        self._loading = False
        self._dirty = False
        self.last_save_error = ""
        self._dirty_scores: set[str] = set()
        self._assessment_ids: dict[str, tuple[int, int]] = {}
        #: staging records (primary tumours), by lesion: stored id and version, and edits
        self._staging_ids: dict[str, tuple[int, int]] = {}
        self._dirty_staging: set[str] = set()
        self.undo_stack = QUndoStack(self)
        self._last_state: CaseState | None = None
        self.presentation: Any = None

        self._mscc_tick = QTimer(self)  # the banner's clocks move on while the case is open
        self._mscc_tick.setInterval(60_000)
        self._mscc_tick.timeout.connect(lambda: self._show_mscc(self.case))
        self._mscc_tick.start()
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.setSingleShot(True)
        self._snapshot_timer.setInterval(400)
        self._snapshot_timer.timeout.connect(self._push_snapshot)

        decisions.start_meeting(ctx, meeting_id)
        self._build()
        self._build_actions()
        self.reload_agenda()
        if self.agenda_model.rowCount():
            self.open_case(0)
        self.resize(1360, 860)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        self.quorum_banner = QLabel(central)
        self.quorum_banner.setObjectName("quorumBanner")
        self.quorum_banner.setAccessibleName("Quorum")
        outer.addWidget(self.quorum_banner)
        self.mscc_banner = QLabel(central)
        self.mscc_banner.setObjectName("msccBanner")
        self.mscc_banner.setWordWrap(True)
        self.mscc_banner.setStyleSheet(_EMERGENCY_STYLE)
        self.mscc_banner.hide()
        outer.addWidget(self.mscc_banner)

        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        outer.addWidget(splitter, 1)
        self.agenda_model = AgendaTableModel(None, self)
        self.agenda_model.editable = False
        self.agenda_view = row_table(
            splitter, self.agenda_model, "meetingAgenda", "Cases on the agenda", (28, 170)
        )
        for col in range(3, 8):
            self.agenda_view.hideColumn(col)
        self.agenda_view.clicked.connect(lambda index: self.open_case(index.row()))
        self.agenda_view.activated.connect(lambda index: self.open_case(index.row()))

        right = QWidget(splitter)
        rv = QVBoxLayout(right)
        self.case_title = QLabel(right)
        self.case_title.setObjectName("caseTitle")
        self.case_title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        rv.addWidget(self.case_title)
        stepper = QHBoxLayout()
        self.step_buttons = QButtonGroup(self)
        self.step_buttons.setExclusive(True)
        for i, (_key, label) in enumerate(STEPS):
            btn = QToolButton(right)
            btn.setText(label)
            btn.setCheckable(True)
            btn.setAccessibleName(f"Step {label}")
            btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.step_buttons.addButton(btn, i)
            stepper.addWidget(btn)
        stepper.addStretch(1)
        self.step_buttons.idClicked.connect(self.go_to_step)
        rv.addLayout(stepper)
        self.stack = QStackedWidget(right)
        rv.addWidget(self.stack, 1)
        self.status_line = QLabel(right)
        self.status_line.setObjectName("caseStatusLine")
        rv.addWidget(self.status_line)
        splitter.setSizes([300, 1060])
        self.setCentralWidget(central)

        self._build_summary_page()
        self._build_histology_page()
        self._build_scores_page()
        self._build_noms_page()
        self._build_options_page()
        self._build_consensus_page()
        self._build_actions_page()
        self._build_signoff_page()

    @staticmethod
    def _top_form(page: QWidget) -> QFormLayout:
        """A form that keeps its rows at their natural height, at the top of the page."""
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        return form

    def _scroll(self, widget: QWidget) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setWidget(widget)
        return area

    def _build_summary_page(self) -> None:
        self.summary_view = QTextBrowser(self)
        self.summary_view.setObjectName("summaryView")
        self.summary_view.setAccessibleName("Case summary")
        self.stack.addWidget(self.summary_view)

    def _build_histology_page(self) -> None:
        page = QWidget(self)
        form = self._top_form(page)
        self.histology_label = QLabel(page)
        self.histology_label.setWordWrap(True)
        form.addRow("Histology", self.histology_label)
        self.pathology_label = QLabel(page)
        form.addRow("Pathology", self.pathology_label)
        self.biopsy_route = QComboBox(page)
        self.biopsy_route.setObjectName("biopsyRoute")
        self.biopsy_route.setAccessibleName("Biopsy route")
        for key, label in BIOPSY_ROUTES:
            self.biopsy_route.addItem(label, key)
        self.biopsy_route.currentIndexChanged.connect(lambda _i: self._biopsy_changed())
        form.addRow("Biopsy decision", self.biopsy_route)
        self.biopsy_rationale = QPlainTextEdit(page)
        self.biopsy_rationale.setObjectName("biopsyRationale")
        self.biopsy_rationale.setAccessibleName("MDT rationale for deferring biopsy")
        self.biopsy_rationale.setTabChangesFocus(True)
        self.biopsy_rationale.setUndoRedoEnabled(False)
        self.biopsy_rationale.setFixedHeight(70)
        self.biopsy_rationale.textChanged.connect(self._biopsy_changed)
        form.addRow("MDT rationale (deferral)", self.biopsy_rationale)
        note = QLabel(
            "Biopsy may be deferred only after MDT discussion, when the primary is known and "
            "imaging is typical of metastasis; the rationale is recorded with the decision.",
            page,
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.stack.addWidget(self._scroll(page))

    def _build_scores_page(self) -> None:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        top = QHBoxLayout()
        self.scores_hint = QLabel("The scores suggested for this case type. Add another:", page)
        top.addWidget(self.scores_hint)
        self.add_tool_combo = QComboBox(page)
        self.add_tool_combo.setObjectName("addScoreTool")
        self.add_tool_combo.setAccessibleName("Score to add")
        top.addWidget(self.add_tool_combo)
        self.add_tool_btn = QPushButton("Add &score", page)
        self.add_tool_btn.clicked.connect(
            lambda: self.add_score_tool(str(self.add_tool_combo.currentData() or ""))
        )
        top.addWidget(self.add_tool_btn)
        top.addStretch(1)
        outer.addLayout(top)
        self.scores_layout = QGridLayout()
        outer.addLayout(self.scores_layout, 1)
        self.score_forms: dict[str, ScoreForm] = {}
        self._form_pool: dict[str, ScoreForm] = {}
        self._history_cache: dict[int, list[Any]] = {}
        self.stack.addWidget(self._scroll(page))

    def add_score_tool(self, tool_id: str) -> None:
        """Any tool of the engine can be scored for this case, not only the suggested ones."""
        if not tool_id or tool_id in self.score_forms or tool_id not in TOOLS:
            return
        self._lay_out_forms([*self.score_forms, tool_id])
        form = self.score_forms[tool_id]
        form.set_answers({})
        form.setEnabled(self.add_tool_btn.isEnabled())
        first = form.input_for(TOOLS[tool_id].items[0].key)
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_tool_choice(self) -> None:
        shown = tuple(self.score_forms)
        if getattr(self, "_offered_beside", None) == shown:
            return  # the same forms as the last case: the same choice (keeps switching quick)
        self._offered_beside = shown
        self.add_tool_combo.clear()
        for tool_id, tool in TOOLS.items():
            if tool_id != "noms" and tool_id not in self.score_forms:
                self.add_tool_combo.addItem(tool.label, tool_id)
        self.add_tool_combo.setEnabled(self.add_tool_combo.count() > 0)

    def _lay_out_forms(self, tools: list[str]) -> None:
        """Place the forms of these tools, two a row (forms are built once and reused)."""
        if list(self.score_forms) != tools:
            for form in self.score_forms.values():
                self.scores_layout.removeWidget(form)
                form.hide()
            self.score_forms = {}
            for n, tool_id in enumerate(tools):
                if tool_id not in self._form_pool:
                    made = ScoreForm(tool_id, self)
                    made.sig_answers_changed.connect(self._score_edited)
                    self._form_pool[tool_id] = made
                form = self._form_pool[tool_id]
                self.score_forms[tool_id] = form
                self.scores_layout.addWidget(form, n // 2, n % 2, Qt.AlignmentFlag.AlignTop)
                form.show()
            for row in range(self.scores_layout.rowCount()):
                self.scores_layout.setRowStretch(row, 0)
            self.scores_layout.setRowStretch((len(tools) + 1) // 2, 1)
        self._fill_tool_choice()

    def _build_noms_page(self) -> None:
        """Step 4: NOMS for a metastasis, the primary-tumour pathway for a primary (§9.4)."""
        self.step4 = QStackedWidget(self)
        self.step4.setObjectName("step4")
        page = QWidget(self.step4)
        v = QVBoxLayout(page)
        banner = QLabel(
            "<b>NOMS — decision support for the MDT.</b> The MDT decides; "
            "this suggestion only summarises the framework's inputs.",
            page,
        )
        banner.setWordWrap(True)
        v.addWidget(banner)
        row = QHBoxLayout()
        row.addWidget(QLabel("Systemic: fit for surgery?", page))
        self.fitness = QComboBox(page)
        self.fitness.setObjectName("fitForSurgery")
        self.fitness.setAccessibleName("Fit for surgery")
        for key, label in (
            ("", "— not assessed —"),
            ("fit", "Fit for surgery"),
            ("not_fit", "Not fit for surgery"),
        ):
            self.fitness.addItem(label, key)
        self.fitness.currentIndexChanged.connect(lambda _i: self._content_edited())
        row.addWidget(self.fitness)
        row.addStretch(1)
        v.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("Oncologic:", page))
        self.oncologic = QComboBox(page)
        self.oncologic.setObjectName("nomsOncologic")
        self.oncologic.setAccessibleName("Oncologic: radiosensitivity chosen by the MDT")
        for key, label in (
            ("", "— from the histology —"),
            ("radiosensitive", "Radiosensitive (MDT's choice)"),
            ("radioresistant", "Radioresistant (MDT's choice)"),
        ):
            self.oncologic.addItem(label, key)
        self.oncologic.currentIndexChanged.connect(lambda _i: self._content_edited())
        row2.addWidget(self.oncologic)
        row2.addWidget(QLabel("Axial mechanical pain without deformity:", page))
        self.mechanical_pain = QComboBox(page)
        self.mechanical_pain.setObjectName("nomsMechanicalPain")
        self.mechanical_pain.setAccessibleName("Axial mechanical pain without deformity")
        for key, label in (("", "— from the SINS answers —"), ("yes", "Yes"), ("no", "No")):
            self.mechanical_pain.addItem(label, key)
        self.mechanical_pain.currentIndexChanged.connect(lambda _i: self._content_edited())
        row2.addWidget(self.mechanical_pain)
        row2.addStretch(1)
        v.addLayout(row2)
        self.noms_view = QTextBrowser(page)
        self.noms_view.setObjectName("nomsView")
        self.noms_html = ""
        self.noms_view.setAccessibleName("NOMS suggestion")
        v.addWidget(self.noms_view, 1)
        self.step4.addWidget(page)
        self.pathway_page = PrimaryPathwayPage(self.step4)
        self.pathway_page.setObjectName("primaryPathway")
        self.pathway_page.sig_changed.connect(self._staging_edited)
        self.step4.addWidget(self._scroll(self.pathway_page))
        self.stack.addWidget(self.step4)

    def _build_options_page(self) -> None:
        self.modality_editor = ModalityEditor(self)
        self.modality_editor.sig_changed.connect(self._content_edited)
        self.stack.addWidget(self._scroll(self.modality_editor))

    def _text(self, name: str, label: str, height: int = 80) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setTabChangesFocus(True)
        edit.setUndoRedoEnabled(False)
        edit.setFixedHeight(height)
        edit.textChanged.connect(self._content_edited)
        return edit

    def _build_consensus_page(self) -> None:
        page = QWidget(self)
        form = self._top_form(page)
        self.plan_text = self._text("planText", "Consensus plan", 110)
        fill = QPushButton("&Fill from options", page)
        fill.setObjectName("fillPlan")
        fill.clicked.connect(self.fill_plan_from_options)
        self.fill_plan_btn = fill
        plan_box = QWidget(page)
        pl = QVBoxLayout(plan_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.plan_text)
        pl.addWidget(fill, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Consensus plan *", plan_box)
        self.rationale = self._text("rationale", "Rationale")
        form.addRow("Rationale", self.rationale)
        self.dissent = self._text("dissent", "Dissent", 60)
        form.addRow("Dissent", self.dissent)
        self.dissent_by = QLineEdit(page)
        self.dissent_by.setObjectName("dissentBy")
        self.dissent_by.setAccessibleName("Who dissented")
        self.dissent_by.textEdited.connect(lambda _t: self._content_edited())
        form.addRow("Who dissented", self.dissent_by)
        self.preferences = self._text("preferences", "Patient preferences", 60)
        form.addRow("Patient preferences", self.preferences)
        self.informed = QCheckBox("The patient has been informed of the discussion", page)
        self.informed.setObjectName("patientInformed")
        self.informed.toggled.connect(lambda _c: self._content_edited())
        form.addRow(self.informed)
        self.trial = QLineEdit(page)
        self.trial.setObjectName("clinicalTrial")
        self.trial.setAccessibleName("Clinical trial")
        self.trial.textEdited.connect(lambda _t: self._content_edited())
        form.addRow("Clinical trial (identifier)", self.trial)
        self.stack.addWidget(self._scroll(page))

    def _build_actions_page(self) -> None:
        page = QWidget(self)
        v = QVBoxLayout(page)
        self.actions_model = ActionsModel(self)
        self.actions_model.sig_edited.connect(self._content_edited)
        self.actions_view = QTableView(page)
        self.actions_view.setObjectName("actionsTable")
        self.actions_view.setAccessibleName("Actions")
        self.actions_view.setModel(self.actions_model)
        self.actions_view.horizontalHeader().setStretchLastSection(True)
        self.actions_view.setColumnWidth(0, 380)
        self.actions_view.setColumnWidth(1, 220)
        self.actions_view.setColumnWidth(2, 140)
        v.addWidget(self.actions_view, 1)
        row = QHBoxLayout()
        self.action_text = QLineEdit(page)
        self.action_text.setObjectName("newActionText")
        self.action_text.setPlaceholderText("New action, e.g. Book SBRT planning CT")
        self.action_text.setAccessibleName("New action")
        row.addWidget(self.action_text, 3)
        self.action_owner = QComboBox(page)
        self.action_owner.setObjectName("newActionOwner")
        self.action_owner.setEditable(True)
        self.action_owner.setAccessibleName("Owner of the new action")
        row.addWidget(self.action_owner, 2)
        self.action_due = QLineEdit(page)
        self.action_due.setObjectName("newActionDue")
        self.action_due.setPlaceholderText("Due YYYY-MM-DD")
        self.action_due.setAccessibleName("Due date of the new action")
        row.addWidget(self.action_due, 1)
        self.add_action_btn = QPushButton("Add a&ction", page)
        self.add_action_btn.setObjectName("addAction")
        self.add_action_btn.clicked.connect(self.add_action_from_inputs)
        self.action_text.returnPressed.connect(self.add_action_from_inputs)
        row.addWidget(self.add_action_btn)
        remove = QPushButton("Remove", page)
        remove.clicked.connect(
            lambda: self.actions_model.remove(self.actions_view.currentIndex().row())
        )
        row.addWidget(remove)
        v.addLayout(row)
        self.action_error = QLabel(page)
        self.action_error.setStyleSheet("color:#b3261e;")
        v.addWidget(self.action_error)
        self.stack.addWidget(page)

    def _build_signoff_page(self) -> None:
        page = QWidget(self)
        v = QVBoxLayout(page)
        self.signoff_status = QTextBrowser(page)
        self.signoff_status.setObjectName("signoffStatus")
        self.signoff_status.setAccessibleName("Sign-off status and versions")
        v.addWidget(self.signoff_status, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chair:", page))
        self.chair_name = QLineEdit(self.meeting.chair, page)
        self.chair_name.setObjectName("chairName")
        self.chair_name.setAccessibleName("Chair signing off")
        row.addWidget(self.chair_name, 1)
        self.signoff_btn = QPushButton("&Sign off decision", page)
        self.signoff_btn.setObjectName("signOff")
        self.signoff_btn.clicked.connect(self.sign_off)
        row.addWidget(self.signoff_btn)
        self.amend_btn = QPushButton("A&mend…", page)
        self.amend_btn.setObjectName("amend")
        self.amend_btn.clicked.connect(self.start_amendment)
        row.addWidget(self.amend_btn)
        self.save_amend_btn = QPushButton("Save a&mendment", page)
        self.save_amend_btn.setObjectName("saveAmendment")
        self.save_amend_btn.clicked.connect(self.save_amendment)
        row.addWidget(self.save_amend_btn)
        v.addLayout(row)
        self.stack.addWidget(page)

    def _build_actions(self) -> None:
        bar = QToolBar("Meeting", self)
        bar.setObjectName("meetingToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)

        def act(
            text: str, keys: list[str], slot: Callable[[], Any], on_bar: bool = True
        ) -> QAction:
            a = QAction(text, self)
            a.setShortcuts([QKeySequence(k) for k in keys])
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.triggered.connect(slot)
            self.addAction(a)
            if on_bar:
                bar.addAction(a)
            return a

        self.act_prev_case = act("◀ Previous case", ["Ctrl+PgUp"], lambda: self.step_case(-1))
        self.act_next_case = act("Next case ▶", ["Ctrl+PgDown"], lambda: self.step_case(1))
        bar.addSeparator()
        self.act_prev_step = act(
            "Previous step",
            ["Alt+Left"],
            lambda: self.go_to_step(self.stack.currentIndex() - 1),
            False,
        )
        self.act_next_step = act(
            "Next step",
            ["Alt+Right"],
            lambda: self.go_to_step(self.stack.currentIndex() + 1),
            False,
        )
        for i in range(len(STEPS)):
            act(
                f"Step {i + 1}",
                [f"Ctrl+{i + 1}"],
                partial(self.go_to_step, i),
                False,
            )
        self.act_save = act("Save", ["Ctrl+S"], self.save_now)
        self.act_sign = act("Sign off", ["Ctrl+Return", "Ctrl+Enter"], self.sign_off)
        self.act_defer = act(
            "Defer…", ["Ctrl+D"], lambda: self.set_case_status(AgendaStatus.DEFERRED)
        )
        self.act_withdraw = act(
            "Withdraw…", [], lambda: self.set_case_status(AgendaStatus.WITHDRAWN)
        )
        bar.addSeparator()
        self.act_attendance = act("Attendance…", ["Ctrl+Shift+A"], self.edit_attendance)
        self.act_present = act("Presentation mode", ["F11"], self.toggle_presentation)
        self.act_close_meeting = act("Close meeting…", [], self.close_meeting)
        self.act_help = act("Shortcuts", ["F1"], self.show_shortcuts)
        undo = self.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")]
        )
        for a in (undo, redo):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
        self.act_undo, self.act_redo = undo, redo

    # ------------------------------------------------------------ navigation
    def reload_agenda(self) -> None:
        row = self.agenda_view.currentIndex().row()
        entries = meetings.agenda(self.ctx.db, self.meeting_id)
        self.agenda_model.set_entries(entries)
        # every listed patient's earlier discussions at once, not a query per case opened
        self._history_cache = dict(
            meetings.patient_histories(self.ctx.db, [e.patient_id for e in entries])
        )
        if row >= 0 and row < self.agenda_model.rowCount():
            self.agenda_view.selectRow(row)
        self._show_quorum()
        owners = [a.name for a in decisions.attendance(self.ctx.db, self.meeting_id)]
        current = self.action_owner.currentText()
        self.action_owner.clear()
        self.action_owner.addItems(owners)
        self.action_owner.setCurrentText(current or (owners[0] if owners else ""))

    def _show_quorum(self) -> None:
        q = decisions.quorum(self.ctx.db, self.meeting_id)
        colour = "#1b7f3b" if q.quorate else "#b3261e"
        self.quorum_banner.setText(
            f"<span style='color:{colour}; font-weight:bold'>{q.text()}</span>"
        )
        self.quorum = q

    def step_case(self, delta: int) -> None:
        row = self.agenda_view.currentIndex().row()
        self.open_case(max(0, min(self.agenda_model.rowCount() - 1, row + delta)))

    def open_case(self, row: int) -> None:
        entry = self.agenda_model.row_at(row)
        if entry is None:
            return
        if self.entry is not None and entry.id == self.entry.id and self.case is not None:
            return
        if not self.save_now() and not self._may_discard("go to another case"):
            self._reselect_current()
            return
        self.agenda_view.selectRow(row)
        self.entry = entry
        self.case = summaries.agenda_case(self.ctx.db, entry.id)
        self.decision = self.case.decision
        self.amending = False
        self.undo_stack.clear()
        self._load_case()
        self.go_to_step(max(0, self.stack.currentIndex()))
        self.sig_case_changed.emit(entry.id)

    def go_to_step(self, index: int) -> None:
        if not 0 <= index < len(STEPS):
            return
        if STEPS[index][0] == "consensus" and not self.plan_text.toPlainText().strip():
            self.fill_plan_from_options()
        if STEPS[index][0] in ("noms", "signoff"):
            self._refresh_derived()
        self.stack.setCurrentIndex(index)
        button = self.step_buttons.button(index)
        if button is not None:
            button.setChecked(True)
        self.sig_step_changed.emit(index)

    def current_step_key(self) -> str:
        return STEPS[self.stack.currentIndex()][0]

    # --------------------------------------------------------------- loading
    def _load_case(self) -> None:
        case = self.case
        assert case is not None
        self._loading = True
        try:
            p = case.patient
            self.case_title.setText(
                f"{case.position}. {html.escape(p.display_name)} — MRN {p.mrn} — "
                f"{Urgency(case.urgency).label}"
            )
            self.summary_view.setHtml(self._summary_html(case))
            grade = histology.who_grade_text(case.histology_key)
            self.histology_label.setText(
                f"{case.histology_label} ({case.disease_kind}, {case.compartment})"
                + (f" — {grade}" if grade else "")
            )
            self.pathology_label.setText(
                f"available ({case.pathology_date:%d %b %Y})"
                if case.pathology_available and case.pathology_date
                else "not available yet"
            )
            self._build_score_forms(case)
            self._load_staging(case)
            data = self.decision.data if self.decision else DecisionInput()
            self._apply_state(
                CaseState(
                    data, self._score_state(), self._fitness_from(data), self._staging_state()
                )
            )
            self.modality_editor.histology_key = case.histology_key
            self._show_mscc(case, fresh=False)
        finally:
            self._loading = False
        self._dirty = False
        self._dirty_scores.clear()
        self._dirty_staging.clear()
        self._last_state = self.state()
        self._apply_read_only()
        self._refresh_derived()

    @property
    def is_primary(self) -> bool:
        """A primary tumour: step 4 is the primary-tumour pathway, never NOMS (§9.4)."""
        case = self.case
        return case is not None and noms.case_kind(case.disease_kind, case.histology_key) == (
            "primary"
        )

    def _load_staging(self, case: CaseReport) -> None:
        """The staging records of a primary tumour's lesions, and step 4's face."""
        self._staging_ids = {}
        records: dict[str, dict[str, Any]] = {}
        for line in case.scores:
            if line.tool_id == staging.TOOL_ID:
                records[line.subject] = dict(line.answers)
                self._staging_ids[line.subject] = (line.id, line.version)
        primary = self.is_primary
        if primary or records:  # the page is filled only for a case that shows it
            self.pathway_page.set_case(lesions_of(case.levels), records, case.histology_key)
        else:
            self.pathway_page.set_case((), {}, case.histology_key)
        self.step4.setCurrentIndex(1 if primary else 0)
        label = "4 Primary-tumour pathway" if primary else STEPS[3][1]
        button = self.step_buttons.button(3)
        button.setText(label)
        button.setAccessibleName(f"Step {label}")

    def _staging_state(self) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
        return tuple(
            (lesion, tuple(sorted(answers.items())))
            for lesion, answers in sorted(self.pathway_page.records().items())
        )

    def _staging_edited(self, lesion: str) -> None:
        if self._loading:
            return
        self._dirty_staging.add(lesion)
        self._content_edited()

    @staticmethod
    def _fitness_from(data: DecisionInput) -> str:
        if data.fit_for_surgery is None:
            return ""
        return "fit" if data.fit_for_surgery else "not_fit"

    def _summary_html(self, case: CaseReport) -> str:
        p = case.patient
        e = html.escape
        rows = [
            ("Patient", f"{e(p.display_name)}, born {p.date_of_birth:%d %b %Y}, {p.sex}"),
            ("MRN / national number", f"{e(p.mrn)} / {e(p.national_number or '—')}"),
            ("Referrer", f"{e(case.referrer_name)}, {e(case.referrer_organisation)}"),
            ("Question for the MDT", f"<b>{e(case.question)}</b>"),
            ("Presenting problem", e(case.presenting_problem)),
            (
                "Histology",
                f"{e(case.histology_label)} — {e(case.disease_kind)}, {e(case.compartment)}",
            ),
            ("Known primary", e(case.primary_site or "—")),
            ("Levels", e(case.levels_text)),
            ("Neurology", e(case.neuro_status or "not recorded")),
        ]
        body = "".join(f"<tr><th align='left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
        # Earlier meetings do not change during this one: ask once per patient.
        if p.id not in self._history_cache:
            self._history_cache[p.id] = meetings.patient_history(self.ctx.db, p.id)
        history = self._history_cache[p.id]
        earlier = [h for h in history if h.meeting_id != self.meeting_id]
        if earlier:
            items = "".join(
                f"<li>{h.meeting_at:%d %b %Y} — {e(h.meeting_title)}: {e(h.agenda_status)}"
                f"{' — ' + e(h.plan_text) if h.plan_text else ''}"
                f"{' (' + e(h.reason) + ')' if h.reason else ''}</li>"
                for h in earlier
            )
            hist = f"<h3>Earlier MDT discussions</h3><ul>{items}</ul>"
        else:
            hist = "<p><i>No earlier MDT discussion of this patient.</i></p>"
        return f"<table cellpadding='4'>{body}</table>{hist}"

    def _build_score_forms(self, case: CaseReport) -> None:
        """Show the forms this case needs; forms are kept and reused between cases
        (built once per tool), so moving to the next case stays quick."""
        self._assessment_ids = {}
        tools = list(relevant_tools(case.disease_kind, case.compartment))
        for line in case.scores:
            if line.tool_id not in tools and line.tool_id in TOOLS:
                tools.append(line.tool_id)
        self._lay_out_forms(tools)
        for form in self.score_forms.values():
            form.set_answers({})
        for line in case.scores:
            if line.tool_id in self.score_forms and not line.subject:
                self.score_forms[line.tool_id].set_answers(line.answers)
                self._assessment_ids[line.tool_id] = (line.id, line.version)
        # the primary's items, derived from the recorded histology (§3, §4, §5); the
        # user can change them
        for tool_id, form in self.score_forms.items():
            derived = answers_from_histology(tool_id, case.histology_key)
            if tool_id not in self._assessment_ids and derived and not form.answers():
                form.set_answers(derived)
                self._dirty_scores.add(tool_id)
        sins = self.score_forms.get("sins")
        if sins is not None and "location" not in sins.answers():
            location = sins_location_for_levels(case.levels) if case.levels else None
            if location:
                sins.set_answers({**sins.answers(), "location": location})
                self._dirty_scores.add("sins")

    def _score_state(self) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
        return tuple(
            (tool_id, tuple(sorted(form.answers().items())))
            for tool_id, form in self.score_forms.items()
        )

    # ------------------------------------------------------------------ state
    def decision_input(self) -> DecisionInput:
        mods = list(self.modality_editor.modalities())
        fit = self.fitness.currentData()
        return DecisionInput(
            intent=self.modality_editor.intent_value(),
            plan_text=self.plan_text.toPlainText(),
            rationale=self.rationale.toPlainText(),
            dissent=self.dissent.toPlainText(),
            dissent_by=self.dissent_by.text(),
            patient_preferences=self.preferences.toPlainText(),
            patient_informed=self.informed.isChecked(),
            clinical_trial=self.trial.text(),
            noms_band=self._noms_band(),
            fit_for_surgery=None if not fit else fit == "fit",
            noms_oncologic=str(self.oncologic.currentData() or "") or None,
            noms_mechanical_pain=_yes_no(self.mechanical_pain.currentData()),
            modalities=tuple(mods),
            actions=self.actions_model.actions(),
        )

    def state(self) -> CaseState:
        return CaseState(
            self.decision_input(),
            self._score_state(),
            str(self.fitness.currentData() or ""),
            self._staging_state(),
        )

    def _apply_state(self, st: CaseState) -> None:
        was = self._loading
        self._loading = True
        try:
            d = st.decision
            self.modality_editor.set_plan(d.intent, d.modalities)
            for widget, value in (
                (self.plan_text, d.plan_text),
                (self.rationale, d.rationale),
                (self.dissent, d.dissent),
                (self.preferences, d.patient_preferences),
            ):
                if widget.toPlainText() != value:
                    widget.setPlainText(value)
            self.dissent_by.setText(d.dissent_by)
            self.trial.setText(d.clinical_trial)
            self.informed.setChecked(d.patient_informed)
            self.actions_model.set_rows(d.actions)
            scores = dict(st.scores)
            for tool_id, form in self.score_forms.items():
                answers = dict(scores.get(tool_id, ()))
                if answers != form.answers():
                    form.set_answers(answers)
                    self._dirty_scores.add(tool_id)
            self.fitness.setCurrentIndex(max(0, self.fitness.findData(st.fit_for_surgery)))
            self.oncologic.setCurrentIndex(max(0, self.oncologic.findData(d.noms_oncologic or "")))
            pain = (
                ""
                if d.noms_mechanical_pain is None
                else ("yes" if d.noms_mechanical_pain else "no")
            )
            self.mechanical_pain.setCurrentIndex(max(0, self.mechanical_pain.findData(pain)))
            wanted = {lesion: dict(a) for lesion, a in st.staging}
            if wanted != self.pathway_page.records():
                self.pathway_page.set_records(wanted)
                self._dirty_staging.update(wanted)
            biopsy = next((m for m in d.modalities if m.kind == "biopsy"), None)
            route = str(biopsy.details.get("route", "")) if biopsy else ""
            self.biopsy_route.setCurrentIndex(max(0, self.biopsy_route.findData(route)))
            rationale = str(biopsy.details.get("rationale", "")) if biopsy else ""
            if self.biopsy_rationale.toPlainText() != rationale:
                self.biopsy_rationale.setPlainText(rationale)
        finally:
            self._loading = was
        if not was:  # loading a case refreshes once, when it has finished
            self._refresh_derived()

    def _restore(self, st: CaseState) -> None:
        self._apply_state(st)
        self._last_state = st
        self._mark_dirty()

    def _push_snapshot(self) -> None:
        new = self.state()
        if self._last_state is not None and new != self._last_state:
            self.undo_stack.push(SnapshotCommand(self._last_state, new, self._restore))
        self._last_state = new

    def _content_edited(self) -> None:
        if self._loading:
            return
        self._mark_dirty()
        self._snapshot_timer.start()
        self._refresh_derived()

    def _score_edited(self, tool_id: str) -> None:
        if self._loading:
            return
        self._dirty_scores.add(tool_id)
        self._content_edited()

    def _biopsy_changed(self) -> None:
        if self._loading:
            return
        route = str(self.biopsy_route.currentData() or "")
        mods = [m for m in self.modality_editor.modalities() if m.kind != "biopsy"]
        if route:
            details: dict[str, Any] = {"route": route}
            rationale = self.biopsy_rationale.toPlainText().strip()
            if rationale:
                details["rationale"] = rationale
            mods.insert(0, ModalityInput("biopsy", details))
        self.modality_editor.set_plan(self.modality_editor.intent_value(), mods)
        self._content_edited()

    def _mark_dirty(self) -> None:
        if self.decision is not None and self.decision.is_final and not self.amending:
            return
        self._dirty = True
        if not self.amending:
            self._autosave.start()
        self.status_line.setText("Unsaved changes…")

    # --------------------------------------------------------------- derived
    def _noms_inputs(self) -> dict[str, Any]:
        case = self.case
        escc = self.score_forms.get("escc")
        sins = self.score_forms.get("sins")
        escc_r = escc.result() if escc else None
        sins_r = sins.result() if sins else None
        fit = self.fitness.currentData()
        pain = _yes_no(self.mechanical_pain.currentData())
        if pain is None and sins is not None:
            pain = noms.mechanical_pain_from_sins(sins.answers())
        sources = {}
        if escc_r is not None and escc_r.complete and escc is not None:
            sources["neurologic"] = f"ESCC {escc.answers().get('grade')}"
        if sins_r is not None and sins_r.complete:
            sources["mechanical"] = f"SINS {sins_r.total}"
        return {
            "escc_band": escc_r.band if escc_r and escc_r.complete else None,
            "histology_key": case.histology_key if case else None,
            "sins_band": sins_r.band if sins_r and sins_r.complete else None,
            "fit_for_surgery": None if not fit else fit == "fit",
            "disease_kind": case.disease_kind if case else None,
            "mechanical_pain_without_deformity": pain,
            "oncologic": str(self.oncologic.currentData() or "") or None,
            "sources": sources,
        }

    def _noms_band(self) -> str | None:
        """Shown while editing; the service stores the band it computes itself."""
        if self.case is None or self.is_primary:
            return None
        return noms.from_scores(**self._noms_inputs()).band

    def _refresh_derived(self) -> None:
        if self.case is None:
            return
        if self.is_primary:
            #: step 4 as an HTML fragment (the presentation screen shows it in its own font)
            self.noms_html = (
                "<h2>Primary-tumour pathway — NOMS does not apply</h2>"
                + self.pathway_page.reading_html()
            )
            self._refresh_signoff()
            self.sig_content_changed.emit()
            return
        suggestion = noms.from_scores(**self._noms_inputs())
        lines = "".join(f"<li>{html.escape(x)}</li>" for x in suggestion.explanation)
        head = (
            f"<h2>Suggestion: {html.escape(suggestion.band_label or 'incomplete')}</h2>"
            if suggestion.band
            else "<h2>Suggestion: not enough information</h2>"
        )
        flags = (
            "<p><b>Flags:</b> " + ", ".join(f.replace("_", " ") for f in suggestion.flags) + "</p>"
            if suggestion.flags
            else ""
        )
        missing = (
            "<p><b>Missing inputs:</b> " + ", ".join(suggestion.missing) + "</p>"
            if suggestion.missing
            else ""
        )
        #: the suggestion as an HTML fragment (the presentation screen shows it in its own font)
        self.noms_html = f"{head}{flags}{missing}<ul>{lines}</ul>"
        self.noms_view.setHtml(self.noms_html)
        self._refresh_signoff()
        self.sig_content_changed.emit()

    def _refresh_signoff(self) -> None:
        e = html.escape
        parts: list[str] = []
        d = self.decision
        if d is None or d.status == "draft":
            parts.append("<h2>Draft — not signed off</h2>")
        else:
            parts.append(
                f"<h2>Signed off by {e(d.signed_off_by)} at "
                f"{d.signed_off_at.astimezone():%d %b %Y %H:%M}</h2>"
                if d.signed_off_at
                else ""
            )
            if d.quorate is False:
                parts.append(
                    "<p style='color:#b3261e'><b>Decision taken while NOT quorate.</b></p>"
                )
        data = self.decision_input()
        from mdtboard.ui.modality_editor import describe

        summary = [
            ("Intent", Intent(data.intent).label if data.intent else "—"),
            ("Consensus plan", data.plan_text or "—"),
            ("Modalities", "; ".join(describe(m) for m in data.modalities) or "—"),
            ("Rationale", data.rationale or "—"),
            ("Dissent", f"{data.dissent} ({data.dissent_by})" if data.dissent else "none"),
            ("Actions", "; ".join(f"{a.description} — {a.owner}" for a in data.actions) or "—"),
        ]
        parts.append(
            "<table cellpadding='3'>"
            + "".join(f"<tr><th align='left'>{k}</th><td>{e(v)}</td></tr>" for k, v in summary)
            + "</table>"
        )
        problems = self.modality_editor.problems_list()
        if not self.plan_text.toPlainText().strip():
            parts.append("<p style='color:#b3261e'>Error: record the consensus plan.</p>")
        for p in problems:
            colour = "#b3261e" if p.severity == "error" else "#9a5b00"
            parts.append(f"<p style='color:{colour}'>{p.severity.capitalize()}: {e(p.message)}</p>")
        if not self.quorum.quorate:
            parts.append(
                f"<p style='color:#b3261e'>{e(self.quorum.text())} — a decision now will "
                "be flagged as not quorate.</p>"
            )
        if self.case is not None and len(self.case.revisions) > 0:
            parts.append("<h3>Versions</h3><ol>")
            for rev in self.case.revisions:
                when = (
                    rev.signed_off_at.astimezone().strftime("%d %b %Y %H:%M")
                    if rev.signed_off_at
                    else "—"
                )
                reason = f" — amendment: {e(rev.amendment_reason)}" if rev.amendment_reason else ""
                parts.append(
                    f"<li>Revision {rev.revision}: {e(rev.status)}, {e(rev.signed_off_by or '—')}, "
                    f"{when}{reason}<br><i>{e(rev.data.plan_text)}</i></li>"
                )
            parts.append("</ol>")
        self.signoff_status.setHtml("".join(parts))

    def _show_mscc(self, case: CaseReport | None, *, fresh: bool = True) -> None:
        """The MSCC banner (reference/scores.md §11): the QS56 clocks from the suspected
        diagnosis, dexamethasone and the prompts; refreshed every minute, so it runs.
        ``fresh=False`` shows the clocks the case was just read with."""
        if case is None:
            status = None
        else:
            status = pathway_of(self.ctx.db, case.referral_id) if fresh else case.pathway
        if status is None:
            self.mscc_banner.hide()
            return
        self.mscc_banner.setText(mscc_banner_html(status))
        self.mscc_banner.setStyleSheet(
            _EMERGENCY_STYLE if status.suspected_mscc else _PATHWAY_STYLE
        )
        self.mscc_banner.show()

    def _apply_read_only(self) -> None:
        final = self.decision is not None and self.decision.is_final and not self.amending
        for w in (self.plan_text, self.rationale, self.dissent, self.preferences):
            w.setReadOnly(final)
        for w2 in (self.dissent_by, self.trial):
            w2.setReadOnly(final)
        for w3 in (
            self.informed,
            self.biopsy_route,
            self.fitness,
            self.add_action_btn,
            self.fill_plan_btn,
            self.modality_editor,
            self.action_text,
        ):
            w3.setEnabled(not final)
        for form in self.score_forms.values():
            form.setEnabled(not final)
        self.pathway_page.set_read_only(final)
        self.oncologic.setEnabled(not final)
        self.mechanical_pain.setEnabled(not final)
        self.add_tool_btn.setEnabled(not final)
        self.add_tool_combo.setEnabled(not final and self.add_tool_combo.count() > 0)
        self.biopsy_rationale.setReadOnly(final)
        self.actions_model.read_only = final
        is_signed = self.decision is not None and self.decision.status == "signed_off"
        self.signoff_btn.setEnabled(not final and not self.amending)
        self.amend_btn.setEnabled(is_signed and not self.amending)
        self.save_amend_btn.setVisible(self.amending)
        self.act_sign.setEnabled(not final and not self.amending)
        if final:
            self.status_line.setText("Signed off — read-only. Use Amend… to correct it.")
        elif self.amending:
            self.status_line.setText(
                "Amending a signed-off decision: save the amendment with its reason."
            )
        else:
            self.status_line.setText("Draft — autosaves.")

    # ------------------------------------------------------------------ saving
    def save_now(self) -> bool:
        """Persist the draft and changed scores (autosave and Ctrl+S)."""
        self._autosave.stop()
        if self.entry is None or not self._dirty or self.amending:
            return True
        if self.decision is not None and self.decision.is_final:
            self._dirty = False
            return True
        changes = self._score_changes()
        try:
            saved = decisions.save_case(
                self.ctx,
                self.entry.id,
                self.decision_input(),
                [c for _, c in changes],
                self.decision.version if self.decision else None,
            )
        except ServiceError as exc:
            self.last_save_error = str(exc)
            self.status_line.setText(f"Not saved: {exc}")
            return False
        self.decision = saved.decision
        self._scores_saved([k for k, _ in changes], saved.scores)
        self._dirty = False
        self.last_save_error = ""
        self.status_line.setText(f"Draft saved {datetime.now():%H:%M:%S}")
        return True

    def _may_discard(self, action: str) -> bool:
        """The case's changes could not be saved: ask before they are lost (the default
        is to stay on the case and keep them)."""
        reason = self.last_save_error or "see the status line"
        answer = QMessageBox.warning(
            self,
            "Changes not saved",
            f"The changes to this case could not be saved:\n{reason}\n\nDiscard them and {action}?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return False
        self._dirty = False
        self._dirty_scores.clear()
        self._dirty_staging.clear()
        return True

    def _reselect_current(self) -> None:
        """Keep the agenda's selection on the case still being edited."""
        if self.entry is not None:
            self.agenda_view.selectRow(self.agenda_model.row_of(self.entry.id))

    def _score_changes(self) -> list[tuple[tuple[str, str], decisions.ScoreChange]]:
        """The changed score forms, each against the version this case was opened with:
        a score changed meanwhile on another workstation is a conflict, never
        overwritten. Keyed by (tool, subject) so the stored versions can be kept."""
        out: list[tuple[tuple[str, str], decisions.ScoreChange]] = []
        for tool_id in sorted(self._dirty_scores):
            form = self.score_forms.get(tool_id)
            if form is None:
                continue
            answers = form.answers()
            current = self._assessment_ids.get(tool_id)
            if not answers and current is None:
                continue
            out.append(
                (
                    (tool_id, ""),
                    decisions.ScoreChange(
                        tool_id,
                        answers,
                        assessment_id=current[0] if current else None,
                        expected_version=current[1] if current else None,
                    ),
                )
            )
        records = self.pathway_page.records()
        for lesion in sorted(self._dirty_staging):
            answers = records.get(lesion, {})
            current = self._staging_ids.get(lesion)
            if answers or current is not None:
                out.append(
                    (
                        (staging.TOOL_ID, lesion),
                        decisions.ScoreChange(
                            staging.TOOL_ID,
                            answers,
                            subject=lesion,
                            assessment_id=current[0] if current else None,
                            expected_version=current[1] if current else None,
                        ),
                    )
                )
        return out

    def _scores_saved(self, keys: list[tuple[str, str]], saved: Sequence[Any]) -> None:
        for (tool_id, subject), view in zip(keys, saved, strict=True):
            if tool_id == staging.TOOL_ID:
                self._staging_ids[subject] = (view.id, view.version)
            else:
                self._assessment_ids[tool_id] = (view.id, view.version)
        self._dirty_scores.clear()
        self._dirty_staging.clear()

    def sign_off(self) -> None:
        if self.entry is None or (self.decision is not None and self.decision.is_final):
            return
        self._dirty = True
        if not self.save_now() or self.decision is None:
            return
        try:
            self.decision = decisions.sign_off(
                self.ctx, self.entry.id, self.decision.version, self.chair_name.text()
            )
        except ValidationError as exc:
            self.go_to_step([k for k, _ in STEPS].index("signoff"))
            QMessageBox.warning(self, "Cannot sign off", "\n".join(exc.problems.values()))
            return
        except ServiceError as exc:
            QMessageBox.warning(self, "Cannot sign off", str(exc))
            return
        self._after_final_change()

    def start_amendment(self) -> None:
        if self.decision is None or self.decision.status != "signed_off":
            return
        self.amending = True
        self._apply_read_only()
        self.go_to_step([k for k, _ in STEPS].index("consensus"))

    def save_amendment(self) -> None:
        if not self.amending or self.decision is None or self.entry is None:
            return
        reason, ok = QInputDialog.getText(self, "Amendment", "Reason for the amendment:")
        if not ok:
            return
        # scores corrected while amending are saved with it (a score the signed-off
        # decision used stays with it: the correction is a new score)
        changes = self._score_changes()
        try:
            saved = decisions.amend_case(
                self.ctx,
                self.entry.id,
                self.decision.version,
                self.decision_input(),
                reason,
                [c for _, c in changes],
            )
        except ServiceError as exc:
            QMessageBox.warning(self, "Amendment not saved", str(exc))
            return
        self.decision = saved.decision
        self._scores_saved([k for k, _ in changes], saved.scores)
        self.amending = False
        self._after_final_change()

    def _after_final_change(self) -> None:
        assert self.entry is not None
        self._dirty = False
        self.case = summaries.agenda_case(self.ctx.db, self.entry.id)
        row = self.agenda_view.currentIndex().row()
        self.agenda_model.set_entries(meetings.agenda(self.ctx.db, self.meeting_id))
        self.agenda_view.selectRow(row)
        self._apply_read_only()
        self._refresh_derived()

    # ----------------------------------------------------------------- actions
    def fill_plan_from_options(self) -> None:
        if self.plan_text.isReadOnly():
            return
        text = treatments.describe_plan(
            self.modality_editor.intent_value(),
            [
                {"kind": m.kind, "details": dict(m.details)}
                for m in self.modality_editor.modalities()
            ],
        )
        if text and text != self.plan_text.toPlainText():
            self.plan_text.setPlainText(text)

    def add_action_from_inputs(self) -> None:
        text = self.action_text.text().strip()
        owner = self.action_owner.currentText().strip()
        due_text = self.action_due.text().strip()
        if not text or not owner:
            self.action_error.setText("An action needs a description and an owner.")
            return
        try:
            due = date.fromisoformat(due_text) if due_text else None
        except ValueError:
            self.action_error.setText(f"Due date: use YYYY-MM-DD, not {due_text!r}.")
            return
        self.action_error.setText("")
        self.actions_model.add(ActionInput(text, owner, due))
        self.action_text.clear()
        self.action_due.clear()

    def set_case_status(self, status: AgendaStatus) -> None:
        if self.entry is None:
            return
        verb = "deferred" if status == AgendaStatus.DEFERRED else "withdrawn"
        reason, ok = QInputDialog.getText(self, f"Case {verb}", f"Why is this case {verb}?")
        if not ok:
            return
        try:
            meetings.set_item_status(self.ctx, self.entry.id, status, reason)
        except ServiceError as exc:
            QMessageBox.warning(self, "Not done", str(exc))
            return
        self.reload_agenda()
        self.status_line.setText(f"Case {verb}: {reason}")

    def edit_attendance(self) -> None:
        AttendanceDialog(self.ctx, self.meeting_id, self).exec()
        self.reload_agenda()
        self._refresh_signoff()

    def close_meeting(self) -> None:
        if not self.save_now() and not self._may_discard("close the meeting"):
            return
        open_cases = [e for e in self.agenda_model.rows() if e.status in ("deferred", "listed")]
        upcoming = meetings.next_planned_meeting(self.ctx.db, self.meeting_id)
        to_meeting: int | None = None
        if open_cases and upcoming is not None:
            answer = QMessageBox.question(
                self,
                "Close meeting",
                f"Relist the {len(open_cases)} deferred or undiscussed case(s) on "
                f"{upcoming.title} when the meeting closes?",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Yes,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Yes:
                to_meeting = upcoming.id
        try:
            result = decisions.close_and_relist(self.ctx, self.meeting_id, to_meeting)
        except ServiceError as exc:
            QMessageBox.warning(self, "Meeting not closed", str(exc))
            return
        text = (
            f"Discussed: {len(result.discussed)}\nDeferred: {len(result.deferred)}\n"
            f"Withdrawn: {len(result.withdrawn)}\nUndiscussed: {len(result.undiscussed)}"
        )
        if result.relisted and upcoming is not None:
            text += f"\n\nRelisted on {upcoming.title}: {len(result.relisted)}"
        QMessageBox.information(self, "Meeting closed", text)
        self.close()

    def toggle_presentation(self) -> None:
        from mdtboard.ui.presentation import PresentationWindow

        if self.presentation is not None and self.presentation.isVisible():
            self.presentation.close()
            return
        self.presentation = PresentationWindow(self)
        self.presentation.show()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(
            self, "Meeting mode shortcuts", f"<table cellpadding='3'>{rows}</table>"
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.save_now() and not self._may_discard("close meeting mode"):
            event.ignore()
            return
        if self.presentation is not None:
            self.presentation.close()
        super().closeEvent(event)
        self.sig_closed.emit()
