"""The Edit menu's Undo, Redo, Cut, Copy, Paste and Select All, for the widget that
has the focus in the window: text fields do their own; a list copies its selected
rows as tab-separated text (what a spreadsheet or a letter takes)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QWidget

#: the operations of the Edit menu, as the text widgets name them
OPERATIONS = ("undo", "redo", "cut", "copy", "paste", "selectAll")


def _text_widget(widget: QWidget) -> QWidget:
    """An editable combo box or number box edits through its line edit."""
    inner = getattr(widget, "lineEdit", None)
    edit = inner() if callable(inner) else None
    return edit if isinstance(edit, QWidget) else widget


def selected_rows_text(view: QAbstractItemView) -> str:
    """The selected rows (or the current one) of ``view``, shown columns in their
    shown order, one line per row and a tab between cells."""
    model: QAbstractItemModel | None = view.model()
    selection: QItemSelectionModel | None = view.selectionModel()
    if model is None:
        return ""
    rows = sorted({i.row() for i in selection.selectedIndexes()}) if selection else []
    if not rows and view.currentIndex().isValid():
        rows = [view.currentIndex().row()]
    header = getattr(view, "horizontalHeader", lambda: None)()
    columns = list(range(model.columnCount()))
    if header is not None:
        columns = [header.logicalIndex(v) for v in range(header.count())]
        columns = [c for c in columns if not header.isSectionHidden(c)]
    lines = []
    for row in rows:
        cells = [model.index(row, c).data(Qt.ItemDataRole.DisplayRole) for c in columns]
        lines.append("\t".join("" if v is None else str(v) for v in cells))
    return "\n".join(lines)


def edit_focused(window: QWidget, operation: str) -> bool:
    """Do ``operation`` (one of :data:`OPERATIONS`) on the focused widget of
    ``window``; False when that widget has no such thing to do."""
    focused: QWidget | None = window.focusWidget()
    if focused is None:
        return False
    if isinstance(focused, QAbstractItemView):
        if operation == "copy":
            text = selected_rows_text(focused)
            if text:
                QGuiApplication.clipboard().setText(text)
            return bool(text)
        if operation == "selectAll":
            focused.selectAll()
            return True
        return False
    target = _text_widget(focused)
    method = getattr(target, operation, None)
    if not callable(method):
        return False
    if operation in ("cut", "paste", "undo", "redo") and getattr(target, "isReadOnly", bool)():
        return False
    method()
    return True
