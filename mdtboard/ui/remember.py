"""Windows, dialogs and splitters keep their size and layout per user (QSettings):
what the user arranged is how the next window opens."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QSplitter, QWidget


class _GeometryKeeper(QObject):
    """Saves a window's geometry when it is hidden or closed."""

    def __init__(self, widget: QWidget, key: str) -> None:
        super().__init__(widget)
        self._key = key
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Hide, QEvent.Type.Close) and isinstance(watched, QWidget):
            QSettings().setValue(self._key, watched.saveGeometry())
        return False


def keep_geometry(widget: QWidget, key: str, default: tuple[int, int]) -> None:
    """Open at the size and place last used (``default`` the first time)."""
    saved = QSettings().value(key)
    if not (
        isinstance(saved, QByteArray) and not saved.isEmpty() and widget.restoreGeometry(saved)
    ):
        widget.resize(*default)
    _GeometryKeeper(widget, key)


class _SplitterKeeper(QObject):
    """Restores a splitter's sizes when it is first shown (before that it has no size to
    share out), then calls ``after``."""

    def __init__(self, splitter: QSplitter, saved: list[int], after: Callable[[], None]) -> None:
        super().__init__(splitter)
        self._saved, self._after = saved, after
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QSplitter):
            watched.removeEventFilter(self)
            if len(self._saved) == watched.count():
                watched.setSizes(self._saved)
            self._after()
        return False


def keep_splitter(splitter: QSplitter, key: str, after: Callable[[], None] = lambda: None) -> None:
    """The splitter's positions as last left (its own sizes the first time); ``after``
    runs once they are in place (a pane that must fit its content)."""
    saved = QSettings().value(key)
    sizes = [int(x) for x in saved] if isinstance(saved, list) else []
    _SplitterKeeper(splitter, sizes, after)
    splitter.splitterMoved.connect(lambda _p, _i: QSettings().setValue(key, splitter.sizes()))
