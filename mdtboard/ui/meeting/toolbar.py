"""Meeting mode's actions: its toolbar and its keyboard shortcuts.

Every shortcut of the window is one of these actions, so the help's keyboard table
(made from them, see ``mdtboard.ui.help``) lists exactly what works. The toolbar is
short enough for an 800-pixel screen; what does not fit is behind its "»" button.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.ui.help import install_help

if TYPE_CHECKING:
    from mdtboard.ui.meeting.window import MeetingModeWindow


class MeetingActions:
    """The actions of ``win`` (owned by it, active anywhere in it) and its toolbar."""

    def __init__(self, win: MeetingModeWindow, steps: tuple[tuple[str, str], ...]) -> None:
        self._win = win
        bar = self.bar = QToolBar("Meeting", win)
        bar.setObjectName("meetingToolbar")
        bar.setMovable(False)
        win.addToolBar(bar)
        self.prev_case = self._act("◀ Previous case", ["Ctrl+PgUp"], lambda: win.step_case(-1))
        self.next_case = self._act("Next case ▶", ["Ctrl+PgDown"], lambda: win.step_case(1))
        bar.addSeparator()
        step = win.stack.currentIndex
        self._act("Previous step", ["Alt+Left"], lambda: win.go_to_step(step() - 1), False)
        self._act("Next step", ["Alt+Right"], lambda: win.go_to_step(step() + 1), False)
        for i, (_key, label) in enumerate(steps):
            keys = [f"Alt+{i + 1}", f"Ctrl+{i + 1}"]
            self._act(f"Step {label}", keys, partial(win.go_to_step, i), False)
        self.save = self._act("Save", ["Ctrl+S"], win.save_now)
        self.save.setToolTip("Save the draft now (drafts also save themselves)")
        self.apply = self._act("Apply suggestion", ["Ctrl+Shift+N"], win.apply_suggestion)
        self.sign = self._act("Sign off…", ["Ctrl+Return", "Ctrl+Enter"], win.sign_off)
        deferred, withdrawn = AgendaStatus.DEFERRED, AgendaStatus.WITHDRAWN
        self.defer = self._act("Defer…", ["Ctrl+D"], lambda: win.set_case_status(deferred))
        self.withdraw = self._act("Withdraw…", [], lambda: win.set_case_status(withdrawn))
        self.confirm_soc = self._act(
            "Confirm standard of care…", ["Ctrl+Shift+K"], win.confirm_standard_of_care
        )
        self.confirm_soc.setToolTip(
            "Sign off together the cases listed as standard of care (Ctrl+Shift+K)"
        )
        bar.addSeparator()
        self.attendance = self._act("Attendance…", ["Ctrl+Shift+A"], win.edit_attendance)
        self.present = self._act("Presentation mode", ["F11"], win.toggle_presentation)
        self.close_meeting = self._act("Close meeting…", [], win.close_meeting)
        self.help = install_help(win, "meeting")
        self.help.setIconText("Help")
        self.help.setToolTip("mdtboard help and this window's shortcuts (F1)")
        bar.addAction(self.help)
        undo_keys = [QKeySequence(QKeySequence.StandardKey.Undo).toString()]
        self.undo = self._act("Undo", undo_keys, win.undo, False)
        redo_keys = [QKeySequence(QKeySequence.StandardKey.Redo).toString(), "Ctrl+Shift+Z"]
        self.redo = self._act("Redo", redo_keys, win.redo, False)

    def _act(
        self, text: str, keys: list[str], slot: Callable[[], Any], on_bar: bool = True
    ) -> QAction:
        a = QAction(text, self._win)
        a.setShortcuts([QKeySequence(k) for k in keys])
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        self._win.addAction(a)
        if on_bar:
            self.bar.addAction(a)
        return a
