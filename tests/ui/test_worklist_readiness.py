"""Issue 17 part 2: readiness at a glance — a worklist column with the light of
domain.readiness (worked out today) and its reasons in a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mdtboard.domain.readiness import Light
from mdtboard.services.context import ServiceContext
from mdtboard.services.readiness import readiness_for
from mdtboard.services.worklist import CaseQuery
from mdtboard.ui.case_model import CASE_ID_ROLE, COLUMNS, CaseTableModel


def test_the_readiness_column_shows_each_case_light_and_why(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    model = CaseTableModel(ctx.db)
    model.set_query(CaseQuery(sort="readiness", descending=False))
    col = [k for k, _ in COLUMNS].index("readiness")
    ids = [model.data(model.index(r, 0), CASE_ID_ROLE) for r in range(model.rowCount())]
    lights = readiness_for(ctx.db, ids)
    seen = set()
    for r, rid in enumerate(ids):
        light = lights[rid]
        text = model.data(model.index(r, col))
        assert text == f"● {light.light.label}", (rid, text)
        tip = model.data(model.index(r, col), Qt.ItemDataRole.ToolTipRole)
        assert tip == light.summary()
        seen.add(light.light)
    assert {Light.RED, Light.GREEN} <= seen  # the demo has both
    # sorted "not ready first": red, then amber, then green
    order = [lights[rid].light for rid in ids]
    rank = {Light.RED: 0, Light.AMBER: 1, Light.GREEN: 2}
    assert [rank[x] for x in order] == sorted(rank[x] for x in order)


def test_down_from_the_search_moves_into_the_list_keeping_the_selection(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from PySide6.QtWidgets import QApplication

    from mdtboard.ui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.table.selectRow(2)
    chosen = win.selected_case_id()
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is win.search
    qtbot.keyClick(win.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is win.table
    assert win.selected_case_id() == chosen  # the selection is kept
    qtbot.keyClick(win.table, Qt.Key.Key_Down)  # and the arrows go on in the list
    assert win.selected_case_id() != chosen


def test_an_outcome_letter_with_no_case_selected_says_so(qtbot: QtBot, ctx: ServiceContext) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from mdtboard.ui.main_window import MainWindow

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.table.setCurrentIndex(win.table.model().index(-1, -1))
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    assert win.export_letter() is None
    assert seen and "Select a case" in seen[0]
