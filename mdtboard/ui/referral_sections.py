"""The sections of the referral form: patient, referral, disease, imaging and
pathology, pathway times (group boxes) and the spinal levels.

Each section lays out its fields through the form's :class:`FormFields` (so undo,
errors and Tab order stay the form's) and offers small typed methods for what it
shows; none of them reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
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
from mdtboard.ui.widgets import qdatetime_to_utc

WARNING_COLOUR = "#b36b00"


class PatientSection(QGroupBox):
    """Who the patient is. Once the MRN names a known patient, the rest is read-only."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Patient", parent)
        form = QFormLayout(self)
        self.mrn = fields.line("mrn", form, "Hospital number (MRN) *")
        self.family_name = fields.line("family_name", form, "Family name *")
        self.given_name = fields.line("given_name", form, "Given name *")
        self.date_of_birth = fields.date("date_of_birth", form, "Date of birth *")
        self.sex = fields.combo("sex", form, "Sex", [(s.label, s.value) for s in Sex])
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
        self._received_loaded: tuple[QDateTime, datetime] | None = None
        #: the checklist opened last (window-modal)
        self.checklist_dialog: QDialog | None = None
        form = QFormLayout(self)
        self.received_at = QDateTimeEdit(QDateTime.currentDateTime(), self)
        self.received_at.setCalendarPopup(True)
        self.received_at.setDisplayFormat("dd/MM/yyyy HH:mm")
        fields.watched(
            "received_at",
            form,
            "Received *",
            self.received_at,
            get=self.received_value,
            set_=self.set_received,
            signal=self.received_at.dateTimeChanged,
        )
        self.referrer_name = fields.line("referrer_name", form, "Referrer *")
        self.referrer_organisation = fields.line("referrer_organisation", form, "Organisation")
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

    def set_received(self, value: datetime) -> None:
        shown = QDateTime(value.astimezone())  # type: ignore[call-overload]
        self._received_loaded = (shown, value)
        self.received_at.setDateTime(shown)

    def received_value(self) -> datetime:
        shown = self.received_at.dateTime()
        if self._received_loaded is not None and shown == self._received_loaded[0]:
            return self._received_loaded[1]  # unchanged: keep the stored time exactly
        return qdatetime_to_utc(shown)

    def show_urgency_hint(self, text: str, higher: bool) -> None:
        """What the red flags suggest; ``higher``: more urgent than chosen (offer it)."""
        self.urgency_hint.setText(text)
        self.urgency_hint.setStyleSheet(f"color: {WARNING_COLOUR};" if higher else "")
        self.urgency_hint.setVisible(bool(text))
        self.use_suggestion_btn.setVisible(higher)


class HistologyCombo(QComboBox):
    """The histology catalogue, searchable by label or synonym. Its value is the
    entry's key; ``sig_user_changed`` when the user picks an entry or stops typing."""

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
        # Search by label or synonym: the completer offers "Label — synonyms".
        completer = QCompleter([self._search_text(i) for i in range(self.count())], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(lambda text: self._pick(text))
        self.setCompleter(completer)
        self.activated.connect(lambda _i: self.sig_user_changed.emit())
        line = self.lineEdit()
        assert line is not None
        line.editingFinished.connect(self._resolve_typed_text)

    def key(self) -> str:
        idx = self.findText(self.currentText().split(" — ")[0])
        return str(self.itemData(idx)) if idx >= 0 else ""

    def set_key(self, value: Any) -> None:
        self.setCurrentIndex(max(0, self.findData(value)))

    def _search_text(self, i: int) -> str:
        syn = self.itemData(i, Qt.ItemDataRole.ToolTipRole)
        return f"{self.itemText(i)} — {syn}" if syn else self.itemText(i)

    def _resolve_typed_text(self) -> None:
        """Typed text that names exactly one catalogue entry (label or synonym) selects it."""
        text = self.currentText().split(" — ")[0].strip()
        if self.findText(text) < 0 and text:
            matches = histology.search(text)
            if len(matches) == 1:
                self.setCurrentIndex(self.findData(matches[0].key))
        self.sig_user_changed.emit()

    def _pick(self, text: str) -> None:
        idx = self.findText(text.split(" — ")[0])
        if idx >= 0:
            self.setCurrentIndex(idx)
            self.sig_user_changed.emit()


class DiseaseSection(QGroupBox):
    """Primary or metastatic, histology, compartment and neurology."""

    def __init__(self, fields: FormFields, parent: QWidget) -> None:
        super().__init__("Disease", parent)
        form = QFormLayout(self)
        self.disease_kind = fields.combo(
            "disease_kind",
            form,
            "Primary or metastatic *",
            [(k.label, k.value) for k in DiseaseKind],
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
        form = QFormLayout(self)
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
        form = QFormLayout(self)
        self.mscc_suspected_at = fields.datetime("mscc_suspected_at", form, "MSCC suspected at")
        self.mri_at = fields.datetime("mri_at", form, "Whole-spine MRI at")
        self.dexamethasone_started_at = fields.datetime(
            "dexamethasone_started_at", form, "Dexamethasone started at"
        )
        self.dexamethasone_omitted_reason = fields.line(
            "dexamethasone_omitted_reason", form, "Dexamethasone not given: why"
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
            "treatment_started_at", form, "Treatment started at"
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
        lay.addWidget(self.picker, 1)
        fields.errors["levels"] = error_label(self)
        lay.addWidget(fields.errors["levels"])
