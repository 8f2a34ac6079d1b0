"""The main window, driven as a user would: mouse and keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from mdtboard.services.context import ServiceContext
from mdtboard.ui.case_model import CASE_ID_ROLE, COLUMNS, CaseTableModel
from mdtboard.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def column(key: str) -> int:
    return [k for k, _ in COLUMNS].index(key)


def test_case_model_passes_qtmodeltester(qtmodeltester: ModelTester, ctx: ServiceContext) -> None:
    model = CaseTableModel(ctx.db, page_size=7)
    model.reload()
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 40
    model.sort(column("patient"), Qt.SortOrder.AscendingOrder)  # still watched by the tester
    names = [model.index(r, column("patient")).data() for r in range(model.rowCount())]
    assert [n.casefold() for n in names] == sorted(n.casefold() for n in names)


def test_window_shows_the_demo_cases(window: MainWindow) -> None:
    assert window.model.total == 40
    assert window.model.rowCount() == 40
    first = window.model.index(0, column("patient")).data()
    assert "," in first  # "FAMILY, Given"
    assert "40 of 40 cases" in window._status.text()


def test_clicking_a_header_sorts_in_sql(qtbot: QtBot, window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    col = column("patient")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    names = [window.model.index(r, col).data() for r in range(window.model.rowCount())]
    key = [n.casefold() for n in names]
    assert key == sorted(key) or key == sorted(key, reverse=True)
    first_order = names
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    names = [window.model.index(r, col).data() for r in range(window.model.rowCount())]
    assert names != first_order
    assert [n.casefold() for n in names] == sorted(key, reverse=key == sorted(key))


def test_reopened_window_loads_once_in_the_saved_order(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = window.table.horizontalHeader()
    col = column("patient")
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    saved = (header.sortIndicatorSection(), header.sortIndicatorOrder())
    window.close()  # saves the header state

    from mdtboard.services import worklist

    calls: list[object] = []
    real = worklist.fetch_cases

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(worklist, "fetch_cases", counting)
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert len(calls) == 1  # one page query, not one per restored header setting
    restored = again.table.horizontalHeader()
    assert (restored.sortIndicatorSection(), restored.sortIndicatorOrder()) == saved
    names = [again.model.index(r, col).data().casefold() for r in range(again.model.rowCount())]
    descending = saved[1] == Qt.SortOrder.DescendingOrder
    assert names == sorted(names, reverse=descending)


def test_select_a_case_with_mouse_and_keys(qtbot: QtBot, window: MainWindow) -> None:
    table = window.table
    rect = table.visualRect(window.model.index(2, column("mrn")))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    third = window.model.index(2, 0).data(CASE_ID_ROLE)
    assert window.selected_case_id() == third
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.selected_case_id() == window.model.index(3, 0).data(CASE_ID_ROLE)
    with qtbot.waitSignal(window.sig_case_activated, timeout=1000) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [window.model.index(3, 0).data(CASE_ID_ROLE)]


def test_search_as_you_type_filters(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "chordoma")
    qtbot.waitUntil(lambda: window.model.total < 40, timeout=2000)
    rows = [window.model.row_at(r) for r in range(window.model.rowCount())]
    assert rows and all(r is not None and r.histology_key == "chordoma" for r in rows)
    window.search.clear()
    qtbot.waitUntil(lambda: window.model.total == 40, timeout=2000)


def test_urgency_filter_shows_only_mscc(qtbot: QtBot, window: MainWindow) -> None:
    combo = window.urgency_filter
    combo.setFocus()
    index = combo.findText("MSCC emergency")
    assert index > 0
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    rows = [window.model.row_at(r) for r in range(window.model.rowCount())]
    assert rows and all(r is not None and r.urgency == "mscc" for r in rows)
    brush = window.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert brush is not None  # emergencies stand out
    # reference/scores.md §11: the urgency cell's tooltip carries the QS56 clocks
    urgency_col = next(i for i, (k, _) in enumerate(COLUMNS) if k == "urgency")
    tip = window.model.index(0, urgency_col).data(Qt.ItemDataRole.ToolTipRole)
    assert "Suspicion → MRI" in tip and "Suspicion → agreed plan" in tip and "QS56" in tip


def test_screenshot_after_first_paint(qtbot: QtBot, ctx: ServiceContext, tmp_path: Path) -> None:
    """What ``mdtboard --screenshot`` does, without ending this test's event loop
    (the command itself is tested end to end in tests/cli)."""
    from mdtboard.ui.app import FirstPaint, save_screenshot

    win = MainWindow(ctx)
    qtbot.addWidget(win)
    out = tmp_path / "shot.png"
    saved: list[bool] = []
    FirstPaint(win, lambda: saved.append(save_screenshot(win, out)))
    win.show()
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    assert saved == [True]
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_new_meeting_appears_in_the_meeting_filter(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext
) -> None:
    from datetime import UTC, datetime, timedelta

    from mdtboard.services import meetings

    before = window.meeting_filter.count()
    m = meetings.create_meeting(
        ctx, title="Filter test MDT", starts_at=datetime.now(UTC) + timedelta(days=3)
    )
    qtbot.keyClick(window.table, Qt.Key.Key_F5)
    assert window.meeting_filter.count() == before + 1
    assert window.meeting_filter.findData(m.id) > 0


def test_the_frame_needs_no_database_until_attached(qtbot: QtBot, ctx: ServiceContext) -> None:
    """The window paints its frame before the database is open: its columns show, nothing
    that needs data can be triggered, and attaching fills it."""
    win = MainWindow(title="frame.db")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)  # so that its shortcuts can fire
    model = win.table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [label for _k, label in COLUMNS]
    assert model.rowCount() == 0 and not win.attached
    assert "Opening the database" in win._status.text()
    assert not win.act_new_referral.isEnabled() and not win.filter_toolbar.isEnabled()
    assert win.act_quit.isEnabled() and not win.tabs.isTabEnabled(1)
    qtbot.keyClick(win.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert getattr(win, "referral_dialog", None) is None  # Ctrl+N did nothing

    win.attach(ctx)
    assert win.attached and win.table.model() is win.model and win.model.rowCount() == 40
    assert win.act_new_referral.isEnabled() and win.filter_toolbar.isEnabled()
    assert win.tabs.isTabEnabled(1) and "40 of 40 cases" in win._status.text()
    assert win.selected_case_id() == win.model.index(0, 0).data(CASE_ID_ROLE)
    header = win.table.horizontalHeader()  # the list is in the order its header shows
    assert win.model.query.sort == COLUMNS[header.sortIndicatorSection()][0]
    qtbot.keyClicks(win.search, "zzz-no-such-case")
    qtbot.keyClick(win.search, Qt.Key.Key_Return)
    assert win.model.rowCount() == 0
    qtbot.keyClick(win.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert win.referral_dialog.isVisible()  # the same keys work once attached
    win.referral_dialog.undo_stack.setClean()
    win.referral_dialog.reject()


def test_a_frame_closed_before_it_was_attached_closes_cleanly(qtbot: QtBot) -> None:
    win = MainWindow(title="never-opened.db")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.close() and not win.isVisible()


def test_the_worklist_export_runs_in_the_background_and_is_neutralised(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """File → Export worklist goes through the export service: in the background with
    progress, audited, cells neutralised; the database itself is refused."""
    out = tmp_path / "worklist.csv"
    job = window.export_worklist(str(out))
    assert job is not None
    with qtbot.waitSignal(job.sig_finished, timeout=20_000) as finished:  # type: ignore[attr-defined]
        pass
    result = finished.args[0]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert result.rows == len(lines) - 1 == window.model.total
    assert "worklist.csv" in window.statusBar().currentMessage()
    database = window.ctx.db.target.sqlite_path
    if database is not None:
        before = database.read_bytes()
        from PySide6.QtWidgets import QMessageBox

        shown: list[str] = []
        from tests.ui.test_meeting_mode import when_modal

        when_modal(QMessageBox, lambda box: (shown.append(box.text()), box.accept()))  # type: ignore[attr-defined]
        assert window.export_worklist(str(database)) is None
        assert shown and "is the database" in shown[0]
        assert database.read_bytes() == before
