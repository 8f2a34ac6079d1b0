"""Small focus behaviours shared by forms."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractSpinBox


class SelectOnFocus(QObject):
    """Number boxes select their text on focus, so typed digits replace the value at
    once (no deleting "— not answered —" first)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QAbstractSpinBox):
            QTimer.singleShot(0, watched.selectAll)
        return False


def select_on_focus(box: QAbstractSpinBox) -> None:
    """Install the shared ``SelectOnFocus`` filter on a number box."""
    box.installEventFilter(_FILTER)


_FILTER = SelectOnFocus()
