"""A score form generated from the engine's declaration of a tool.

No tool has a hand-written form: every item, option, range and band comes
from ``mdtboard.domain.scores.TOOLS``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mdtboard.domain.scores import TOOLS, Item, ScoreResult, evaluate
from mdtboard.ui.focus import select_on_focus
from mdtboard.ui.texts import result_text

NOT_ANSWERED = "— not answered —"


class ScoreForm(QGroupBox):
    """One tool's items. ``sig_answers_changed(tool_id)`` on every user change."""

    sig_answers_changed = Signal(str)

    def __init__(self, tool_id: str, parent: QWidget | None = None) -> None:
        tool = TOOLS[tool_id]
        super().__init__(tool.label, parent)
        self.tool_id = tool_id
        self.setObjectName(f"score_{tool_id}")
        self.setToolTip(f"{tool.description}\n\n{tool.citation}")
        self._inputs: dict[str, QComboBox | QSpinBox | QDoubleSpinBox] = {}
        self._units: dict[str, tuple[QComboBox, QLabel]] = {}
        self._labels: dict[str, QLabel] = {}
        self._derived: dict[str, str] = {}
        outer = QVBoxLayout(self)
        #: who entered the stored score and when (empty for a score not yet stored)
        self.entered_label = QLabel(self)
        self.entered_label.setObjectName(f"{tool_id}.entered")
        self.entered_label.setStyleSheet("color:#555;")
        self.entered_label.hide()
        outer.addWidget(self.entered_label)
        form = QFormLayout()
        # long item labels put their answer on the next line rather than widen the form
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        outer.addLayout(form)
        for item in tool.items:
            widget: QComboBox | QSpinBox | QDoubleSpinBox
            if item.kind == "choice":
                combo = QComboBox(self)
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(14)
                combo.addItem(NOT_ANSWERED, None)
                for opt in item.options:
                    points = "" if opt.points is None else f"  [{opt.points}]"
                    combo.addItem(f"{opt.label}{points}", opt.key)
                    if opt.help:
                        combo.setItemData(combo.count() - 1, opt.help, Qt.ItemDataRole.ToolTipRole)
                combo.currentIndexChanged.connect(lambda _i: self._changed())
                widget = combo
            else:
                step = item.step if item.step is not None else 1
                integral = (
                    item.step is not None
                    and float(step).is_integer()
                    and float(item.minimum or 0).is_integer()
                )
                spin: QSpinBox | QDoubleSpinBox
                if integral:
                    spin = QSpinBox(self)
                    lo = int(item.minimum if item.minimum is not None else 0)
                    spin.setRange(lo - int(step), int(item.maximum or 1000))
                    spin.setSingleStep(int(step))
                    spin.setValue(spin.minimum())
                else:
                    spin = QDoubleSpinBox(self)
                    spin.setDecimals(1 if item.step is not None else 2)
                    step = item.step if item.step is not None else 0.1
                    lo_f = float(item.minimum if item.minimum is not None else 0)
                    spin.setRange(lo_f - float(step), float(item.maximum or 1000))
                    spin.setSingleStep(float(step))
                    spin.setValue(spin.minimum())
                spin.setSpecialValueText(NOT_ANSWERED)  # the value below the range = unanswered
                if item.unit:
                    spin.setSuffix(f" {item.unit}")
                spin.valueChanged.connect(lambda _v: self._changed())
                select_on_focus(spin)  # typed digits replace the value at once
                widget = spin
            widget.setObjectName(f"{tool_id}.{item.key}")
            widget.setAccessibleName(item.label)
            widget.setToolTip(item.help)
            self._inputs[item.key] = widget
            label = QLabel(item.label, self)
            label.setToolTip(item.help)
            label.setBuddy(widget)
            self._labels[item.key] = label
            if item.alt_unit is not None and isinstance(widget, QDoubleSpinBox):
                form.addRow(label, self._with_unit_choice(item, widget))
            else:
                form.addRow(label, widget)
        self.result_label = QLabel(self)
        self.result_label.setObjectName(f"{tool_id}.result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.result_label)
        self._quiet = False
        self._refresh()

    def _with_unit_choice(self, item: Item, spin: QDoubleSpinBox) -> QWidget:
        """A unit box beside the number (albumin in g/dL or g/L); the engine is always
        given the declared unit, converted here, and the form says what it sent."""
        assert item.alt_unit is not None
        alt, factor = item.alt_unit
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(spin, 1)
        units = QComboBox(box)
        units.setObjectName(f"{self.tool_id}.{item.key}.unit")
        units.setAccessibleName(f"{item.label} unit")
        units.addItem(item.unit, 1.0)
        units.addItem(alt, factor)
        row.addWidget(units)
        note = QLabel(box)
        note.setObjectName(f"{self.tool_id}.{item.key}.converted")
        row.addWidget(note)
        self._units[item.key] = (units, note)
        lo, hi = float(item.minimum or 0), float(item.maximum or 1000)
        shown = [1.0]  # the factor of the unit the box shows now

        def switch(_i: int) -> None:
            f = float(units.currentData())
            answered = spin.value() != spin.minimum()
            value = spin.value() * shown[0] / f  # the same amount in the new unit
            shown[0] = f
            was = spin.blockSignals(True)
            try:
                step = spin.singleStep()
                spin.setRange(lo / f - step, hi / f)
                spin.setSuffix(f" {units.currentText()}")
                spin.setValue(value if answered else spin.minimum())
            finally:
                spin.blockSignals(was)
            self._show_conversion(item.key)
            self._changed()

        units.currentIndexChanged.connect(switch)
        spin.valueChanged.connect(lambda _v: self._show_conversion(item.key))
        return box

    def _show_conversion(self, key: str) -> None:
        units, note = self._units[key]
        value = self.answers().get(key)
        factor = float(units.currentData())
        note.setText(
            f"= {value:g} {units.itemText(0)}" if factor != 1.0 and value is not None else ""
        )

    # --- values --------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self._inputs.items():
            if isinstance(w, QComboBox):
                value = w.currentData()
                if value is not None:
                    out[key] = value
            elif w.value() != w.minimum():
                v = w.value()
                if isinstance(w, QSpinBox):
                    out[key] = int(v)
                else:
                    unit = self._units.get(key)
                    factor = float(unit[0].currentData()) if unit else 1.0
                    # a converted value keeps its precision: 34.95 g/L is 3.495 g/dL, below
                    # a 3.5 cut-off, not rounded up onto it
                    digits = w.decimals() if factor == 1.0 else w.decimals() + 2
                    out[key] = round(float(v) * factor, digits)
        return out

    def set_answers(self, answers: Mapping[str, Any]) -> None:
        self._quiet = True
        try:
            for units, _note in self._units.values():
                units.setCurrentIndex(0)  # stored answers are in the declared unit
            for key, w in self._inputs.items():
                value = answers.get(key)
                if isinstance(w, QComboBox):
                    w.setCurrentIndex(max(0, w.findData(value)) if value is not None else 0)
                elif isinstance(w, QSpinBox):
                    w.setValue(int(value) if value is not None else w.minimum())
                else:
                    w.setValue(float(value) if value is not None else w.minimum())
        finally:
            self._quiet = False
        self._refresh()

    def set_answer(self, key: str, value: Any) -> None:
        """Pre-fill one item (e.g. SINS location from the levels) as a user change."""
        merged = {**self.answers(), key: value}
        self.set_answers(merged)
        self.sig_answers_changed.emit(self.tool_id)

    def set_derived(self, sources: Mapping[str, str]) -> None:
        """Mark the items whose answer was derived from another fact ("from KPS 70");
        the user can still change them."""
        if dict(sources) == self._derived:
            return
        self._derived = dict(sources)
        for item in TOOLS[self.tool_id].items:
            label = self._labels[item.key]
            label.setTextFormat(Qt.TextFormat.RichText)
            source = sources.get(item.key)
            if source:
                label.setText(
                    f"{html.escape(item.label)}<br><i style='color:#1f5fa8'>"
                    f"{html.escape(source)}</i>"
                )
            else:
                label.setText(html.escape(item.label))
            self._inputs[item.key].setAccessibleDescription(source or "")

    def derived(self) -> dict[str, str]:
        return dict(self._derived)

    def set_entered(self, text: str) -> None:
        self.entered_label.setText(text)
        self.entered_label.setVisible(bool(text))

    def input_for(self, key: str) -> QComboBox | QSpinBox | QDoubleSpinBox:
        return self._inputs[key]

    def result(self) -> ScoreResult | None:
        answers = self.answers()
        if not answers:
            return None
        try:
            return evaluate(self.tool_id, answers)
        except ValueError:
            return None

    def _changed(self) -> None:
        self._refresh()
        if not self._quiet:
            self.sig_answers_changed.emit(self.tool_id)

    def _refresh(self) -> None:
        result = self.result()
        text = result_text(self.tool_id, result)
        self.result_label.setText(f"<b>{html.escape(text)}</b>")
        self.result_label.setAccessibleName(f"{TOOLS[self.tool_id].label}: {text}")
