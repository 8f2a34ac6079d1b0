"""Undo as data: every user edit in a form is a command on a QUndoStack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

_MERGE_BASE = 1000


class SetFieldCommand(QUndoCommand):
    """Set one form field from ``old`` to ``new``; typing in one field merges."""

    def __init__(
        self,
        field: str,
        old: Any,
        new: Any,
        apply: Callable[[str, Any], None],
        *,
        merge_id: int = -1,
        label: str = "",
    ) -> None:
        super().__init__(f"Edit {label or field}")
        self.field = field
        self.old = old
        self.new = new
        self._apply = apply
        self._merge_id = merge_id
        self._first = True

    def id(self) -> int:
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetFieldCommand) or other.field != self.field:
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        if self._first:  # the widget already shows the new value
            self._first = False
            return
        self._apply(self.field, self.new)

    def undo(self) -> None:
        self._apply(self.field, self.old)


def merge_id_for(index: int) -> int:
    return _MERGE_BASE + index


class StealUndoKeys(QObject):
    """Let the form's undo stack, not a line edit's private history, get Ctrl+Z/Ctrl+Y."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            for key in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo):
                if event.matches(key):
                    event.ignore()
                    return True
        return False


def add_undo_actions(window: QWidget, stack: QUndoStack) -> tuple[QAction, QAction]:
    """Undo (Ctrl+Z) and Redo (Ctrl+Y, Ctrl+Shift+Z) of ``stack``, added to ``window``
    and active anywhere in it."""
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")])
    for act in (undo, redo):
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(act)
    return undo, redo
