"""The main window's actions and its File, View and Help menus.

Only texts, shortcuts and the menu order live here; the window connects each action
to what it does.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

Shortcut = QKeySequence.StandardKey | str | None


def _action(parent: QMainWindow, text: str, shortcut: Shortcut = None) -> QAction:
    action = QAction(text, parent)
    if isinstance(shortcut, str):
        action.setShortcut(QKeySequence(shortcut))
    elif shortcut is not None:
        action.setShortcut(shortcut)
    return action


class MainActions:
    """Every menu action of the main window (owned by the window) and its menus."""

    def __init__(self, window: QMainWindow) -> None:
        std = QKeySequence.StandardKey
        self.new_referral = _action(window, "&New referral…", std.New)
        self.edit_referral = _action(window, "&Edit selected referral…", "Ctrl+E")
        self.import_referrals = _action(window, "&Import referrals (CSV)…", "Ctrl+I")
        self.letter = _action(window, "Outcome &letter for selected case (PDF)…")
        self.export_csv = _action(window, "Export worklist as &CSV…")
        self.sign_out = _action(window, "Sign &out")
        self.quit = _action(window, "&Quit", std.Quit)
        self.refresh = _action(window, "&Refresh", std.Refresh)
        self.find = _action(window, "&Find…", std.Find)
        self.go_to_list = _action(window, "Go to case &list", "Ctrl+L")
        self.audit = _action(window, "&Audit trail…")
        self.members = _action(window, "MDT &members…")
        self.about = _action(window, "&About mdtboard")

        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_referral, self.edit_referral])
        file_menu.addSeparator()
        file_menu.addActions([self.import_referrals, self.letter, self.export_csv])
        file_menu.addSeparator()
        file_menu.addActions([self.sign_out, self.quit])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.refresh, self.find, self.go_to_list, self.audit, self.members])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about)
        self.menus: tuple[QMenu, ...] = (file_menu, view_menu, help_menu)

    def needing_a_database(self) -> list[QAction]:
        """The menu actions that stay disabled until a database is open."""
        always = (self.quit, self.about)
        return [a for menu in self.menus for a in menu.actions() if a not in always]
