"""The case being recorded in meeting mode, without Qt.

``CasePresenter`` owns everything the chair can change for the open case — the
decision input, the score answers and the versions they were read at, the
primary-tumour staging records, what is unsaved, and the undo history — and tells
the pages when it changes (``loaded`` when a case is opened or restored by undo,
``changed`` after an edit). Pages show it and send their edits back; they hold no
case state of their own. Saving, signing off and amending go through the services,
each one transaction (docs/architecture.md, "Meeting mode").

No PySide6 import here: an import-linter contract keeps it so, and it is tested
without a QApplication.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from mdtboard.domain import noms, staging, treatments
from mdtboard.domain.noms import NomsSuggestion
from mdtboard.domain.scores import (
    TOOLS,
    ScoreResult,
    evaluate,
    relevant_tools,
    sins_location_for_levels,
)
from mdtboard.domain.shared_facts import Follower
from mdtboard.domain.treatments import PlanProblem
from mdtboard.services import decisions, meetings, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import (
    ActionInput,
    AttendanceView,
    DecisionInput,
    DecisionView,
    ModalityInput,
    Quorum,
    ScoreChange,
)
from mdtboard.services.errors import ServiceError
from mdtboard.services.meetings import AgendaEntry
from mdtboard.services.summaries import CaseReport

Answers = dict[str, Any]
Frozen = tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]


class Event:
    """A minimal observer: ``connect`` callbacks, ``emit`` calls them in order."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., None]] = []

    def connect(self, callback: Callable[..., None]) -> None:
        self._callbacks.append(callback)

    def emit(self, *args: Any) -> None:
        for callback in list(self._callbacks):
            callback(*args)


def _freeze(records: Mapping[str, Mapping[str, Any]]) -> Frozen:
    return tuple((k, tuple(sorted(v.items()))) for k, v in sorted(records.items()) if v)


@dataclass(frozen=True)
class Snapshot:
    """One point of the undo history: everything the chair can change."""

    decision: DecisionInput
    scores: Frozen
    staging: Frozen = ()
    #: the answers following another fact, and those changed by hand (facts asked once):
    #: undoing a hand change makes the item follow its fact again
    following: Frozen = ()
    overridden: frozenset[tuple[str, str]] = frozenset()


class CasePresenter:
    """The open case of one meeting: state, edits, undo and the service calls."""

    def __init__(self, ctx: ServiceContext, meeting_id: int) -> None:
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.entry: AgendaEntry | None = None
        self.case: CaseReport | None = None
        self.decision: DecisionView | None = None
        self.data = DecisionInput()
        #: the score tools shown for this case, in order
        self.tools: list[str] = []
        self.scores: dict[str, Answers] = {}
        #: primary-tumour staging records (§12), one a lesion
        self.staging: dict[str, Answers] = {}
        self.amending = False
        self.dirty = False
        self.last_save_error = ""
        self._assessment_ids: dict[str, tuple[int, int]] = {}
        self._staging_ids: dict[str, tuple[int, int]] = {}
        self._dirty_scores: set[str] = set()
        self._dirty_staging: set[str] = set()
        #: which answers follow another fact (issue 16 part 4: each fact asked once)
        self._facts = Follower()
        self._history: list[Snapshot] = []
        self._at = -1
        self._histories: dict[int, list[Any]] = {}
        #: the meeting's quorum as last read (``refresh_quorum``)
        self.quorum: Quorum | None = None
        #: ``loaded(reason)``: "open" for a case opened, "undo"/"redo" for a restore
        self.loaded = Event()
        #: ``changed(fields, origin)``: the names changed and the page that changed them
        self.changed = Event()
        #: ``state_changed()``: saved, signed off, amending started or ended
        self.state_changed = Event()

    # ------------------------------------------------------------------ agenda
    def agenda(self) -> list[AgendaEntry]:
        entries = meetings.agenda(self.ctx.db, self.meeting_id)
        # every listed patient's earlier discussions at once, not a query per case opened
        self._histories = dict(
            meetings.patient_histories(self.ctx.db, [e.patient_id for e in entries])
        )
        return entries

    def refresh_quorum(self) -> Quorum:
        self.quorum = decisions.quorum(self.ctx.db, self.meeting_id)
        return self.quorum

    def attendance(self) -> list[AttendanceView]:
        return decisions.attendance(self.ctx.db, self.meeting_id)

    def earlier_discussions(self) -> list[Any]:
        """The patient's discussions at other meetings (they do not change during this one)."""
        if self.case is None:
            return []
        pid = self.case.patient.id
        if pid not in self._histories:
            self._histories[pid] = meetings.patient_history(self.ctx.db, pid)
        return [h for h in self._histories[pid] if h.meeting_id != self.meeting_id]

    # ----------------------------------------------------------------- opening
    def open(self, entry: AgendaEntry) -> None:
        """Read the case of this agenda entry and make it the one being recorded."""
        self.entry = entry
        self.case = summaries.agenda_case(self.ctx.db, entry.id)
        self.decision = self.case.decision
        self.amending = False
        self.data = self.decision.data if self.decision else DecisionInput()
        self._read_scores(self.case)
        self.dirty = False  # derived answers are saved with the first real edit
        self.last_save_error = ""
        self._history = [self.snapshot()]
        self._at = 0
        self.loaded.emit("open")

    def _read_scores(self, case: CaseReport) -> None:
        tools = list(relevant_tools(case.disease_kind, case.compartment))
        self.scores, self.staging = {}, {}
        self._assessment_ids, self._staging_ids = {}, {}
        self._dirty_scores, self._dirty_staging = set(), set()
        for line in case.scores:
            if line.tool_id == staging.TOOL_ID:
                self.staging[line.subject] = dict(line.answers)
                self._staging_ids[line.subject] = (line.id, line.version)
            elif line.tool_id in TOOLS and not line.subject:
                if line.tool_id not in tools:
                    tools.append(line.tool_id)
                self.scores[line.tool_id] = dict(line.answers)
                self._assessment_ids[line.tool_id] = (line.id, line.version)
        self.tools = tools
        self._facts.reset()
        # the SINS location from the levels (§1.1): proposed, the chair can change it
        if "sins" in tools and "location" not in self.scores.get("sins", {}):
            location = sins_location_for_levels(case.levels) if case.levels else None
            if location:
                self.scores["sins"] = {**self.scores.get("sins", {}), "location": location}
                self._dirty_scores.add("sins")
        self._derive()

    def _derive(self) -> set[str]:
        """Fill every item another recorded fact answers (KPS, Frankel, histology, the
        extent of disease, the Bauer total: domain.shared_facts), unless it was answered
        or changed by hand. Returns the tools whose answers changed."""
        histology_key = self.case.histology_key if self.case else None
        changed = self._facts.derive(self.tools, self.scores, histology_key)
        self._dirty_scores |= changed
        return changed

    def derived_sources(self, tool_id: str) -> dict[str, str]:
        """The items of a tool shown as derived: item → where the answer came from."""
        return self._facts.sources(tool_id, self.scores.get(tool_id, {}))

    def entered(self, tool_id: str) -> Any:
        """The stored score line of a tool (who entered it and when), or None."""
        if self.case is None:
            return None
        return next((s for s in self.case.scores if s.tool_id == tool_id and not s.subject), None)

    # -------------------------------------------------------------- properties
    @property
    def is_final(self) -> bool:
        """Signed off (or superseded) and not being amended: nothing can be changed."""
        return self.decision is not None and self.decision.is_final and not self.amending

    @property
    def is_signed(self) -> bool:
        return self.decision is not None and self.decision.status == "signed_off"

    @property
    def is_primary(self) -> bool:
        """A primary tumour: step 4 is the primary-tumour pathway, never NOMS (§9.4)."""
        case = self.case
        return case is not None and noms.case_kind(case.disease_kind, case.histology_key) == (
            "primary"
        )

    # ------------------------------------------------------------------- edits
    def update(self, origin: object = None, **fields: Any) -> None:
        """Change decision fields (``plan_text=…``); ignored once signed off."""
        if self.case is None or self.is_final:
            return
        new = replace(self.data, **fields)
        if new == self.data:
            return
        self.data = new
        self._edited(frozenset(fields), origin)

    def set_score(self, tool_id: str, answers: Mapping[str, Any], origin: object = None) -> None:
        """The user's answers for a tool; the answers other tools derive from them follow."""
        if self.case is None or self.is_final or dict(answers) == self.scores.get(tool_id, {}):
            return
        self._facts.edited(tool_id, answers)
        self.scores[tool_id] = dict(answers)
        self._dirty_scores.add(tool_id)
        fields = {"scores", f"score:{tool_id}"}
        fields.update(f"score:{t}" for t in self._derive())
        self._edited(frozenset(fields), origin)

    def add_tool(self, tool_id: str, origin: object = None) -> bool:
        """Any tool of the engine can be scored for the case, not only the suggested ones."""
        if self.case is None or tool_id in self.tools or tool_id not in TOOLS:
            return False
        self.tools.append(tool_id)
        fields = {"tools", *(f"score:{t}" for t in self._derive())}
        self.changed.emit(frozenset(fields), origin)
        return True

    def set_staging(self, lesion: str, answers: Mapping[str, Any], origin: object = None) -> None:
        if self.case is None or self.is_final or dict(answers) == self.staging.get(lesion, {}):
            return
        self.staging[lesion] = dict(answers)
        self._dirty_staging.add(lesion)
        self._edited(frozenset({"staging"}), origin)

    def set_biopsy(self, route: str, rationale: str, origin: object = None) -> None:
        """The biopsy decision of step 2 is the plan's first modality."""
        mods = [m for m in self.data.modalities if m.kind != "biopsy"]
        if route:
            details: dict[str, Any] = {"route": route}
            if rationale.strip():
                details["rationale"] = rationale.strip()
            mods.insert(0, ModalityInput("biopsy", details))
        self.update(origin, modalities=tuple(mods))

    def biopsy(self) -> tuple[str, str]:
        """(route, rationale) of the plan's biopsy modality."""
        m = next((m for m in self.data.modalities if m.kind == "biopsy"), None)
        if m is None:
            return "", ""
        return str(m.details.get("route", "")), str(m.details.get("rationale", ""))

    def add_action(self, action: ActionInput, origin: object = None) -> None:
        self.update(origin, actions=(*self.data.actions, action))

    def apply_suggestion(self, origin: object = None) -> bool:
        """Add the NOMS suggestion's modalities (and dexamethasone already started on
        the referral) to the plan, each kind once; False when there is nothing to add."""
        case = self.case
        if case is None or self.is_final or self.is_primary:
            return False
        s = self.noms_suggestion()
        started = case.pathway is not None and case.pathway.dexamethasone_started_at is not None
        have = {m.kind for m in self.data.modalities}
        new = [
            ModalityInput(m["kind"], m["details"])
            for m in treatments.suggested_modalities(s.band, s.flags, started)
            if m["kind"] not in have
        ]
        if not new:
            return False
        self.update(origin, modalities=(*self.data.modalities, *new))
        return True

    def proposed_rationale(self) -> str:
        """The rationale pre-written from the NOMS or primary-pathway explanation."""
        return "\n".join(self.noms_suggestion().explanation)

    def fill_rationale(self, origin: object = None) -> None:
        """Pre-write an empty rationale (the chair edits it)."""
        if not self.data.rationale.strip() and (text := self.proposed_rationale()):
            self.update(origin, rationale=text)

    def fill_plan(self, origin: object = None) -> None:
        """The consensus plan written from the intent and the modalities (editable)."""
        text = treatments.describe_plan(
            self.data.intent,
            [{"kind": m.kind, "details": dict(m.details)} for m in self.data.modalities],
        )
        if text:
            self.update(origin, plan_text=text)

    def _edited(self, fields: frozenset[str], origin: object) -> None:
        self.dirty = True
        self.changed.emit(fields, origin)

    # -------------------------------------------------------------------- undo
    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.data,
            _freeze(self.scores),
            _freeze(self.staging),
            *self._facts.frozen(),
        )

    def record(self) -> bool:
        """Close an undo step if anything changed since the last one (the window calls
        this a moment after typing stops, so one word is one step, not one letter)."""
        now = self.snapshot()
        if self._at >= 0 and self._history[self._at] == now:
            return False
        del self._history[self._at + 1 :]
        self._history.append(now)
        self._at = len(self._history) - 1
        return True

    @property
    def can_undo(self) -> bool:
        return self._at > 0 and not self.is_final

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._history) - 1 and not self.is_final

    @property
    def undo_steps(self) -> int:
        return self._at

    def undo(self) -> None:
        self.record()
        if self.can_undo:
            self._at -= 1
            self._restore(self._history[self._at], "undo")

    def redo(self) -> None:
        self.record()  # an edit made since the undo is a new step: it ends the redo history
        if self.can_redo:
            self._at += 1
            self._restore(self._history[self._at], "redo")

    def _restore(self, snap: Snapshot, reason: str) -> None:
        self.data = snap.decision
        scores = {k: dict(v) for k, v in snap.scores}
        for tool_id in set(scores) | set(self.scores):
            if scores.get(tool_id, {}) != self.scores.get(tool_id, {}):
                self._dirty_scores.add(tool_id)
        self.scores = scores
        records = {k: dict(v) for k, v in snap.staging}
        for lesion in set(records) | set(self.staging):
            if records.get(lesion, {}) != self.staging.get(lesion, {}):
                self._dirty_staging.add(lesion)
        self.staging = records
        self._facts.thaw(snap.following, snap.overridden)
        self.dirty = True
        self.loaded.emit(reason)

    # ----------------------------------------------------------------- derived
    def result(self, tool_id: str) -> ScoreResult | None:
        answers = self.scores.get(tool_id)
        if not answers:
            return None
        try:
            return evaluate(tool_id, answers)
        except ValueError:
            return None

    def noms_suggestion(self) -> NomsSuggestion:
        """Shown while editing; the service stores the band it computes itself."""
        case = self.case
        escc_r, sins_r = self.result("escc"), self.result("sins")
        pain = self.data.noms_mechanical_pain
        if pain is None and "sins" in self.scores:
            pain = noms.mechanical_pain_from_sins(self.scores["sins"])
        sources = {}
        if escc_r is not None and escc_r.complete:
            sources["neurologic"] = f"ESCC {self.scores['escc'].get('grade')}"
        if sins_r is not None and sins_r.complete:
            sources["mechanical"] = f"SINS {sins_r.total}"
        return noms.from_scores(
            escc_r.band if escc_r and escc_r.complete else None,
            case.histology_key if case else None,
            sins_r.band if sins_r and sins_r.complete else None,
            self.data.fit_for_surgery,
            disease_kind=case.disease_kind if case else None,
            mechanical_pain_without_deformity=pain,
            oncologic=self.data.noms_oncologic,
            sources=sources,
        )

    def problems(self) -> tuple[PlanProblem, ...]:
        """The plan validator's findings (treatments.validate_plan), the plan text too."""
        case = self.case
        return tuple(
            treatments.validate_plan(
                self.data.intent,
                [{"kind": m.kind, "details": dict(m.details)} for m in self.data.modalities],
                histology_key=case.histology_key if case else None,
            )
        )

    # ------------------------------------------------------------------ saving
    def score_changes(self) -> list[tuple[tuple[str, str], ScoreChange]]:
        """The changed scores, each against the version the case was opened with: a
        score changed meanwhile on another workstation is a conflict, never
        overwritten. Keyed by (tool, subject) so the stored versions can be kept."""
        out: list[tuple[tuple[str, str], ScoreChange]] = []
        for tool_id in sorted(self._dirty_scores):
            answers = self.scores.get(tool_id, {})
            current = self._assessment_ids.get(tool_id)
            if answers or current is not None:
                out.append(((tool_id, ""), self._change(tool_id, answers, "", current)))
        for lesion in sorted(self._dirty_staging):
            answers = self.staging.get(lesion, {})
            current = self._staging_ids.get(lesion)
            if answers or current is not None:
                change = self._change(staging.TOOL_ID, answers, lesion, current)
                out.append(((staging.TOOL_ID, lesion), change))
        return out

    @staticmethod
    def _change(
        tool_id: str, answers: Answers, subject: str, current: tuple[int, int] | None
    ) -> ScoreChange:
        return ScoreChange(
            tool_id,
            answers,
            subject=subject,
            assessment_id=current[0] if current else None,
            expected_version=current[1] if current else None,
        )

    def _scores_saved(self, keys: Iterable[tuple[str, str]], saved: Iterable[Any]) -> None:
        for (tool_id, subject), view in zip(keys, saved, strict=True):
            if tool_id == staging.TOOL_ID:
                self._staging_ids[subject] = (view.id, view.version)
            else:
                self._assessment_ids[tool_id] = (view.id, view.version)
        self._dirty_scores.clear()
        self._dirty_staging.clear()

    def save(self) -> bool:
        """The draft and every changed score in one transaction (autosave and Ctrl+S).
        False when it could not be saved (``last_save_error`` says why)."""
        if self.entry is None or not self.dirty or self.amending:
            return True
        if self.decision is not None and self.decision.is_final:
            self.dirty = False
            return True
        changes = self.score_changes()
        try:
            saved = decisions.save_case(
                self.ctx,
                self.entry.id,
                self.data,
                [c for _, c in changes],
                self.decision.version if self.decision else None,
            )
        except ServiceError as exc:
            self.last_save_error = str(exc)
            return False
        self.decision = saved.decision
        self._scores_saved([k for k, _ in changes], saved.scores)
        self.dirty = False
        self.last_save_error = ""
        self.state_changed.emit()
        return True

    def discard(self) -> None:
        """Forget the unsaved changes (the user chose to)."""
        self.dirty = False
        self._dirty_scores.clear()
        self._dirty_staging.clear()

    def sign_off(self, chair: str) -> None:
        """Save, then sign off (ServiceError when either is refused)."""
        if self.entry is None or self.is_final:
            return
        self.dirty = True
        if not self.save():
            raise ServiceError(self.last_save_error)
        assert self.decision is not None
        self.decision = decisions.sign_off(self.ctx, self.entry.id, self.decision.version, chair)
        self._after_final_change()

    def start_amendment(self) -> bool:
        if not self.is_signed:
            return False
        self.amending = True
        self.state_changed.emit()
        return True

    def amend(self, reason: str) -> None:
        """The amendment and the scores corrected with it, in one transaction (a score
        the signed-off decision used stays with it: the correction is a new score)."""
        if not self.amending or self.decision is None or self.entry is None:
            return
        changes = self.score_changes()
        saved = decisions.amend_case(
            self.ctx,
            self.entry.id,
            self.decision.version,
            self.data,
            reason,
            [c for _, c in changes],
        )
        self.decision = saved.decision
        self._scores_saved([k for k, _ in changes], saved.scores)
        self.amending = False
        self._after_final_change()

    def _after_final_change(self) -> None:
        assert self.entry is not None
        self.dirty = False
        self.case = summaries.agenda_case(self.ctx.db, self.entry.id)
        self.state_changed.emit()
