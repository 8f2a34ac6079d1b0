"""New / edit referral form with inline validation, undo/redo and readiness.

``ReferralDialog.ask(parent, ctx, referral_id=None) -> CaseDetail | None``.

The form's sections are in :mod:`mdtboard.ui.referral_sections`, its "Scores" tab in
:mod:`mdtboard.ui.referral_scores`, the readiness lamp and MDT history in
:mod:`mdtboard.ui.readiness_panel`, and the fields' bookkeeping (values, error lines,
Tab order) in :class:`~mdtboard.ui.form_fields.FormFields`. The dialog keeps the undo
stack and every call to the services: Save stores the referral and the scores changed
on it in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import mscc
from mdtboard.domain.readiness import CaseFacts, assess
from mdtboard.domain.scores import TOOLS
from mdtboard.services import assessments, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, ServiceError, ValidationError
from mdtboard.services.permissions import Permission, allowed
from mdtboard.services.referrals import CaseDetail, PatientInput, ReferralInput
from mdtboard.services.settings import get_settings, is_demo
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.form_fields import FormFields
from mdtboard.ui.readiness_panel import ReadinessPanel
from mdtboard.ui.referral_scores import ReferralScores, entered_text
from mdtboard.ui.referral_sections import (
    AvailabilitySection,
    DiseaseSection,
    LevelsSection,
    PathwaySection,
    PatientSection,
    ReferralSection,
    SectionsPage,
)
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.triage import suggestion_text
from mdtboard.ui.undo import SetFieldCommand, add_undo_actions, merge_id_for

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
#: the fields the score tools shown, and their derived answers, depend on
_SCORE_INPUTS = frozenset({"disease_kind", "compartment", "histology_key"})
#: what a known patient's MRN fills in (named alike on the form and in PatientView)
_PATIENT_DETAILS = ("family_name", "given_name", "date_of_birth", "sex", "national_number")


class ReferralDialog(QDialog):
    """The referral form; ``result_case`` is the saved case once it is accepted."""

    def __init__(
        self, ctx: ServiceContext, referral_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.referral_id = referral_id
        self.result_case: CaseDetail | None = None
        self._imaging_max_age_days = get_settings(ctx.db).imaging_max_age_days
        self._version = 0
        self._existing_patient = False
        self.undo_stack = QUndoStack(self)
        self._values: dict[str, Any] = {}
        self._loading = False
        self.fields = FormFields(self)
        self.fields.sig_edited.connect(self._user_edit)
        self._errors = self.fields.errors  # each field's error line, by name
        title = "New referral" if referral_id is None else "Edit referral"
        self.setWindowTitle(title + (f" — {DEMO_TITLE}" if is_demo(ctx.db) else ""))
        self.setObjectName("ReferralDialog")
        self._build()
        if referral_id is not None:
            self._load(referral_id)
        else:
            self.scores.load((), may_write=self._may_score, registered=False)
        self._show_case_type()
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
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("referralTabs")
        columns.addWidget(self.tabs, 5)
        self.patient = PatientSection(self.fields, self)
        self.referral = ReferralSection(self.fields, self)
        self.disease = DiseaseSection(self.fields, self)
        self.availability = AvailabilitySection(self.fields, self)
        self.pathway = PathwaySection(self.fields, self)
        left = (self.patient, self.referral)
        self.page = SectionsPage(left, (self.disease, self.availability, self.pathway), self)
        self.tabs.addTab(self.page, "&Referral")
        # the scores entered before the meeting (their own tab: issue 16 part 5)
        self._may_score = allowed(self.ctx.actor.role, Permission.ASSESSMENT_WRITE)
        self.scores = ReferralScores(self.tabs)
        self.scores.tab_anchor = self.tabs.tabBar()
        self.scores.sig_user_changed.connect(self._push_scores)
        self.tabs.addTab(self.scores, "Sc&ores")
        self.patient.mrn.editingFinished.connect(self._lookup_patient)
        self.referral.sig_checklist_chosen.connect(self._set_by_user)
        self.referral.use_suggestion_btn.clicked.connect(self._use_suggested_urgency)

        right = QVBoxLayout()
        columns.addLayout(right, 2)
        self.levels_section = LevelsSection(self.fields, self)
        self.levels = self.levels_section.picker
        self.levels.sig_user_changed.connect(
            lambda old, new: self._push("levels", tuple(old), tuple(new))
        )
        right.addWidget(self.levels_section, 1)
        self.side_panel = ReadinessPanel(self)
        right.addWidget(self.side_panel)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        bottom = QHBoxLayout()
        bottom.addWidget(self.fields.summary(self), 1)  # the fields a refused save names
        bottom.addWidget(buttons)
        outer.addLayout(bottom)

        self.act_undo, self.act_redo = add_undo_actions(self, self.undo_stack)
        act_save = QAction("Save", self)
        act_save.setShortcut(QKeySequence.StandardKey.Save)
        act_save.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act_save.triggered.connect(self.save)
        self.addAction(act_save)
        self._alias_widgets()
        room = self.screen().availableGeometry().size()  # a small screen: all of it
        keep_geometry(self, "referral/geometry", (min(1180, room.width()), min(780, room.height())))

    def _alias_widgets(self) -> None:
        """The sections' widgets as attributes of the dialog too (callers and tests)."""
        p, r, d = self.patient, self.referral, self.disease
        self.mrn = p.mrn
        self.family_name = p.family_name
        self.given_name = p.given_name
        self.date_of_birth = p.date_of_birth
        self.sex = p.sex
        self.national_number = p.national_number
        self.patient_note = p.note
        self.received_at = r.received_at
        self.referrer_name = r.referrer_name
        self.referrer_organisation = r.referrer_organisation
        self.gp_name = r.gp_name
        self.gp_practice = r.gp_practice
        self.copy_to = r.copy_to
        self.urgency = r.urgency
        self.question = r.question
        self.presenting_problem = r.presenting_problem
        self.red_flags_btn = r.red_flags_btn
        self.urgency_hint = r.urgency_hint
        self.use_suggestion_btn = r.use_suggestion_btn
        self.differential_btn = r.differential_btn
        self.disease_kind = d.disease_kind
        self.histology = d.histology
        self.primary_site = d.primary_site
        self.compartment = d.compartment
        self.neuro_status = d.neuro_status
        self.neuro_deficit = d.neuro_deficit
        a, w = self.availability, self.pathway
        self.imaging_available = a.imaging_available
        self.imaging_date = a.imaging_date
        self.pathology_available = a.pathology_available
        self.pathology_date = a.pathology_date
        self.biopsy_deferral_rationale = a.biopsy_deferral_rationale
        self.mscc_suspected_at = w.mscc_suspected_at
        self.mri_at = w.mri_at
        self.dexamethasone_started_at = w.dexamethasone_started_at
        self.dexamethasone_omitted_reason = w.dexamethasone_omitted_reason
        self.dexamethasone_prompt = w.dexamethasone_prompt
        self.treatment_started_at = w.treatment_started_at
        self.readiness = self.side_panel.readiness
        self.history = self.side_panel.history

    @property
    def checklist_dialog(self) -> QDialog | None:
        """The red flags or differential checklist opened last."""
        return self.referral.checklist_dialog

    def _set_by_user(self, name: str, value: Any) -> None:
        old = self.value(name)
        if value == old:
            return
        self.set_value(name, value)
        self._push(name, old, value)

    def _show_urgency_hint(self) -> None:
        text, higher = suggestion_text(self.value("red_flags"), str(self.value("urgency")))
        self.referral.show_urgency_hint(text, higher)

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
        self.pathway.show_dexamethasone_prompt(problems)

    def _use_suggested_urgency(self) -> None:
        suggested = mscc.suggest_urgency(self.value("red_flags")).urgency.value
        self._set_by_user("urgency", suggested)

    # --- values and undo -----------------------------------------------------
    def value(self, name: str) -> Any:
        return self.fields.value(name)

    def set_value(self, name: str, value: Any) -> None:
        """Set a field without recording an undo step (used by undo/redo and loading)."""
        self.fields.set_quietly(name, value)
        self._values[name] = value
        self._after_change(name)

    def _snapshot_all(self) -> None:
        for name in self.fields.names():
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
        index = self.fields.names().index(name)
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

    def _push_scores(self, old: object, new: object, name: str, label: str) -> None:
        """A score edit is one undo step (typing in one box merges)."""
        self.undo_stack.push(
            SetFieldCommand(
                name,
                old,
                new,
                lambda _n, state: self._restore_scores(state),
                merge_id=merge_id_for(len(self.fields.names())),
                label=label,
            )
        )
        self._update_readiness()

    def _restore_scores(self, state: Any) -> None:
        self.scores.restore(state)
        self._update_readiness()

    def _show_case_type(self) -> None:
        self.scores.set_case(
            str(self.value("disease_kind")),
            str(self.value("compartment")),
            self.value("histology_key") or None,
        )

    def _after_change(self, name: str) -> None:
        self._sync_enabled()
        if name in _SCORE_INPUTS:
            self._show_case_type()
        if name in ("red_flags", "urgency"):
            self._show_urgency_hint()
        if name in _DEXAMETHASONE_INPUTS:
            self._show_dexamethasone_prompt()
        if name in ("family_name", "given_name", "date_of_birth"):
            QTimer.singleShot(0, self._check_duplicates)
        self.fields.hide_error(name)
        self._update_readiness()

    def _sync_enabled(self) -> None:
        self.availability.sync_enabled()
        self.patient.set_existing_patient(self._existing_patient)

    # --- patient lookup --------------------------------------------------------
    def _lookup_patient(self) -> None:
        if self.referral_id is not None:
            return
        mrn = self.mrn.text().strip()
        found = referrals.find_patient_by_mrn(self.ctx.db, mrn) if mrn else None
        self._existing_patient = found is not None
        if found is not None:
            for name in _PATIENT_DETAILS:
                value = getattr(found, name)
                if self._values.get(name) != value:
                    self.set_value(name, value)
            self.patient.show_note(
                f"Existing patient {found.display_name}: this adds a new referral to their record."
            )
        else:
            self.patient.show_note("New patient." if mrn else "")
        self._sync_enabled()
        self._check_duplicates()

    def _check_duplicates(self) -> None:
        if self._existing_patient or self.referral_id is not None:
            return
        p = self.patient.patient_input()
        family, given = p.family_name.strip(), p.given_name.strip()
        if not (family and given and p.date_of_birth):
            return
        self.patient.show_duplicates(
            referrals.likely_duplicates(
                self.ctx.db, family, given, p.date_of_birth, exclude_mrn=p.mrn
            )
        )

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
            score_tools=self.scores.complete_tools(),  # stored, and entered in the tab
        )
        result = assess(facts, datetime.now(UTC).date(), self._imaging_max_age_days)
        self.side_panel.show_readiness(result.light, [r.message for r in result.reasons])
        missing = next((r.message for r in result.reasons if r.field == "scores"), "")
        self.scores.show_requirement(missing)

    # --- load and save -----------------------------------------------------------
    def _load(self, referral_id: int) -> None:
        from mdtboard.services import meetings

        case = referrals.get_case(self.ctx.db, referral_id)
        self._version = case.version
        self._existing_patient = True
        self._loading = True
        try:
            for name in ("mrn", *_PATIENT_DETAILS):
                self.set_value(name, getattr(case.patient, name))
            for name in self.fields.names():
                if hasattr(case.data, name):
                    self.set_value(name, getattr(case.data, name))
        finally:
            self._loading = False
        self.mrn.setReadOnly(True)
        self.patient.show_note(f"Case {referral_id} — status {case.status}.")
        rows = assessments.list_assessments(self.ctx.db, referral_id)
        self.scores.load(rows, may_write=self._may_score, registered=True)
        self._show_case_type()
        self.side_panel.show_history(meetings.patient_history(self.ctx.db, case.patient.id))

    def patient_input(self) -> PatientInput:
        return self.patient.patient_input()

    def referral_input(self) -> ReferralInput:
        imaging = self.value("imaging_available")
        pathology = self.value("pathology_available")
        return ReferralInput(
            received_at=self.value("received_at"),
            referrer_name=self.value("referrer_name"),
            referrer_organisation=self.value("referrer_organisation"),
            gp_name=self.value("gp_name"),
            gp_practice=self.value("gp_practice"),
            copy_to=self.value("copy_to"),
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
        self.fields.show_errors(problems)

    def save(self) -> None:
        data = self.referral_input()
        problems = (
            referrals.validate_case(self.patient_input(), data)
            if self.referral_id is None
            else referrals.validate_referral(data)
        )
        problems.update(self.fields.own_problems())  # not a date; not chosen
        if problems:
            self.show_errors(problems)
            return
        scores = self.scores.changes()
        try:
            if self.referral_id is None:
                case = referrals.register_referral(self.ctx, self.patient_input(), data, scores)
            else:
                case = referrals.update_referral(
                    self.ctx, self.referral_id, self._version, data, scores
                )
        except ValidationError as exc:
            self.show_errors(exc.problems)
            if problems := {k: v for k, v in exc.problems.items() if k in TOOLS}:
                self.tabs.setCurrentWidget(self.scores)
                QMessageBox.warning(self, "Cannot save", "\n".join(problems.values()))
            return
        except Conflict as exc:
            if exc.entity == "assessment":
                self._score_conflict(str(exc))
            else:
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
            self._load(self.referral_id)  # their scores too
            self.undo_stack.clear()
            self._snapshot_all()
            self.undo_stack.setClean()
            self._update_readiness()

    def _score_conflict(self, message: str) -> None:
        """A score was changed by someone else since this form read it: nothing was
        saved; the scores changed meanwhile now show the stored answers (and who
        entered them), the user's other edits stay."""
        assert self.referral_id is not None
        rows = assessments.list_assessments(self.ctx.db, self.referral_id)
        taken = self.scores.refresh_stored(rows)
        self._update_readiness()
        self.tabs.setCurrentWidget(self.scores)
        lines = {t: entered_text(self.scores.sheet.stored.get(t)) for t in taken}
        changed = "; ".join(f"{TOOLS[t].label} ({e[:1].lower()}{e[1:]})" for t, e in lines.items())
        QMessageBox.warning(
            self,
            "Score changed meanwhile",
            "Nothing was saved: the referral and its scores are saved together.\n\n"
            + (
                f"Someone else changed {changed} since you opened this referral. The form "
                "now shows their answers; your other changes are kept."
                if taken
                else message
            )
            + "\n\nCheck the scores, change them again if needed, and save.",
        )

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
