"""The main window's actions and its File, Edit, View, Meetings and Help menus.

Only texts, shortcuts and the menu order live here, and the actions that do the same
in any window (the Edit menu acts on the focused widget, Help opens the guide); the
window connects each other action to what it does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from mdtboard.ui.edit_menu import edit_focused
from mdtboard.ui.help import install_help, keyboard_action

Shortcut = QKeySequence.StandardKey | str | None


def _action(parent: QMainWindow, text: str, shortcut: Shortcut = None) -> QAction:
    action = QAction(text, parent)
    if isinstance(shortcut, str):
        action.setShortcut(QKeySequence(shortcut))
    elif shortcut is not None:
        action.setShortcut(shortcut)
    return action


class MainActions:
    """Every menu action of the main window (owned by the window) and its menus.
    ``help_topic`` names the guide's section for F1 (it depends on the tab shown)."""

    def __init__(self, window: QMainWindow, help_topic: Callable[[], str]) -> None:
        std = QKeySequence.StandardKey
        self.new_referral = _action(window, "&New referral…", std.New)
        self.edit_referral = _action(window, "&Edit selected referral…", "Ctrl+E")
        self.import_referrals = _action(window, "&Import referrals…", "Ctrl+I")
        self.letter = _action(window, "Outcome &letter for selected case (PDF)…")
        self.letter_gp = _action(window, "Outcome letter, &GP copy (PDF)…")
        self.outcome_form = _action(window, "Outcome &record of selected case (PDF)…")
        self.export_csv = _action(window, "Export worklist as &CSV…")
        self.sign_out = _action(window, "Sign &out")
        self.quit = _action(window, "&Quit", std.Quit)
        self.edit: dict[str, QAction] = {}
        for operation, text, key in (
            ("undo", "&Undo", std.Undo),
            ("redo", "&Redo", std.Redo),
            ("cut", "Cu&t", std.Cut),
            ("copy", "&Copy", std.Copy),
            ("paste", "&Paste", std.Paste),
            ("selectAll", "Select &all", std.SelectAll),
        ):
            self.edit[operation] = _action(window, text, key)
            self.edit[operation].triggered.connect(partial(edit_focused, window, operation))
        self.find = _action(window, "&Find…", std.Find)
        self.worklist = _action(window, "&Worklist", "Ctrl+1")
        self.refresh = _action(window, "&Refresh", std.Refresh)
        self.go_to_list = _action(window, "Go to case &list", "Ctrl+L")
        self.audit = _action(window, "&Audit trail…")
        self.members = _action(window, "MDT &members…")
        self.meetings = _action(window, "&Meetings and agendas", "Ctrl+2")
        self.new_meeting = _action(window, "&New meeting…", "Ctrl+Shift+N")
        self.start_meeting = _action(window, "&Start meeting mode", "Ctrl+Shift+M")
        self.agenda_pdf = _action(window, "&Agenda PDF…")
        self.summary_pdf = _action(window, "Outcome summar&y PDF…")
        self.followup = _action(window, "&Follow-up due…", "Ctrl+Shift+U")
        self.metrics = _action(window, "Metri&cs…", "Ctrl+Shift+B")
        self.help = install_help(window, help_topic)
        self.keys = keyboard_action(window)
        self.about = _action(window, "&About mdtboard")

        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_referral, self.edit_referral])
        file_menu.addSeparator()
        file_menu.addActions([self.import_referrals, self.export_csv])
        file_menu.addSeparator()
        file_menu.addActions([self.letter, self.letter_gp, self.outcome_form])
        file_menu.addSeparator()
        file_menu.addActions([self.sign_out, self.quit])
        edit_menu = bar.addMenu("&Edit")
        edit = self.edit
        edit_menu.addActions([edit["undo"], edit["redo"]])
        edit_menu.addSeparator()
        edit_menu.addActions([edit["cut"], edit["copy"], edit["paste"], edit["selectAll"]])
        edit_menu.addSeparator()
        edit_menu.addAction(self.find)
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.worklist, self.go_to_list, self.refresh])
        view_menu.addSeparator()
        view_menu.addActions([self.audit, self.members])
        meetings_menu = bar.addMenu("&Meetings")
        meetings_menu.addActions([self.meetings, self.new_meeting, self.start_meeting])
        meetings_menu.addSeparator()
        meetings_menu.addActions([self.agenda_pdf, self.summary_pdf])
        meetings_menu.addSeparator()
        meetings_menu.addActions([self.followup, self.metrics])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.help, self.keys])
        help_menu.addSeparator()
        help_menu.addAction(self.about)
        self.menus: tuple[QMenu, ...] = (file_menu, edit_menu, view_menu, meetings_menu, help_menu)

    def needing_a_database(self) -> list[QAction]:
        """The menu actions that stay disabled until a database is open."""
        always = (self.quit, self.about, self.help, self.keys, *self.edit.values())
        return [a for menu in self.menus for a in menu.actions() if a not in always]
