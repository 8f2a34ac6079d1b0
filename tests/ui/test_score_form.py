"""Score forms built from the engine's declarations, driven with the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from mdtboard.domain.scores import TOOLS, evaluate
from mdtboard.ui.score_form import ScoreForm


def _form(qtbot: QtBot, tool_id: str) -> ScoreForm:
    form = ScoreForm(tool_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def _type(qtbot: QtBot, spin: QSpinBox | QDoubleSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Tab)


@pytest.mark.parametrize("tool_id", sorted(TOOLS))
def test_every_tool_gets_a_form_with_every_item(qtbot: QtBot, tool_id: str) -> None:
    form = _form(qtbot, tool_id)
    assert [*form._inputs] == [i.key for i in TOOLS[tool_id].items]
    for item in TOOLS[tool_id].items:
        widget = form.input_for(item.key)
        if item.kind == "choice":
            assert isinstance(widget, QComboBox)
            assert [widget.itemData(i) for i in range(1, widget.count())] == [
                o.key for o in item.options
            ]
    assert form.answers() == {} and form.result() is None


def test_albumin_in_g_per_litre_is_converted_and_the_form_says_so(qtbot: QtBot) -> None:
    form = _form(qtbot, "nesms")
    units = form.findChild(QComboBox, "nesms.albumin_g_dl.unit")
    assert units is not None and units.currentText() == "g/dL"
    units.setFocus()
    qtbot.keyClick(units, Qt.Key.Key_Down)  # g/L
    assert units.currentText() == "g/L"
    spin = form.input_for("albumin_g_dl")
    assert isinstance(spin, QDoubleSpinBox)
    _type(qtbot, spin, "34")
    assert form.answers()["albumin_g_dl"] == pytest.approx(3.4)
    note = form.findChild(type(form.result_label), "nesms.albumin_g_dl.converted")
    assert note is not None and "3.4 g/dL" in note.text()

    qtbot.keyClick(units, Qt.Key.Key_Up)  # back to g/dL: the same amount, shown as 3.4
    assert spin.value() == pytest.approx(3.4)
    assert form.answers()["albumin_g_dl"] == pytest.approx(3.4)


def test_albumin_between_tenths_is_accepted(qtbot: QtBot) -> None:
    form = _form(qtbot, "nesms")
    spin = form.input_for("albumin_g_dl")
    assert isinstance(spin, QDoubleSpinBox)
    _type(qtbot, spin, "3.45")
    assert form.answers()["albumin_g_dl"] == pytest.approx(3.45)
    expected = evaluate("nesms", {"albumin_g_dl": 3.45})
    assert expected.missing == ("modified_bauer", "ambulation")


def test_a_g_per_litre_value_just_below_the_cut_off_stays_below_it(qtbot: QtBot) -> None:
    form = _form(qtbot, "nesms")
    units = form.findChild(QComboBox, "nesms.albumin_g_dl.unit")
    assert units is not None
    units.setFocus()
    qtbot.keyClick(units, Qt.Key.Key_Down)  # g/L
    spin = form.input_for("albumin_g_dl")
    assert isinstance(spin, QDoubleSpinBox)
    _type(qtbot, spin, "34.95")
    value = form.answers()["albumin_g_dl"]
    assert value < 3.5
    scored = evaluate(
        "nesms", {"albumin_g_dl": value, "modified_bauer": 0, "ambulation": "dependent"}
    )
    assert scored.item_points["albumin_g_dl"] == 0
