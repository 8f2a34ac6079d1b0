"""The primary-tumour pathway step of meeting mode: shown in place of NOMS for a primary
tumour (reference/scores.md §9.4, §12).

Per lesion the team records the Enneking stage (§12.1), the WBB zones and layers on
a drawn axial vertebra (§12.2), whether en bloc resection is feasible, and a note.
The page shows the planning reading of §12.2 and the pathway text as decision
support. It holds the records being edited and emits ``sig_changed(lesion)``; saving
is the meeting window's (each record is stored like a score, one per lesion).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain import levels, noms, staging
from mdtboard.ui.wbb_diagram import WbbDiagram


def lesions_of(case_levels: Iterable[str]) -> tuple[str, ...]:
    """One lesion per contiguous run of the case's levels ("S2–S4"), or one unnamed
    lesion when no level is recorded."""
    groups = levels.contiguous_groups(case_levels)
    return tuple(levels.format_levels(g) for g in groups) or ("",)


class PrimaryPathwayPage(QWidget):
    """Enneking stage, WBB zones and layers, en bloc feasibility: one record a lesion."""

    sig_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._records: dict[str, dict[str, Any]] = {}
        self._lesion = ""
        self._histology_key = ""
        self._loading = False
        outer = QVBoxLayout(self)
        banner = QLabel(
            "<b>Primary tumour — NOMS does not apply.</b> NOMS is a framework for spinal "
            "metastases (Laufer 2013); a primary tumour follows the primary-tumour pathway: "
            "Enneking stage and WBB zones per lesion (reference §12). Decision support for "
            "the MDT — not a treatment order.",
            self,
        )
        banner.setWordWrap(True)
        outer.addWidget(banner)
        row = QHBoxLayout()
        outer.addLayout(row, 1)
        left = QVBoxLayout()
        row.addLayout(left, 0)
        form = QFormLayout()
        left.addLayout(form)
        self.lesion = QComboBox(self)
        self.lesion.setObjectName("stagingLesion")
        self.lesion.setAccessibleName("Lesion")
        self.lesion.currentIndexChanged.connect(lambda _i: self._show_lesion())
        form.addRow("&Lesion", self.lesion)
        self.enneking = QComboBox(self)
        self.enneking.setObjectName("ennekingStage")
        self.enneking.setAccessibleName("Enneking stage")
        self.enneking.addItem("— not recorded —", "")
        for n, stage in enumerate(staging.ENNEKING, start=1):
            self.enneking.addItem(stage.label, stage.key)
            if stage.meaning:
                self.enneking.setItemData(n, stage.meaning, Qt.ItemDataRole.ToolTipRole)
        self.enneking.currentIndexChanged.connect(lambda _i: self._edited())
        form.addRow("&Enneking stage", self.enneking)
        self.en_bloc = QComboBox(self)
        self.en_bloc.setObjectName("enBloc")
        self.en_bloc.setAccessibleName("En bloc resection")
        self.en_bloc.addItem("— not recorded —", "")
        for key, label in staging.EN_BLOC:
            self.en_bloc.addItem(label, key)
        self.en_bloc.currentIndexChanged.connect(lambda _i: self._edited())
        form.addRow("En &bloc", self.en_bloc)
        self.note = QLineEdit(self)
        self.note.setObjectName("stagingNote")
        self.note.setAccessibleName("Staging note")
        self.note.setPlaceholderText("e.g. margins discussed with the sarcoma service")
        self.note.textEdited.connect(lambda _t: self._edited())
        form.addRow("&Note", self.note)
        self.reading = QTextBrowser(self)
        self.reading.setObjectName("stagingReading")
        self.reading.setAccessibleName("Primary-tumour pathway: reading")
        left.addWidget(self.reading, 1)
        right = QVBoxLayout()
        row.addLayout(right, 1)
        zones_label = QLabel("&WBB zones and layers (click the cells the tumour occupies):", self)
        right.addWidget(zones_label)
        self.diagram = WbbDiagram(self)
        self.diagram.setObjectName("wbbDiagram")
        zones_label.setBuddy(self.diagram)
        self.diagram.sig_cells_changed.connect(lambda _c: self._edited())
        right.addWidget(self.diagram, 1)
        legend = QLabel(
            "Layers: "
            + "; ".join(f"<b>{k}</b> {html.escape(label)}" for k, label in staging.LAYERS),
            self,
        )
        legend.setWordWrap(True)
        right.addWidget(legend)

    # --- state ------------------------------------------------------------------
    def set_case(
        self,
        lesions: Iterable[str],
        records: Mapping[str, Mapping[str, Any]],
        histology_key: str,
    ) -> None:
        """Show a case: its lesions and the records already stored for them."""
        self._histology_key = histology_key
        self._records = {lesion: dict(records.get(lesion, {})) for lesion in lesions}
        for lesion, answers in records.items():  # a stored record of a lesion since renamed
            self._records.setdefault(lesion, dict(answers))
        self._loading = True
        try:
            self.lesion.clear()
            for lesion in self._records:
                self.lesion.addItem(lesion or "(levels not recorded)", lesion)
        finally:
            self._loading = False
        if self._records:
            self._show_lesion()
        else:  # a case that does not show the page: nothing to lay out
            self._lesion = ""
            self.reading.clear()

    def records(self) -> dict[str, dict[str, Any]]:
        """Every lesion's answers as the record stores them (empty ones included)."""
        return {k: dict(v) for k, v in self._records.items()}

    def set_records(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """Show these answers (undo); the lesions stay as they are."""
        for lesion in self._records:
            self._records[lesion] = dict(records.get(lesion, {}))
        self._show_lesion()

    def current_lesion(self) -> str:
        return self._lesion

    def set_read_only(self, read_only: bool) -> None:
        for w in (self.enneking, self.en_bloc, self.note, self.diagram):
            w.setEnabled(not read_only)

    # --- editing ------------------------------------------------------------------
    def _show_lesion(self) -> None:
        if self._loading:
            return
        self._lesion = str(self.lesion.currentData() or "")
        answers = self._records.get(self._lesion, {})
        self._loading = True
        try:
            self.enneking.setCurrentIndex(
                max(0, self.enneking.findData(answers.get("enneking", "")))
            )
            self.en_bloc.setCurrentIndex(max(0, self.en_bloc.findData(answers.get("en_bloc", ""))))
            self.note.setText(str(answers.get("note", "")))
            self.diagram.set_cells(answers.get("cells", ()))
        finally:
            self._loading = False
        self._show_reading()

    def _edited(self) -> None:
        if self._loading or self._lesion not in self._records:
            return
        answers: dict[str, Any] = {}
        if stage := self.enneking.currentData():
            answers["enneking"] = stage
        if cells := self.diagram.cells():
            answers["cells"] = list(cells)
        if en_bloc := self.en_bloc.currentData():
            answers["en_bloc"] = en_bloc
        if note := self.note.text().strip():
            answers["note"] = note
        self._records[self._lesion] = staging.clean(answers)
        self._show_reading()
        self.sig_changed.emit(self._lesion)

    def _show_reading(self) -> None:
        self.reading.setHtml(self.reading_html())

    def reading_html(self) -> str:
        """The current lesion's record, the §12.2 reading, checks, and the pathway text."""
        e = html.escape
        answers = self._records.get(self._lesion, {})
        result = staging.evaluate_staging(answers)
        parts = [f"<p><b>{e(self._lesion or 'Lesion')}:</b> {e(staging.describe(answers))}</p>"]
        if result.readings:
            parts.append(
                "<p><b>Typical planning reading (§12.2):</b> "
                + "; or ".join(e(r) for r in result.readings)
                + "</p>"
            )
        parts.extend(f"<p><b>Check:</b> {e(w)}</p>" for w in result.warnings)
        if result.missing:
            parts.append(f"<p><i>Not yet recorded: {e(', '.join(result.missing))}.</i></p>")
        pathway = noms.from_scores(None, self._histology_key, None, None, disease_kind="primary")
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in pathway.explanation) + "</ul>")
        return "".join(parts)
