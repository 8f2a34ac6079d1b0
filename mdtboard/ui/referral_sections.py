"""The sections of the referral form: patient, referral, disease, imaging and
pathology, pathway times (group boxes) and the spinal levels.

Each section lays out its fields through the form's :class:`FormFields` (so undo,
errors and Tab order stay the form's) and offers small typed methods for what it
shows; none of them reads or writes the database. Dates and times are the typed fields
of :mod:`mdtboard.ui.date_fields` (the locale's format, a calendar on Alt+Down, Now for
pathway times); sex and disease kind start unchosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import histology
from mdtboard.domain.mscc import DEXAMETHASONE_OMISSION_REASONS
from mdtboard.domain.vocab import Compartment, DiseaseKind, Sex, Urgency
from mdtboard.services.referrals import PatientInput, PatientView
from mdtboard.ui.form_fields import FormFields, error_label
from mdtboard.ui.level_picker import LevelPicker
from mdtboard.ui.triage import (
    DifferentialDialog,
    RedFlagsDialog,
    differential_summary,
    red_flags_summary,
)

WARNING_COLOUR = "#b36b00"


def section_form(box: QGroupBox) -> QFormLayout:
    """A section's rows: label beside field, or above it when the window is narrow."""
    form = QFormLayout(box)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return form


class PatientSection(QGroupBox):
    """Who the patient is. Once the MRN names a known patient, the rest is read-only."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Patient", parent)
        form = section_form(self)
        self.mrn = fields.line("mrn", form, "Hospital number (MRN) *")
        self.family_name = fields.line("family_name", form, "Family name *")
        self.given_name = fields.line("given_name", form, "Given name *")
        self.date_of_birth = fields.date("date_of_birth", form, "Date of birth *")
        self.sex = fields.combo(
            "sex", form, "Sex *", [(s.label, s.value) for s in Sex], must_choose=True
        )
        self.national_number = fields.line("national_number", form, "National number")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("patientNote")
        form.addRow(self.note)

    def patient_input(self) -> PatientInput:
        return PatientInput(
            mrn=self.mrn.text(),
            family_name=self.family_name.text(),
            given_name=self.given_name.text(),
            date_of_birth=self.date_of_birth.date_value(),
            sex=self.sex.currentData(),
            national_number=self.national_number.text(),
        )

    def set_existing_patient(self, existing: bool) -> None:
        """A known patient's name, birth date and national number are not edited here."""
        for w in (self.family_name, self.given_name, self.national_number):
            w.setReadOnly(existing)
        self.date_of_birth.setReadOnly(existing)

    def show_note(self, text: str) -> None:
        self.note.setText(text)

    def show_duplicates(self, matches: Sequence[PatientView]) -> None:
        """Warn of patients with the same name and date of birth (none: no warning)."""
        if not matches:
            self.note.setStyleSheet("")
            return
        who = "; ".join(f"{d.display_name}, MRN {d.mrn}" for d in matches)
        self.note.setText(
            f"⚠ Possible duplicate — same name and date of birth: {who}. "
            "Check the hospital number before saving."
        )
        self.note.setStyleSheet(f"color: {WARNING_COLOUR}; font-weight: bold;")


class ReferralSection(QGroupBox):
    """When and from whom the referral came, what it asks, its urgency, red flags and
    differential diagnosis. Each checklist opens from its button; OK there emits
    ``sig_checklist_chosen(name, answers)``."""

    sig_checklist_chosen = Signal(str, object)

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Referral", parent)
        self._fields = fields
        #: the checklist opened last (window-modal)
        self.checklist_dialog: QDialog | None = None
        form = section_form(self)
        self.received_at = fields.datetime("received_at", form, "Received *")
        self.received_at.set_datetime_value(datetime.now(UTC))  # a new referral: now
        self.referrer_name = fields.line("referrer_name", form, "Referrer *")
        self.referrer_organisation = fields.line("referrer_organisation", form, "Organisation")
        self.gp_name = fields.line("gp_name", form, "GP")
        self.gp_practice = fields.line("gp_practice", form, "GP practice")
        self.copy_to = fields.text("copy_to", form, "Copy letter to", 40)
        self.copy_to.setToolTip("Other recipients of the outcome letter, one per line")
        self.urgency = fields.combo(
            "urgency", form, "Urgency *", [(u.label, u.value) for u in Urgency]
        )
        self.question = fields.text("question", form, "Question for the MDT *", 60)
        self.presenting_problem = fields.text("presenting_problem", form, "Presenting problem", 60)
        self.red_flags_btn = fields.checklist("red_flags", form, "Red flags", red_flags_summary)
        self.urgency_hint = QLabel(self)
        self.urgency_hint.setObjectName("urgencyHint")
        self.urgency_hint.setWordWrap(True)
        self.use_suggestion_btn = QPushButton("Use the suggested urgency", self)
        form.addRow(self.urgency_hint)
        form.addRow("", self.use_suggestion_btn)
        self.differential_btn = fields.checklist(
            "differential",
            form,
            "Differential diagnosis",
            lambda v: differential_summary(dict(v)),
        )
        self.red_flags_btn.clicked.connect(self._edit_red_flags)
        self.differential_btn.clicked.connect(self._edit_differential)

    def _edit_red_flags(self) -> None:
        """Opens the checklist (window-modal, no nested event loop); OK applies it."""
        dialog = RedFlagsDialog(self._fields.value("red_flags"), self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.sig_checklist_chosen.emit("red_flags", dialog.selected())
        )
        self.checklist_dialog = dialog
        dialog.open()

    def _edit_differential(self) -> None:
        dialog = DifferentialDialog(dict(self._fields.value("differential")), self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.sig_checklist_chosen.emit("differential", dialog.answers())
        )
        self.checklist_dialog = dialog
        dialog.open()

    def show_urgency_hint(self, text: str, higher: bool) -> None:
        """What the red flags suggest; ``higher``: more urgent than chosen (offer it)."""
        self.urgency_hint.setText(text)
        self.urgency_hint.setStyleSheet(f"color: {WARNING_COLOUR};" if higher else "")
        self.urgency_hint.setVisible(bool(text))
        self.use_suggestion_btn.setVisible(higher)


class HistologyCombo(QComboBox):
    """The histology catalogue, searchable by label or synonym. Its value is the
    entry's key; ``sig_user_changed`` when the user picks an entry or stops typing.
    The chosen entry shows its label alone, from its start, wide enough for the longest
    label, and its tooltip holds the label and synonyms."""

    sig_user_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem(histology.label_for(histology.AWAITING_BIOPSY), histology.AWAITING_BIOPSY)
        entries = sorted(histology.CATALOGUE.values(), key=lambda h: (h.kind, h.label))
        for h in entries:
            self.addItem(h.label, h.key)
            self.setItemData(self.count() - 1, ", ".join(h.synonyms), Qt.ItemDataRole.ToolTipRole)
        longest = max(self.fontMetrics().horizontalAdvance(h.label) for h in entries)
        self.setMinimumWidth(longest + 4 * self.fontMetrics().averageCharWidth() + 24)
        self.currentIndexChanged.connect(lambda _i: self._show_label())
        # Search by label or synonym: the completer offers "Label — synonyms".
        completer = QCompleter([self._search_text(i) for i in range(self.count())], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        # queued: after the line edit's own slot (connected on each focus-in), which
        # shows the completion "Label — synonyms"
        completer.activated.connect(self._pick, Qt.ConnectionType.QueuedConnection)
        self.activated.connect(lambda _i: self.sig_user_changed.emit())
        line = self.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._resolve_typed_text)

    def key(self) -> str:
        idx = self.findText(self.currentText().split(" — ")[0])
        return str(self.itemData(idx)) if idx >= 0 else ""

    def set_key(self, value: Any) -> None:
        self.setCurrentIndex(max(0, self.findData(value)))
        self._show_label()

    def _show_label(self) -> None:
        """The current entry's label alone (not the completer's "label — synonyms"),
        read from its start; the tooltip has it in full with its synonyms."""
        i = self.currentIndex()
        if i < 0:
            return
        label = self.itemText(i)
        if self.currentText() != label:
            self.setEditText(label)
        line = self.lineEdit()
        assert line is not None
        line.setCursorPosition(0)
        syn = self.itemData(i, Qt.ItemDataRole.ToolTipRole)
        self.setToolTip(f"{label} ({syn})" if syn else label)

    def _search_text(self, i: int) -> str:
        syn = self.itemData(i, Qt.ItemDataRole.ToolTipRole)
        return f"{self.itemText(i)} — {syn}" if syn else self.itemText(i)

    def _resolve_typed_text(self) -> None:
        """Typed text that names exactly one catalogue entry (label or synonym) selects it."""
        text = self.currentText().split(" — ")[0].strip()
        found = self.findText(text)
        if found < 0 and text:
            matches = histology.search(text)
            if len(matches) == 1:
                found = self.findData(matches[0].key)
        if found >= 0:
            self.setCurrentIndex(found)
            self._show_label()  # also when it was current already
        self.sig_user_changed.emit()

    def _pick(self, text: str) -> None:
        idx = self.findText(text.split(" — ")[0])
        if idx >= 0:
            self.setCurrentIndex(idx)
            self._show_label()
            self.sig_user_changed.emit()


class DiseaseSection(QGroupBox):
    """Primary or metastatic, histology, compartment and neurology."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Disease", parent)
        form = section_form(self)
        self.disease_kind = fields.combo(
            "disease_kind",
            form,
            "Primary or metastatic *",
            [(k.label, k.value) for k in DiseaseKind],
            must_choose=True,
        )
        self.histology = HistologyCombo(self)
        fields.watched(
            "histology_key",
            form,
            "Histology *",
            self.histology,
            get=self.histology.key,
            set_=self.histology.set_key,
            signal=self.histology.sig_user_changed,
        )
        line = self.histology.lineEdit()
        assert line is not None
        fields.steal_undo_keys(line)
        self.primary_site = fields.line("primary_site", form, "Known primary site")
        self.compartment = fields.combo(
            "compartment", form, "Compartment *", [(c.label, c.value) for c in Compartment]
        )
        self.neuro_status = fields.text("neuro_status", form, "Neurological status", 50)
        self.neuro_deficit = fields.check("neuro_deficit", form, "Neurological deficit present")


class AvailabilitySection(QGroupBox):
    """Whether imaging and pathology are available, their dates and a deferred biopsy's
    rationale. A date can be entered only when its box is ticked."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Imaging and pathology", parent)
        form = section_form(self)
        self.imaging_available = fields.check("imaging_available", form, "Imaging available")
        self.imaging_date = fields.date("imaging_date", form, "Imaging date")
        self.pathology_available = fields.check("pathology_available", form, "Pathology available")
        self.pathology_date = fields.date("pathology_date", form, "Pathology date")
        self.biopsy_deferral_rationale = fields.text(
            "biopsy_deferral_rationale", form, "Biopsy deferred: MDT rationale", 40
        )

    def sync_enabled(self) -> None:
        self.imaging_date.setEnabled(self.imaging_available.isChecked())
        self.pathology_date.setEnabled(self.pathology_available.isChecked())


class PathwaySection(QGroupBox):
    """The MSCC pathway's times (local time) and the dexamethasone prompt."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Pathway times (local)", parent)
        form = section_form(self)
        self.mscc_suspected_at = fields.datetime(
            "mscc_suspected_at", form, "MSCC suspected at", now=True
        )
        self.mri_at = fields.datetime("mri_at", form, "Whole-spine MRI at", now=True)
        self.dexamethasone_started_at = fields.datetime(
            "dexamethasone_started_at", form, "Dexamethasone started at", now=True
        )
        self.dexamethasone_omitted_reason = fields.line(
            "dexamethasone_omitted_reason", form, "Why no dexamethasone"
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
        form.addRow(self.dexamethasone_prompt)
        self.treatment_started_at = fields.datetime(
            "treatment_started_at", form, "Treatment started at", now=True
        )

    def show_dexamethasone_prompt(self, problems: Sequence[str]) -> None:
        """What is missing for dexamethasone (NICE NG234 §1.8); none: the prompt hides."""
        self.dexamethasone_prompt.setText(
            f"{problems[0]}: 16 mg (oral or the parenteral equivalent) as soon as possible, "
            "unless contraindicated (NICE NG234 §1.8)."
            if problems
            else ""
        )
        self.dexamethasone_prompt.setVisible(bool(problems))


class LevelsSection(QWidget):
    """The spinal levels: a heading, the picker (the field ``levels``) and its error line.
    The picker's ``sig_user_changed(old, new)`` is the form's to record."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Spinal levels * (click, Shift+click, or arrows and Space)", self))
        self.picker = LevelPicker(self)
        self.picker.setObjectName("levelPicker")
        fields.add("levels", self.picker, self.picker.selected, self.picker.set_selected)
        fields.labels["levels"] = "Spinal levels"
        lay.addWidget(self.picker, 1)
        fields.errors["levels"] = error_label(self)
        lay.addWidget(fields.errors["levels"])


class SectionsPage(QScrollArea):
    """The form's sections in two columns when there is room for them side by side,
    else in one (a small screen), scrolling when they are taller than the window.
    Word-wrapped notes get their full height; the field with the focus is scrolled
    into view (Tab, or a refused save focusing the first field at fault)."""

    #: the narrowest a column of two is made (labels beside their fields)
    COLUMN_WIDTH = 340

    def __init__(self, left: Sequence[QWidget], right: Sequence[QWidget], parent: QWidget):
        super().__init__(parent)
        self.setObjectName("sectionsPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        inner = QWidget(self)
        self._row = QHBoxLayout(inner)
        self._columns = (QVBoxLayout(), QVBoxLayout())
        for column in self._columns:
            self._row.addLayout(column, 1)
        self._left, self._right = tuple(left), tuple(right)
        for w in (*self._left, *self._right):
            w.setParent(inner)
        self.two_columns: bool | None = None
        self._arrange(True)
        self.setWidget(inner)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def _width_for_two(self) -> int:
        widest = [
            max(self.COLUMN_WIDTH, *(w.minimumSizeHint().width() for w in side))
            for side in (self._left, self._right)
        ]
        margins = self._row.contentsMargins()
        return sum(widest) + margins.left() + margins.right() + self._row.spacing()

    def _arrange(self, two: bool) -> None:
        if two == self.two_columns:
            return
        self.two_columns = two
        for column in self._columns:
            for w in (*self._left, *self._right):
                # removeWidget deletes the layout item at once: a taken item deleted
                # later would unhook the widget's new one (stale heights, clipped notes)
                column.removeWidget(w)
            while column.count():
                column.takeAt(0)  # the stretch
        sides = (self._left, self._right) if two else ((*self._left, *self._right), ())
        for n, (column, sections) in enumerate(zip(self._columns, sides, strict=True)):
            for w in sections:
                column.addWidget(w)
            column.addStretch(1)
            self._row.setStretch(n, 1 if sections else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        room = event.size().width() - self.verticalScrollBar().sizeHint().width()
        self._arrange(room >= self._width_for_two())
        super().resizeEvent(event)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        inner = self.widget()
        if new is not None and inner is not None and inner.isAncestorOf(new):
            self.ensureWidgetVisible(new, 8, 24)
