"""Windows, dialogs, splitters and table columns keep their size and layout per user
(QSettings): what the user arranged is how the next window opens."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QSplitter,
    QTableView,
    QWidget,
)


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


class _ColumnKeeper(QObject):
    """Saves a table's header (order, widths, hidden columns, sort) whenever the user
    changes it, and offers the columns to show or hide on the header's context menu."""

    def __init__(self, view: QAbstractItemView, header: QHeaderView, key: str) -> None:
        super().__init__(header)
        self._view, self._header, self._key = view, header, key
        header.sectionResized.connect(self.save)
        header.sectionMoved.connect(self.save)
        header.sortIndicatorChanged.connect(self.save)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu)
        header.installEventFilter(self)  # and when its window closes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._header and event.type() == QEvent.Type.Hide:
            self.save()
        return False

    def save(self, *_args: object) -> None:
        settings = QSettings()
        settings.setValue(self._key, self._header.saveState())
        settings.setValue(f"{self._key}Count", self._header.count())

    def _menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self._header.mapToGlobal(pos))
        menu.deleteLater()

    def column_menu(self) -> QMenu:
        """One checkable entry per column: shown or hidden."""
        header, model = self._header, self._view.model()
        menu = QMenu(header)
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        for col in range(header.count()):
            label = model.headerData(col, Qt.Orientation.Horizontal) if model else None
            action = menu.addAction(str(label or f"Column {col + 1}"))
            action.setCheckable(True)
            action.setChecked(col in shown)
            action.setEnabled(shown != [col])  # the last column shown stays
            action.toggled.connect(partial(self._show_column, col))
        return menu

    def _show_column(self, col: int, shown: bool) -> None:
        self._header.setSectionHidden(col, not shown)
        self.save()


def keep_columns(view: QTableView, key: str) -> None:
    """The table's columns as the user last left them (order, widths, hidden columns,
    sort), saved under ``key`` whenever changed; the columns can be dragged to another
    place and hidden or shown again from the header's context menu. Call it once the
    view has its model and default widths. A saved layout for another number of
    columns (the program changed) is ignored."""
    header = view.horizontalHeader()
    settings = QSettings()
    saved, count = settings.value(key), settings.value(f"{key}Count")
    matches = count is None or int(str(count)) == header.count()
    if isinstance(saved, QByteArray) and not saved.isEmpty() and matches:
        header.restoreState(saved)
    header.setSectionsMovable(True)
    _ColumnKeeper(view, header, key)
