"""The scores of one referral as its form edits them, without Qt.

``ScoreSheet`` keeps the answers of each score tool shown on the referral form, the
stored score each one would update (id and version, for the optimistic lock), and
the answers derived from other facts (``domain.shared_facts.derived_answers``). The
rule is meeting mode's (``ui/meeting/presenter.py``): an item answered by hand —
stored, or changed by the user — is never moved; an item filled by derivation
follows its source until the user changes it.

What is saved (``changes``): nothing until the user changes a score; then every tool
whose answers differ from the stored ones, each against the version it was read at.
No PySide6 import here (an import-linter contract keeps it so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mdtboard.domain.scores import TOOLS, evaluate, relevant_tools
from mdtboard.domain.shared_facts import Derived, Follower
from mdtboard.services.assessments import AssessmentView, ScoreChange, scores_at

Answers = dict[str, Any]


def _freeze(answers: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(answers.items()))


@dataclass(frozen=True)
class SheetState:
    """One point of the form's undo history: everything the user can change here."""

    scores: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    following: tuple[tuple[str, tuple[tuple[str, Derived], ...]], ...]
    overridden: frozenset[tuple[str, str]]
    edited: bool


class ScoreSheet:
    """The score answers of the referral form, what derives from what, and what to save."""

    def __init__(self) -> None:
        #: the latest stored score of each tool (no subject): what the form updates
        self.stored: dict[str, AssessmentView] = {}
        #: the score tools stored for the case that this sheet does not edit (scores of
        #: one lesion, primary-tumour staging, earlier rows), complete ones only
        self.other_complete: frozenset[str] = frozenset()
        #: the tools shown, in order
        self.tools: list[str] = []
        self.scores: dict[str, Answers] = {}
        self.histology_key: str | None = None
        #: the user changed a score since the sheet was loaded
        self.edited = False
        #: which answers follow another fact (domain.shared_facts.Follower)
        self._facts = Follower()

    # --- loading -------------------------------------------------------------------
    def load(self, rows: Iterable[AssessmentView]) -> None:
        """The case's stored scores (every row, as ``list_assessments`` gives them)."""
        rows = list(rows)
        latest = [a for a in scores_at(rows, None) if not a.subject and a.tool_id in TOOLS]
        self.stored = {a.tool_id: a for a in latest}
        edited_rows = {a.id for a in latest}
        self.other_complete = frozenset(
            a.tool_id for a in rows if a.complete and a.id not in edited_rows
        )
        self.scores = {t: dict(a.answers) for t, a in self.stored.items()}
        self._facts.reset()
        self.edited = False
        self.derive()

    def refresh_stored(self, rows: Iterable[AssessmentView]) -> list[str]:
        """After a conflict: take the stored scores again. A tool stored anew or changed
        since it was read shows the stored answers (never overwritten by the next save);
        the user's other answers stay. Returns the tools that were taken."""
        before, mine, edited = self.stored, self.state(), self.edited
        self.load(rows)
        taken = [
            t
            for t, a in self.stored.items()
            if t not in before or (before[t].id, before[t].version) != (a.id, a.version)
        ]
        for tool_id, answers in mine.scores:
            if tool_id not in taken:
                self.scores[tool_id] = dict(answers)
        for tool_id, following in mine.following:
            if tool_id not in taken:
                self._facts.following[tool_id] = dict(following)
        self._facts.overridden = {(t, i) for t, i in mine.overridden if t not in taken}
        self.edited = edited
        self.derive()
        return taken

    def show_for(self, disease_kind: str, compartment: str) -> bool:
        """The tools shown for this case type: those suggested for it, then any other
        stored or answered by hand here (answers only derived go with their tool).
        Returns whether the list changed."""
        tools = list(relevant_tools(disease_kind, compartment))
        kept = [t for t in TOOLS if t not in tools and (t in self.stored or self._by_hand(t))]
        tools += kept
        for tool_id in [t for t in self.scores if t not in tools]:
            del self.scores[tool_id]
            self._facts.following.pop(tool_id, None)
        if tools == self.tools:
            return False
        self.tools = tools
        self.derive()
        return True

    def _by_hand(self, tool_id: str) -> bool:
        following = self._facts.following.get(tool_id, {})
        return any(item not in following for item in self.scores.get(tool_id, {}))

    def set_histology(self, histology_key: str | None) -> set[str]:
        """The case's histology (derived primary-site items follow it)."""
        if histology_key == self.histology_key:
            return set()
        self.histology_key = histology_key
        return self.derive()

    # --- edits ---------------------------------------------------------------------
    def set_score(self, tool_id: str, answers: Mapping[str, Any]) -> set[str]:
        """The user's answers for a tool; the answers derived from them follow.
        Returns the other tools whose answers moved."""
        if dict(answers) == self.scores.get(tool_id, {}):
            return set()
        self._facts.edited(tool_id, answers)
        self.scores[tool_id] = dict(answers)
        self.edited = True
        return self.derive() - {tool_id}

    def derive(self) -> set[str]:
        """Fill every item another recorded fact answers, unless it was answered or
        changed by hand; an item filled so whose source is gone is emptied again.
        Returns the tools whose answers changed."""
        return self._facts.derive(self.tools, self.scores, self.histology_key)

    # --- undo ----------------------------------------------------------------------
    def state(self) -> SheetState:
        following, overridden = self._facts.frozen()
        return SheetState(
            tuple((t, _freeze(a)) for t, a in sorted(self.scores.items())),
            following,
            overridden,
            self.edited,
        )

    def restore(self, state: SheetState) -> None:
        self.scores = {t: dict(a) for t, a in state.scores}
        self._facts.thaw(state.following, state.overridden)
        self.edited = state.edited
        self.derive()  # the case's facts (histology) may have changed since

    # --- reading -------------------------------------------------------------------
    def derived_sources(self, tool_id: str) -> dict[str, str]:
        """The items of a tool shown as derived: item → where the answer came from."""
        return self._facts.sources(tool_id, self.scores.get(tool_id, {}))

    def changes(self) -> list[ScoreChange]:
        """The scores to save, each new or against the version it was read at."""
        if not self.edited:
            return []
        out: list[ScoreChange] = []
        for tool_id in self.tools:
            answers = self.scores.get(tool_id, {})
            stored = self.stored.get(tool_id)
            if answers == (dict(stored.answers) if stored else {}):
                continue
            out.append(
                ScoreChange(
                    tool_id,
                    dict(answers),
                    assessment_id=stored.id if stored else None,
                    expected_version=stored.version if stored else None,
                )
            )
        return out

    def complete_tools(self) -> frozenset[str]:
        """The tools with a complete score once this sheet is saved (for readiness)."""
        pending = {c.tool_id: c.answers for c in self.changes()}
        done = {t for t, a in self.stored.items() if a.complete and t not in pending}
        done |= {t for t, a in pending.items() if a and _complete(t, a)}
        return frozenset(done | self.other_complete)


def _complete(tool_id: str, answers: Mapping[str, Any]) -> bool:
    try:
        return evaluate(tool_id, answers).complete
    except ValueError:
        return False
