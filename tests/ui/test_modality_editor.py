"""The Options step's problem list shows what the validator found, whatever was typed
into the details (fictional data)."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from mdtboard.domain import histology
from mdtboard.ui.modality_editor import ModalityEditor


def test_typed_markup_in_a_detail_cannot_hide_the_problems_after_it(qtbot: QtBot) -> None:
    editor = ModalityEditor()
    qtbot.addWidget(editor)
    editor.histology_key = next(k for k, h in histology.CATALOGUE.items() if h.drivers)
    editor.intent.setCurrentIndex(editor.intent.findData("palliative"))
    editor.add_modality("systemic", {"therapy_class": "targeted_therapy", "driver": "ALK <!--"})
    editor.add_modality("sbrt", {"dose_gy": 24, "fractions": 9})  # out of range: an error
    editor._validate()
    shown = QTextDocument()
    shown.setHtml(editor.problems.text())
    found = editor.problems_list()
    assert found  # the validator has something to say
    for problem in found:  # and every message is in the label, as plain text
        assert problem.message in shown.toPlainText()
