"""Desktop conventions (issue 17, part 5): the Edit and Meetings menus, F1 help in
every window with a keyboard table made from the window's own shortcuts, layouts kept
per user, and an 800-pixel-wide screen. Driven as a user would; fictional demo data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QPushButton,
    QTableView,
    QToolBar,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.ui.help import HelpDialog, install_help, keyboard_rows
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.meeting import MeetingModeWindow
from mdtboard.ui.meetings_page import MeetingDialog
from mdtboard.ui.remember import _ColumnKeeper
from tests.ui.test_meeting_mode import when_modal

NARROW = 800


def _active(qtbot: QtBot, win: QWidget) -> None:
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)


@pytest.fixture
def window(qtbot: QtBot, ctx: ServiceContext) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    _active(qtbot, win)
    return win


@pytest.fixture
def meeting_id(ctx: ServiceContext) -> int:
    m = meetings.create_meeting(
        ctx, title="Conventions test", starts_at=datetime.now(UTC) + timedelta(hours=2), chair_id=1
    )
    for c in fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready"), sort="received"), 0, 4):
        meetings.list_case(ctx, m.id, c.referral_id)
    return m.id


def _meeting_mode(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> MeetingModeWindow:
    win = MeetingModeWindow(ctx, meeting_id)
    qtbot.addWidget(win)
    _active(qtbot, win)
    return win


def _help_of(win: QWidget) -> HelpDialog:
    dialog = win.findChild(HelpDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _menu(win: QMainWindow, title: str) -> list[QAction]:
    for action in win.menuBar().actions():
        if action.text() == title:
            menu = action.menu()
            assert menu is not None
            return [a for a in menu.actions() if not a.isSeparator()]
    raise AssertionError(f"no menu {title}")


def _by_text(actions: list[QAction], text: str) -> QAction:
    found = [a for a in actions if a.text() == text]
    assert found, f"{text} not in {[a.text() for a in actions]}"
    return found[0]


def _table_lists_every_shortcut(win: QWidget, text: str) -> None:
    """The keyboard table cannot go stale: every shortcut of the window is in it."""
    own = [a for a in win.findChildren(QAction) if a.shortcuts() and a.parent() is win]
    assert own
    for action in own:
        for key in action.shortcuts():
            assert key.toString(QKeySequence.SequenceFormat.NativeText) in text, action.text()


# --- menus ---------------------------------------------------------------------------
def test_the_menu_bar_has_the_usual_menus(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Meetings", "&Help"]
    edit = [a.text() for a in _menu(window, "&Edit")]
    assert edit == ["&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Select &all", "&Find…"]
    imp = _by_text(_menu(window, "&File"), "&Import referrals…")
    assert imp is window.act_import and imp.shortcut() == QKeySequence("Ctrl+I")
    meetings_menu = [a.text() for a in _menu(window, "&Meetings")]
    assert meetings_menu == [
        "&Meetings and agendas",
        "&New meeting…",
        "&Start meeting mode",
        "&Agenda PDF…",
        "Outcome summar&y PDF…",
        "&Follow-up due…",
        "Metri&cs…",
    ]
    helps = [a.text() for a in _menu(window, "&Help")]
    assert helps == ["mdtboard &help", "&Keyboard shortcuts", "&About mdtboard"]


def test_no_two_things_share_an_alt_key(window: MainWindow) -> None:
    """Menus, tabs and the meetings page's buttons each have their own Alt+letter."""
    window.show_meetings()
    texts = [a.text() for a in window.menuBar().actions()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert window.meetings_page is not None
    texts += [b.text() for b in window.meetings_page.findChildren(QPushButton)]
    keys = [QKeySequence.mnemonic(t).toString() for t in texts if "&" in t]
    clashes = {k for k in keys if keys.count(k) > 1}
    assert not clashes, clashes


def test_edit_menu_acts_on_the_focused_field_and_copies_list_rows(
    qtbot: QtBot, window: MainWindow
) -> None:
    edit = {a.text(): a for a in _menu(window, "&Edit")}
    window.search.setFocus()
    qtbot.keyClicks(window.search, "DEMO")
    edit["Select &all"].trigger()
    edit["&Copy"].trigger()
    assert QGuiApplication.clipboard().text() == "DEMO"
    edit["Cu&t"].trigger()
    assert window.search.text() == ""
    edit["&Paste"].trigger()
    assert window.search.text() == "DEMO"
    edit["&Undo"].trigger()
    assert window.search.text() == ""
    window.search.clear()

    window.table.setFocus()
    window.table.selectRow(2)
    edit["&Copy"].trigger()
    patient = window.model.index(2, 0).data()
    copied = QGuiApplication.clipboard().text()
    assert copied.split("\t")[0] == patient and "\n" not in copied


def test_find_and_go_to_list_come_back_to_the_worklist(qtbot: QtBot, window: MainWindow) -> None:
    window.show_meetings()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(window.search.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(window.table.hasFocus)


def test_meetings_menu_does_what_the_meetings_page_does(
    qtbot: QtBot, window: MainWindow, meeting_id: int
) -> None:
    actions = _menu(window, "&Meetings")
    _by_text(actions, "&Meetings and agendas").trigger()
    page = window.meetings_page
    assert page is not None and window.tabs.currentWidget() is page
    page.refresh(select_id=meeting_id)

    exported: list[str] = []
    page.export_pdf = lambda document, path=None: exported.append(document)  # type: ignore[method-assign]
    _by_text(actions, "&Agenda PDF…").trigger()
    _by_text(actions, "Outcome summar&y PDF…").trigger()
    assert exported == ["agenda", "summary"]

    before = len(meetings.list_meetings(window.ctx.db))
    when_modal(MeetingDialog, lambda d: d.save())  # type: ignore[attr-defined]
    _by_text(actions, "&New meeting…").trigger()
    assert len(meetings.list_meetings(window.ctx.db)) == before + 1
    assert page.current_meeting_id() not in (None, meeting_id)  # the new one is selected

    page.refresh(select_id=meeting_id)
    window.tabs.setCurrentIndex(0)
    _by_text(actions, "&Start meeting mode").trigger()
    mode = window.meeting_window  # deleted on close, with the main window
    assert isinstance(mode, MeetingModeWindow) and mode.meeting_id == meeting_id
    assert window.tabs.currentIndex() == 1
    mode.close()


# --- help ----------------------------------------------------------------------------
def test_f1_opens_the_help_at_the_tab_shown_with_the_windows_shortcuts(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = _help_of(window)
    assert dialog.topic == "worklist" and not dialog.isModal()
    text = dialog.browser.toPlainText()
    assert "Worklist" in text and "Meeting mode" in text and "Import" in text
    _table_lists_every_shortcut(window, text)
    assert ("Ctrl+I", "Import referrals") in keyboard_rows(window)
    dialog.close()

    window.show_meetings()
    _active(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    again = _help_of(window)
    assert again is dialog and again.topic == "agenda"  # one help window per window
    assert "Alt+Up" in again.browser.toPlainText()  # the agenda's own keys are listed
    again.close()

    _by_text(_menu(window, "&Help"), "&Keyboard shortcuts").trigger()
    assert _help_of(window).topic == "keys"


def test_f1_in_meeting_mode_lists_its_own_shortcuts(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    win = _meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_F1)
    dialog = _help_of(win)
    assert dialog.topic == "meeting"
    text = dialog.browser.toPlainText()
    _table_lists_every_shortcut(win, text)
    assert "Ctrl+N" not in text.split("Keyboard shortcuts")[-1]  # not the main window's
    dialog.close()

    from mdtboard.ui.meeting import AttendanceDialog

    topics: list[str] = []

    def f1_then_close(attendance: QWidget) -> None:
        try:
            attendance.activateWindow()
            qtbot.waitUntil(attendance.isActiveWindow)
            qtbot.keyClick(attendance, Qt.Key.Key_F1)
            topics.append(_help_of(attendance).topic)
            _help_of(attendance).close()
        finally:
            attendance.close()

    when_modal(AttendanceDialog, f1_then_close)
    win.act_attendance.trigger()
    assert topics == ["meeting"]
    win.close()


def test_f1_in_the_referral_form_and_the_dialogs(qtbot: QtBot, window: MainWindow) -> None:
    form = window.new_referral()  # deleted on close
    _active(qtbot, form)
    qtbot.keyClick(form, Qt.Key.Key_F1)
    dialog = _help_of(form)
    assert dialog.topic == "referrals"
    assert "Ctrl+S" in dialog.browser.toPlainText()
    assert install_help(form, "worklist") is install_help(form, "referrals")  # one F1
    assert [a for a in form.actions() if a.shortcut() == QKeySequence("F1")] == [
        install_help(form, "x")
    ]
    dialog.close()
    form.undo_stack.setClean()
    form.close()

    from mdtboard.ui.audit_viewer import AuditViewer
    from mdtboard.ui.members_dialog import MembersDialog

    for dlg in (AuditViewer(window.ctx, window), MembersDialog(window.ctx, window)):
        qtbot.addWidget(dlg)
        _active(qtbot, dlg)
        qtbot.keyClick(dlg, Qt.Key.Key_F1)
        assert _help_of(dlg).topic == "admin"
        dlg.close()


# --- layouts kept per user -----------------------------------------------------------
def test_window_sizes_are_kept(qtbot: QtBot, ctx: ServiceContext, meeting_id: int) -> None:
    from mdtboard.ui.audit_viewer import AuditViewer

    def sizes(make: Callable[[], QWidget], new: tuple[int, int]) -> tuple[int, int]:
        first = make()
        qtbot.addWidget(first)
        _active(qtbot, first)
        first.resize(*new)
        first.close()
        again = make()
        qtbot.addWidget(again)
        result = (again.width(), again.height())
        again.close()
        return result

    assert sizes(lambda: MainWindow(ctx), (760, 560)) == (760, 560)
    assert sizes(lambda: AuditViewer(ctx), (640, 450)) == (640, 450)
    assert sizes(lambda: MeetingModeWindow(ctx, meeting_id), (780, 540)) == (780, 540)


def _reopen_keeps_columns(
    make: Callable[[], tuple[QWidget, QTableView]], *, widths: bool = True
) -> None:
    """Move, widen and hide columns of a table; a new window of it shows them so
    (``widths``: the user sets them, not the contents)."""
    top, view = make()
    header = view.horizontalHeader()
    assert header.count() >= 3 and header.sectionsMovable()
    header.moveSection(header.visualIndex(0), 2)
    if widths:
        view.setColumnWidth(1, 177)
    keeper = header.findChild(_ColumnKeeper)
    assert keeper is not None
    keeper.column_menu().actions()[2].trigger()  # the header's menu: untick the third
    assert view.isColumnHidden(2)
    top.close()
    again_top, again = make()
    h = again.horizontalHeader()
    assert h.visualIndex(0) == 2 and again.isColumnHidden(2)
    if widths:
        assert again.columnWidth(1) == 177
    again_top.close()


def test_column_layouts_are_kept_for_each_table(
    qtbot: QtBot, ctx: ServiceContext, meeting_id: int
) -> None:
    from mdtboard.ui.audit_viewer import AuditViewer

    def audit() -> tuple[QWidget, QTableView]:
        dlg = AuditViewer(ctx)
        qtbot.addWidget(dlg)
        _active(qtbot, dlg)
        return dlg, dlg.view

    def main_and(view: str) -> Callable[[], tuple[QWidget, QTableView]]:
        def make() -> tuple[QWidget, QTableView]:
            win = MainWindow(ctx)
            qtbot.addWidget(win)
            _active(qtbot, win)
            page = win.show_meetings()
            return win, getattr(page, view)

        return make

    def mode(view: str) -> Callable[[], tuple[QWidget, QTableView]]:
        def make() -> tuple[QWidget, QTableView]:
            win = _meeting_mode(qtbot, ctx, meeting_id)
            return win, win.agenda_view if view == "agenda" else win.actions_page.actions_view

        return make

    _reopen_keeps_columns(audit)
    for view in ("meeting_view", "agenda_view", "candidate_view"):
        _reopen_keeps_columns(main_and(view))
    _reopen_keeps_columns(mode("agenda"), widths=False)  # sized to its contents
    _reopen_keeps_columns(mode("actions"))


def test_the_worklist_keeps_its_columns_and_the_header_menu_hides_one(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    _active(qtbot, win)
    header = win.table.horizontalHeader()
    keeper = header.findChild(_ColumnKeeper)
    assert keeper is not None
    menu = keeper.column_menu()
    assert len(menu.actions()) == header.count()
    menu.actions()[1].trigger()  # unticked: the column is hidden
    assert win.table.isColumnHidden(1)
    win.table.setColumnWidth(2, 123)
    win.close()

    again = MainWindow(ctx)
    qtbot.addWidget(again)
    assert again.table.isColumnHidden(1) and again.table.columnWidth(2) == 123
    QSettings().setValue("main/headerCount", 3)  # a layout from another version
    third = MainWindow(ctx)
    qtbot.addWidget(third)
    assert not third.table.isColumnHidden(1)  # ignored
    again.close()
    third.close()


# --- an 800-pixel-wide screen --------------------------------------------------------
def _every_toolbar_action_reachable(qtbot: QtBot, bar: QToolBar) -> None:
    """Each action is shown on the bar, or the bar's "»" button shows it."""
    actions = [a for a in bar.actions() if not a.isSeparator() and a.isVisible()]
    assert actions

    def shown(a: QAction) -> bool:
        w = bar.widgetForAction(a)
        return w is not None and w.isVisible() and bar.rect().contains(w.geometry())

    hidden = [a for a in actions if not shown(a)]
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    if hidden:
        assert extension is not None and extension.isVisible() and extension.isEnabled()
        qtbot.mouseClick(extension, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: all(shown(a) for a in actions))
        qtbot.mouseClick(extension, Qt.MouseButton.LeftButton)


def test_the_windows_work_800_pixels_wide(
    qtbot: QtBot, window: MainWindow, ctx: ServiceContext, meeting_id: int
) -> None:
    window.show_meetings()  # the meetings page's rows of buttons wrap too
    assert window.minimumSizeHint().width() <= NARROW
    window.tabs.setCurrentIndex(0)
    window.resize(NARROW, 600)
    qtbot.waitUntil(lambda: window.width() == NARROW)
    _every_toolbar_action_reachable(qtbot, window.filter_toolbar)
    assert window.menuBar().isVisible()

    mode = _meeting_mode(qtbot, ctx, meeting_id)
    assert mode.minimumSizeHint().width() <= NARROW
    mode.resize(NARROW, 600)
    qtbot.waitUntil(lambda: mode.width() == NARROW)
    _every_toolbar_action_reachable(qtbot, mode.toolbar)
    steps = [mode.step_buttons.button(i) for i in range(8)]
    assert all(
        b.isVisible() and mode.rect().contains(b.mapTo(mode, b.rect().bottomRight())) for b in steps
    )
    mode.close()
