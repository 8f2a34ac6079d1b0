"""New / edit referral form with inline validation, undo/redo and readiness.

``ReferralDialog.ask(parent, ctx, referral_id=None) -> CaseDetail | None``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import histology, mscc
from mdtboard.domain.mscc import DEXAMETHASONE_OMISSION_REASONS
from mdtboard.domain.readiness import CaseFacts, Light, assess
from mdtboard.domain.vocab import Compartment, DiseaseKind, Sex, Urgency
from mdtboard.services import assessments, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, ServiceError, ValidationError
from mdtboard.services.referrals import CaseDetail, PatientInput, ReferralInput
from mdtboard.services.settings import get_settings
from mdtboard.ui.level_picker import LevelPicker
from mdtboard.ui.triage import (
    DifferentialDialog,
    RedFlagsDialog,
    differential_summary,
    red_flags_summary,
    suggestion_text,
)
from mdtboard.ui.undo import SetFieldCommand, StealUndoKeys, merge_id_for
from mdtboard.ui.widgets import DateField, DateTimeField, qdatetime_to_utc

#: the fields the dexamethasone prompt depends on
_DEXAMETHASONE_INPUTS = frozenset(
    {
        "red_flags",
        "urgency",
        "neuro_deficit",
        "dexamethasone_started_at",
        "dexamethasone_omitted_reason",
    }
)
LIGHT_COLOURS = {Light.GREEN: "#1b7f3b", Light.AMBER: "#b36b00", Light.RED: "#b3261e"}


class TrafficLight(QLabel):
    """Readiness shown as a coloured lamp with its reasons (text, not colour alone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAccessibleName("Readiness")
        self.light = Light.RED

    def show_readiness(self, light: Light, reasons: list[str]) -> None:
        self.light = light
        colour = LIGHT_COLOURS[light]
        items = "".join(f"<li>{r}</li>" for r in reasons) or "<li>Ready for discussion</li>"
        self.setText(
            f"<p><span style='color:{colour}; font-size:18pt'>●</span> "
            f"<b>{light.label}</b></p><ul style='margin-left:-20px'>{items}</ul>"
        )
        self.setAccessibleDescription(f"{light.label}. " + "; ".join(reasons))


class ReferralDialog(QDialog):
    def __init__(
        self, ctx: ServiceContext, referral_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.referral_id = referral_id
        self.result_case: CaseDetail | None = None
        self._imaging_max_age_days = get_settings(ctx.db).imaging_max_age_days
        self._version = 0
        self._received_loaded: tuple[QDateTime, datetime] | None = None
        self._checklists: dict[str, tuple[Any, ...]] = {}
        self._existing_patient = False
        self._score_tools: frozenset[str] = frozenset()
        self.undo_stack = QUndoStack(self)
        self._values: dict[str, Any] = {}
        self._setters: dict[str, Callable[[Any], None]] = {}
        self._getters: dict[str, Callable[[], Any]] = {}
        self._errors: dict[str, QLabel] = {}
        self._field_widgets: dict[str, QWidget] = {}
        self._loading = False
        self._steal = StealUndoKeys(self)
        self.setWindowTitle("New referral" if referral_id is None else "Edit referral")
        self.setObjectName("ReferralDialog")
        self._build()
        if referral_id is not None:
            self._load(referral_id)
        self._snapshot_all()
        self.undo_stack.setClean()
        self._update_readiness()
        self._show_urgency_hint()
        self._show_dexamethasone_prompt()

    # --- construction ------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)

        left = QVBoxLayout()
        columns.addLayout(left, 3)
        patient_box = QGroupBox("Patient", self)
        pf = QFormLayout(patient_box)
        self.mrn = self._line("mrn", pf, "Hospital number (MRN) *")
        self.mrn.editingFinished.connect(self._lookup_patient)
        self.family_name = self._line("family_name", pf, "Family name *")
        self.given_name = self._line("given_name", pf, "Given name *")
        self.date_of_birth = self._date("date_of_birth", pf, "Date of birth *")
        self.sex = self._combo("sex", pf, "Sex", [(s.label, s.value) for s in Sex])
        self.national_number = self._line("national_number", pf, "National number")
        self.patient_note = QLabel(self)
        self.patient_note.setWordWrap(True)
        self.patient_note.setObjectName("patientNote")
        pf.addRow(self.patient_note)
        left.addWidget(patient_box)

        ref_box = QGroupBox("Referral", self)
        rf = QFormLayout(ref_box)
        self.received_at = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.received_at.setCalendarPopup(True)
        self.received_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        self._register(
            "received_at",
            self.received_at,
            rf,
            "Received *",
            get=self._received_value,
            set_=self._set_received,
            signal=self.received_at.dateTimeChanged,
        )
        self.referrer_name = self._line("referrer_name", rf, "Referrer *")
        self.referrer_organisation = self._line("referrer_organisation", rf, "Organisation")
        self.urgency = self._combo(
            "urgency", rf, "Urgency *", [(u.label, u.value) for u in Urgency]
        )
        self.question = self._text("question", rf, "Question for the MDT *", 60)
        self.presenting_problem = self._text("presenting_problem", rf, "Presenting problem", 60)
        self.red_flags_btn = self._checklist(
            "red_flags", rf, "Red flags", (), self._edit_red_flags, red_flags_summary
        )
        self.urgency_hint = QLabel(self)
        self.urgency_hint.setObjectName("urgencyHint")
        self.urgency_hint.setWordWrap(True)
        self.use_suggestion_btn = QPushButton("Use the suggested urgency", self)
        self.use_suggestion_btn.clicked.connect(self._use_suggested_urgency)
        rf.addRow(self.urgency_hint)
        rf.addRow("", self.use_suggestion_btn)
        self.differential_btn = self._checklist(
            "differential",
            rf,
            "Differential diagnosis",
            (),
            self._edit_differential,
            lambda v: differential_summary(dict(v)),
        )
        left.addWidget(ref_box)
        left.addStretch(1)

        middle = QVBoxLayout()
        columns.addLayout(middle, 3)
        clin = QGroupBox("Disease", self)
        cf = QFormLayout(clin)
        self.disease_kind = self._combo(
            "disease_kind", cf, "Primary or metastatic *", [(k.label, k.value) for k in DiseaseKind]
        )
        self.histology = self._histology_combo(cf)
        self.primary_site = self._line("primary_site", cf, "Known primary site")
        self.compartment = self._combo(
            "compartment", cf, "Compartment *", [(c.label, c.value) for c in Compartment]
        )
        self.neuro_status = self._text("neuro_status", cf, "Neurological status", 50)
        self.neuro_deficit = self._check("neuro_deficit", cf, "Neurological deficit present")
        middle.addWidget(clin)

        avail = QGroupBox("Imaging and pathology", self)
        af = QFormLayout(avail)
        self.imaging_available = self._check("imaging_available", af, "Imaging available")
        self.imaging_date = self._date("imaging_date", af, "Imaging date")
        self.pathology_available = self._check("pathology_available", af, "Pathology available")
        self.pathology_date = self._date("pathology_date", af, "Pathology date")
        self.biopsy_deferral_rationale = self._text(
            "biopsy_deferral_rationale", af, "Biopsy deferred: MDT rationale", 40
        )
        middle.addWidget(avail)

        pathway = QGroupBox("Pathway times (local)", self)
        mf = QFormLayout(pathway)
        self.mscc_suspected_at = self._datetime("mscc_suspected_at", mf, "MSCC suspected at")
        self.mri_at = self._datetime("mri_at", mf, "Whole-spine MRI at")
        self.dexamethasone_started_at = self._datetime(
            "dexamethasone_started_at", mf, "Dexamethasone started at"
        )
        self.dexamethasone_omitted_reason = self._line(
            "dexamethasone_omitted_reason", mf, "Dexamethasone not given: why"
        )
        reasons = QCompleter(list(DEXAMETHASONE_OMISSION_REASONS), self)
        reasons.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        reasons.setFilterMode(Qt.MatchFlag.MatchContains)
        self.dexamethasone_omitted_reason.setCompleter(reasons)
        self.dexamethasone_omitted_reason.setPlaceholderText(
            "e.g. " + "; ".join(DEXAMETHASONE_OMISSION_REASONS)
        )
        self.dexamethasone_prompt = QLabel(self)
        self.dexamethasone_prompt.setObjectName("dexamethasonePrompt")
        self.dexamethasone_prompt.setWordWrap(True)
        self.dexamethasone_prompt.setStyleSheet("color: #b3261e;")
        self.dexamethasone_prompt.hide()
        mf.addRow(self.dexamethasone_prompt)
        self.treatment_started_at = self._datetime(
            "treatment_started_at", mf, "Treatment started at"
        )
        middle.addWidget(pathway)
        middle.addStretch(1)

        right = QVBoxLayout()
        columns.addLayout(right, 2)
        right.addWidget(QLabel("Spinal levels * (click, Shift+click, or arrows and Space)", self))
        self.levels = LevelPicker(self)
        self.levels.setObjectName("levelPicker")
        self._getters["levels"] = self.levels.selected
        self._setters["levels"] = self.levels.set_selected
        self._field_widgets["levels"] = self.levels
        self.levels.sig_user_changed.connect(
            lambda old, new: self._push("levels", tuple(old), tuple(new))
        )
        right.addWidget(self.levels, 1)
        self._errors["levels"] = self._error_label()
        right.addWidget(self._errors["levels"])
        self.readiness = TrafficLight(self)
        self.readiness.setObjectName("readiness")
        right.addWidget(self.readiness)
        self.history = QLabel(self)
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history.setAccessibleName("Earlier MDT discussions of this patient")
        right.addWidget(self.history)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        outer.addWidget(buttons)

        act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        act_redo.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")]
        )
        act_save = QAction("Save", self)
        act_save.setShortcut(QKeySequence.StandardKey.Save)
        act_save.triggered.connect(self.save)
        for act in (act_undo, act_redo, act_save):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(act)
        self.act_undo, self.act_redo = act_undo, act_redo
        self.resize(1180, 780)

    def _set_received(self, value: datetime) -> None:
        shown = QDateTime(value.astimezone())  # type: ignore[call-overload]
        self._received_loaded = (shown, value)
        self.received_at.setDateTime(shown)

    def _received_value(self) -> datetime:
        shown = self.received_at.dateTime()
        if self._received_loaded is not None and shown == self._received_loaded[0]:
            return self._received_loaded[1]  # unchanged: keep the stored time exactly
        return qdatetime_to_utc(shown)

    def _error_label(self) -> QLabel:
        label = QLabel(self)
        label.setStyleSheet("color: #b3261e;")
        label.setWordWrap(True)
        label.hide()
        return label

    def _add_row(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        box = QWidget(self)
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(box)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(widget)
        err = self._error_label()
        lay.addWidget(err)
        self._errors[name] = err
        self._field_widgets[name] = widget
        widget.setObjectName(name)
        widget.setAccessibleName(label.rstrip(" *"))
        form.addRow(label, box)

    def _register(
        self,
        name: str,
        widget: QWidget,
        form: QFormLayout,
        label: str,
        *,
        get: Callable[[], Any],
        set_: Callable[[Any], None],
        signal: Any,
    ) -> None:
        self._getters[name] = get
        self._setters[name] = set_
        self._add_row(form, name, label, widget)
        signal.connect(lambda *_: self._user_edit(name))

    def _typed(
        self,
        name: str,
        form: QFormLayout,
        label: str,
        edit: QLineEdit,
        get: Callable[[], Any],
        set_: Callable[[Any], None],
    ) -> None:
        """A line edit the user types into (undo is the form's, not the widget's)."""
        edit.installEventFilter(self._steal)
        self._getters[name] = get
        self._setters[name] = set_
        self._add_row(form, name, label, edit)
        edit.textEdited.connect(lambda _t: self._user_edit(name))

    def _line(self, name: str, form: QFormLayout, label: str) -> QLineEdit:
        edit = QLineEdit(self)
        self._typed(name, form, label, edit, edit.text, edit.setText)
        return edit

    def _text(self, name: str, form: QFormLayout, label: str, height: int) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setUndoRedoEnabled(False)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(height)
        self._register(
            name,
            edit,
            form,
            label,
            get=edit.toPlainText,
            set_=edit.setPlainText,
            signal=edit.textChanged,
        )
        return edit

    def _date(self, name: str, form: QFormLayout, label: str) -> DateField:
        edit = DateField(self)
        self._typed(name, form, label, edit, edit.date_value, edit.set_date_value)
        return edit

    def _datetime(self, name: str, form: QFormLayout, label: str) -> DateTimeField:
        edit = DateTimeField(self)
        self._typed(name, form, label, edit, edit.datetime_value, edit.set_datetime_value)
        return edit

    def _checklist(
        self,
        name: str,
        form: QFormLayout,
        label: str,
        initial: tuple[Any, ...],
        edit: Callable[[], None],
        summary: Callable[[Any], str],
    ) -> QPushButton:
        """A checklist kept as one field: a button shows its summary and opens it."""
        button = QPushButton(summary(initial), self)
        self._checklists[name] = initial
        self._getters[name] = lambda: self._checklists[name]

        def set_(value: Any) -> None:
            self._checklists[name] = tuple(value)
            button.setText(summary(self._checklists[name]))

        self._setters[name] = set_
        self._add_row(form, name, label, button)
        button.clicked.connect(edit)
        return button

    def _edit_red_flags(self) -> None:
        """Opens the checklist (window-modal, no nested event loop); OK applies it."""
        dialog = RedFlagsDialog(self.value("red_flags"), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._set_by_user("red_flags", dialog.selected()))
        self.checklist_dialog: QDialog = dialog
        dialog.open()

    def _edit_differential(self) -> None:
        dialog = DifferentialDialog(dict(self.value("differential")), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._set_by_user("differential", dialog.answers()))
        self.checklist_dialog = dialog
        dialog.open()

    def _set_by_user(self, name: str, value: Any) -> None:
        old = self.value(name)
        if value == old:
            return
        self.set_value(name, value)
        self._push(name, old, value)

    def _show_urgency_hint(self) -> None:
        text, higher = suggestion_text(self.value("red_flags"), str(self.value("urgency")))
        self.urgency_hint.setText(text)
        self.urgency_hint.setStyleSheet("color: #b36b00;" if higher else "")
        self.urgency_hint.setVisible(bool(text))
        self.use_suggestion_btn.setVisible(higher)

    def _show_dexamethasone_prompt(self) -> None:
        """NG234 §1.8: a suspected MSCC with neurological symptoms or signs needs
        dexamethasone 16 mg recorded, or the reason it is not given."""
        flags = self.value("red_flags")
        problems = mscc.dexamethasone_problems(
            mscc.is_suspected_mscc(str(self.value("urgency")), flags),
            mscc.has_neurology(flags, bool(self.value("neuro_deficit"))),
            self.value("dexamethasone_started_at"),
            str(self.value("dexamethasone_omitted_reason") or ""),
        )
        self.dexamethasone_prompt.setText(
            f"{problems[0]}: 16 mg (oral or the parenteral equivalent) as soon as possible, "
            "unless contraindicated (NICE NG234 §1.8)."
            if problems
            else ""
        )
        self.dexamethasone_prompt.setVisible(bool(problems))

    def _use_suggested_urgency(self) -> None:
        suggested = mscc.suggest_urgency(self.value("red_flags")).urgency.value
        self._set_by_user("urgency", suggested)

    def _combo(
        self, name: str, form: QFormLayout, label: str, items: list[tuple[str, str]]
    ) -> QComboBox:
        combo = QComboBox(self)
        for text, value in items:
            combo.addItem(text, value)

        def set_(value: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        self._getters[name] = combo.currentData
        self._setters[name] = set_
        self._add_row(form, name, label, combo)
        combo.activated.connect(lambda _i: self._user_edit(name))
        return combo

    def _check(self, name: str, form: QFormLayout, label: str) -> QCheckBox:
        box = QCheckBox(label, self)
        self._getters[name] = box.isChecked
        self._setters[name] = box.setChecked
        self._add_row(form, name, "", box)
        box.setAccessibleName(label)
        box.clicked.connect(lambda _c: self._user_edit(name))
        return box

    def _histology_combo(self, form: QFormLayout) -> QComboBox:
        combo = QComboBox(self)
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem(histology.label_for(histology.AWAITING_BIOPSY), histology.AWAITING_BIOPSY)
        entries = sorted(histology.CATALOGUE.values(), key=lambda h: (h.kind, h.label))
        for h in entries:
            combo.addItem(h.label, h.key)
            combo.setItemData(combo.count() - 1, ", ".join(h.synonyms), Qt.ItemDataRole.ToolTipRole)
        # Search by label or synonym: the completer offers "Label — synonyms".
        completer = QCompleter(
            [self._histology_search_text(combo, i) for i in range(combo.count())], combo
        )
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(lambda text: self._pick_histology(text))
        combo.setCompleter(completer)

        def get() -> str:
            idx = combo.findText(combo.currentText().split(" — ")[0])
            return str(combo.itemData(idx)) if idx >= 0 else ""

        def set_(value: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        self._getters["histology_key"] = get
        self._setters["histology_key"] = set_
        self._add_row(form, "histology_key", "Histology *", combo)
        combo.activated.connect(lambda _i: self._user_edit("histology_key"))
        line = combo.lineEdit()
        assert line is not None
        line.installEventFilter(self._steal)
        line.editingFinished.connect(self._resolve_histology_text)
        return combo

    @staticmethod
    def _histology_search_text(combo: QComboBox, i: int) -> str:
        syn = combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
        return f"{combo.itemText(i)} — {syn}" if syn else combo.itemText(i)

    def _resolve_histology_text(self) -> None:
        """Typed text that names exactly one catalogue entry (label or synonym) selects it."""
        text = self.histology.currentText().split(" — ")[0].strip()
        if self.histology.findText(text) < 0 and text:
            matches = histology.search(text)
            if len(matches) == 1:
                self.histology.setCurrentIndex(self.histology.findData(matches[0].key))
        self._user_edit("histology_key")

    def _pick_histology(self, text: str) -> None:
        idx = self.histology.findText(text.split(" — ")[0])
        if idx >= 0:
            self.histology.setCurrentIndex(idx)
            self._user_edit("histology_key")

    # --- values and undo -----------------------------------------------------
    def value(self, name: str) -> Any:
        return self._getters[name]()

    def set_value(self, name: str, value: Any) -> None:
        """Set a field without recording an undo step (used by undo/redo and loading)."""
        widget = self._field_widgets[name]
        was = widget.blockSignals(True)
        try:
            self._setters[name](value)
        finally:
            widget.blockSignals(was)
        self._values[name] = value
        self._after_change(name)

    def _snapshot_all(self) -> None:
        for name in self._getters:
            self._values[name] = self.value(name)
        self._sync_enabled()

    def _user_edit(self, name: str) -> None:
        if self._loading:
            return
        new = self.value(name)
        old = self._values.get(name)
        if new == old:
            return
        self._push(name, old, new)

    def _push(self, name: str, old: Any, new: Any) -> None:
        self._values[name] = new
        textual = isinstance(new, str)
        index = list(self._getters).index(name)
        self.undo_stack.push(
            SetFieldCommand(
                name,
                old,
                new,
                self.set_value,
                merge_id=merge_id_for(index) if textual else -1,
                label=name.replace("_", " "),
            )
        )
        self._after_change(name)

    def _after_change(self, name: str) -> None:
        self._sync_enabled()
        if name in ("red_flags", "urgency"):
            self._show_urgency_hint()
        if name in _DEXAMETHASONE_INPUTS:
            self._show_dexamethasone_prompt()
        if name in ("family_name", "given_name", "date_of_birth"):
            QTimer.singleShot(0, self._check_duplicates)
        self._errors.get(name, QLabel()).hide()
        self._update_readiness()

    def _sync_enabled(self) -> None:
        self.imaging_date.setEnabled(self.imaging_available.isChecked())
        self.pathology_date.setEnabled(self.pathology_available.isChecked())
        for w in (self.family_name, self.given_name, self.national_number):
            w.setReadOnly(self._existing_patient)
        self.date_of_birth.setReadOnly(self._existing_patient)

    # --- patient lookup --------------------------------------------------------
    def _lookup_patient(self) -> None:
        if self.referral_id is not None:
            return
        mrn = self.mrn.text().strip()
        found = referrals.find_patient_by_mrn(self.ctx.db, mrn) if mrn else None
        self._existing_patient = found is not None
        if found is not None:
            for name, value in (
                ("family_name", found.family_name),
                ("given_name", found.given_name),
                ("date_of_birth", found.date_of_birth),
                ("sex", found.sex),
                ("national_number", found.national_number),
            ):
                old = self._values.get(name)
                if old != value:
                    self.set_value(name, value)
            self.patient_note.setText(
                f"Existing patient {found.display_name}: this adds a new referral to their record."
            )
        else:
            self.patient_note.setText("New patient." if mrn else "")
        self._sync_enabled()
        self._check_duplicates()

    def _check_duplicates(self) -> None:
        if self._existing_patient or self.referral_id is not None:
            return
        dob = self.date_of_birth.date_value()
        family, given = self.family_name.text().strip(), self.given_name.text().strip()
        if not (family and given and dob):
            return
        dups = referrals.likely_duplicates(
            self.ctx.db, family, given, dob, exclude_mrn=self.mrn.text()
        )
        if dups:
            who = "; ".join(f"{d.display_name}, MRN {d.mrn}" for d in dups)
            self.patient_note.setText(
                f"⚠ Possible duplicate — same name and date of birth: {who}. "
                "Check the hospital number before saving."
            )
            self.patient_note.setStyleSheet("color: #b36b00; font-weight: bold;")
        else:
            self.patient_note.setStyleSheet("")

    # --- readiness -------------------------------------------------------------
    def _update_readiness(self) -> None:
        facts = CaseFacts(
            disease_kind=str(self.value("disease_kind")),
            compartment=str(self.value("compartment")),
            question=self.value("question"),
            neuro_status=self.value("neuro_status"),
            imaging_available=self.value("imaging_available"),
            imaging_date=self.value("imaging_date"),
            pathology_available=self.value("pathology_available"),
            histology_key=self.value("histology_key"),
            biopsy_deferral_rationale=self.value("biopsy_deferral_rationale"),
            score_tools=self._score_tools,
        )
        result = assess(facts, datetime.now(UTC).date(), self._imaging_max_age_days)
        self.readiness.show_readiness(result.light, [r.message for r in result.reasons])

    # --- load and save -----------------------------------------------------------
    def _load(self, referral_id: int) -> None:
        case = referrals.get_case(self.ctx.db, referral_id)
        self._version = case.version
        self._existing_patient = True
        self._loading = True
        try:
            p = case.patient
            for name, value in (
                ("mrn", p.mrn),
                ("family_name", p.family_name),
                ("given_name", p.given_name),
                ("date_of_birth", p.date_of_birth),
                ("sex", p.sex),
                ("national_number", p.national_number),
            ):
                self.set_value(name, value)
            for name in self._getters:
                if hasattr(case.data, name):
                    self.set_value(name, getattr(case.data, name))
        finally:
            self._loading = False
        self.mrn.setReadOnly(True)
        self.patient_note.setText(f"Case {referral_id} — status {case.status}.")
        self._score_tools = frozenset(
            a.tool_id for a in assessments.list_assessments(self.ctx.db, referral_id) if a.complete
        )
        self._show_history(case.patient.id)

    def _show_history(self, patient_id: int) -> None:
        from mdtboard.services import meetings

        items = meetings.patient_history(self.ctx.db, patient_id)
        if not items:
            self.history.setText("<i>No earlier MDT discussion of this patient.</i>")
            return
        lines = "".join(
            f"<li>{h.meeting_at.astimezone():%d %b %Y}: {html.escape(h.agenda_status)}"
            f"{' — ' + html.escape(h.plan_text) if h.plan_text else ''}"
            f"{' (' + html.escape(h.reason) + ')' if h.reason else ''}</li>"
            for h in items[:6]
        )
        self.history.setText(f"<b>MDT history</b><ul style='margin-left:-20px'>{lines}</ul>")

    def patient_input(self) -> PatientInput:
        return PatientInput(
            mrn=self.value("mrn"),
            family_name=self.value("family_name"),
            given_name=self.value("given_name"),
            date_of_birth=self.value("date_of_birth"),
            sex=self.value("sex"),
            national_number=self.value("national_number"),
        )

    def referral_input(self) -> ReferralInput:
        imaging = self.value("imaging_available")
        pathology = self.value("pathology_available")
        return ReferralInput(
            received_at=self.value("received_at"),
            referrer_name=self.value("referrer_name"),
            referrer_organisation=self.value("referrer_organisation"),
            urgency=self.value("urgency"),
            question=self.value("question"),
            presenting_problem=self.value("presenting_problem"),
            disease_kind=self.value("disease_kind"),
            histology_key=self.value("histology_key"),
            primary_site=self.value("primary_site"),
            compartment=self.value("compartment"),
            levels=tuple(self.value("levels")),
            neuro_status=self.value("neuro_status"),
            neuro_deficit=self.value("neuro_deficit"),
            imaging_available=imaging,
            imaging_date=self.value("imaging_date") if imaging else None,
            pathology_available=pathology,
            pathology_date=self.value("pathology_date") if pathology else None,
            biopsy_deferral_rationale=self.value("biopsy_deferral_rationale"),
            mscc_suspected_at=self.value("mscc_suspected_at"),
            mri_at=self.value("mri_at"),
            dexamethasone_started_at=self.value("dexamethasone_started_at"),
            dexamethasone_omitted_reason=self.value("dexamethasone_omitted_reason"),
            treatment_started_at=self.value("treatment_started_at"),
            red_flags=tuple(self.value("red_flags")),
            differential=tuple(self.value("differential")),
        )

    def show_errors(self, problems: dict[str, str]) -> None:
        for name, label in self._errors.items():
            message = problems.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            widget = self._field_widgets.get(name)
            if widget is not None:
                widget.setAccessibleDescription(message)
        order = list(self._getters)
        first = min((order.index(n) for n in problems if n in order), default=None)
        if first is not None:
            self._field_widgets[order[first]].setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> None:
        data = self.referral_input()
        problems = (
            referrals.validate_case(self.patient_input(), data)
            if self.referral_id is None
            else referrals.validate_referral(data)
        )
        for name, field in (
            ("date_of_birth", self.date_of_birth),
            ("imaging_date", self.imaging_date),
            ("pathology_date", self.pathology_date),
        ):
            if field.is_invalid():
                problems[name] = f"{field.text()!r} is not a date (use dd/mm/yyyy)"
        for name, when in (
            ("mscc_suspected_at", self.mscc_suspected_at),
            ("mri_at", self.mri_at),
            ("dexamethasone_started_at", self.dexamethasone_started_at),
            ("treatment_started_at", self.treatment_started_at),
        ):
            if when.is_invalid():
                problems[name] = f"{when.text()!r} is not a date and time (use dd/mm/yyyy hh:mm)"
        if problems:
            self.show_errors(problems)
            return
        try:
            if self.referral_id is None:
                case = referrals.register_referral(self.ctx, self.patient_input(), data)
            else:
                case = referrals.update_referral(self.ctx, self.referral_id, self._version, data)
        except ValidationError as exc:
            self.show_errors(exc.problems)
            return
        except Conflict:
            self._resolve_conflict(data)
            return
        except ServiceError as exc:
            QMessageBox.critical(self, "Cannot save", str(exc))
            return
        self.result_case = case
        self.undo_stack.setClean()
        self.accept()

    def _resolve_conflict(self, mine: ReferralInput) -> None:
        """Someone saved this case first: show both versions; nothing is lost."""
        from dataclasses import asdict

        from mdtboard.ui.conflict_dialog import Choice, ConflictDialog

        assert self.referral_id is not None
        theirs = referrals.get_case(self.ctx.db, self.referral_id)
        dialog = ConflictDialog(asdict(mine), asdict(theirs.data), f"Case {self.referral_id}", self)
        self.conflict_dialog = dialog
        dialog.exec()
        if dialog.choice == Choice.KEEP_MINE:
            self._version = theirs.version
            self.save()
        elif dialog.choice == Choice.TAKE_THEIRS:
            self._load(self.referral_id)
            self.undo_stack.clear()
            self._snapshot_all()
            self.undo_stack.setClean()
            self._update_readiness()

    def has_unsaved_changes(self) -> bool:
        return not self.undo_stack.isClean()

    def reject(self) -> None:
        if self.has_unsaved_changes():
            answer = QMessageBox.question(
                self,
                "Unsaved changes",
                "This referral has unsaved changes. Save them?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save()
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.has_unsaved_changes():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    @classmethod
    def ask(
        cls, parent: QWidget | None, ctx: ServiceContext, referral_id: int | None = None
    ) -> CaseDetail | None:
        dialog = cls(ctx, referral_id, parent)
        dialog.exec()
        return dialog.result_case
