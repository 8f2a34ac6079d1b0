"""A form's fields by name: each one's widget, value, setter and error label.

``FormFields`` builds the rows of a :class:`QFormLayout` (a widget with its error line
under it) and remembers the fields in the order they were added, which is the Tab
order and the order errors are focused in. It emits ``sig_edited(name)`` when the user
changes a field in its widget; setting a value from code (:meth:`set_quietly`) emits
nothing, so the form's undo stack sees only the user's edits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mdtboard.ui.undo import StealUndoKeys
from mdtboard.ui.widgets import DateField, DateTimeField

ERROR_STYLE = "color: #b3261e;"


def error_label(parent: QWidget) -> QLabel:
    """A red, word-wrapped line for a field's problem, hidden until there is one."""
    label = QLabel(parent)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


class FormFields(QObject):
    """The fields of one form. The factories make a widget, add its row to ``form``
    and register it under ``name`` (also its object name)."""

    sig_edited = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._steal = StealUndoKeys(self)
        self._getters: dict[str, Callable[[], Any]] = {}
        self._setters: dict[str, Callable[[Any], None]] = {}
        self._widgets: dict[str, QWidget] = {}
        self._typed_dates: dict[str, DateField | DateTimeField] = {}
        #: each field's error line, by name
        self.errors: dict[str, QLabel] = {}

    # --- values ------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every field, in the order added."""
        return list(self._getters)

    def value(self, name: str) -> Any:
        return self._getters[name]()

    def set_quietly(self, name: str, value: Any) -> None:
        """Show ``value`` without the widget's change signals (no ``sig_edited``)."""
        widget = self._widgets[name]
        was = widget.blockSignals(True)
        try:
            self._setters[name](value)
        finally:
            widget.blockSignals(was)

    def add(
        self, name: str, widget: QWidget, get: Callable[[], Any], set_: Callable[[Any], None]
    ) -> None:
        """Register a field whose widget is laid out (and its edits reported) elsewhere."""
        self._getters[name] = get
        self._setters[name] = set_
        self._widgets[name] = widget

    def steal_undo_keys(self, widget: QWidget) -> None:
        """Ctrl+Z/Ctrl+Y in ``widget`` go to the form's undo stack, not the widget's."""
        widget.installEventFilter(self._steal)

    # --- problems ----------------------------------------------------------------
    def unparsed(self) -> dict[str, str]:
        """The date and date-time fields whose text is not a date (or date and time)."""
        problems: dict[str, str] = {}
        for name, field in self._typed_dates.items():
            if field.is_invalid():
                problems[name] = (
                    f"{field.text()!r} is not a date (use dd/mm/yyyy)"
                    if isinstance(field, DateField)
                    else f"{field.text()!r} is not a date and time (use dd/mm/yyyy hh:mm)"
                )
        return problems

    def show_errors(self, problems: dict[str, str]) -> None:
        """Each problem under its field (and as its accessible description), the rest
        cleared; the first field at fault, in form order, gets the focus."""
        for name, label in self.errors.items():
            message = problems.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            widget = self._widgets.get(name)
            if widget is not None:
                widget.setAccessibleDescription(message)
        order = self.names()
        first = min((order.index(n) for n in problems if n in order), default=None)
        if first is not None:
            self._widgets[order[first]].setFocus(Qt.FocusReason.OtherFocusReason)

    def hide_error(self, name: str) -> None:
        label = self.errors.get(name)
        if label is not None:
            label.hide()

    # --- rows ----------------------------------------------------------------------
    def row(self, form: QFormLayout, name: str, label: str, widget: QWidget) -> None:
        """``widget`` with its error line under it, as the row ``label`` of ``form``."""
        box = QWidget(form.parentWidget())
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(box)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addWidget(widget)
        err = error_label(box)
        lay.addWidget(err)
        self.errors[name] = err
        self._widgets[name] = widget
        widget.setObjectName(name)
        widget.setAccessibleName(label.rstrip(" *"))
        form.addRow(label, box)

    def watched(
        self,
        name: str,
        form: QFormLayout,
        label: str,
        widget: QWidget,
        *,
        get: Callable[[], Any],
        set_: Callable[[Any], None],
        signal: Any,
    ) -> None:
        """A row whose every change on ``signal`` counts as an edit."""
        self._getters[name] = get
        self._setters[name] = set_
        self.row(form, name, label, widget)
        signal.connect(lambda *_: self.sig_edited.emit(name))

    def _typed(
        self,
        name: str,
        form: QFormLayout,
        label: str,
        edit: QLineEdit,
        get: Callable[[], Any],
        set_: Callable[[Any], None],
    ) -> None:
        """A line edit the user types into (undo is the form's, not the widget's)."""
        self.steal_undo_keys(edit)
        self._getters[name] = get
        self._setters[name] = set_
        self.row(form, name, label, edit)
        edit.textEdited.connect(lambda _t: self.sig_edited.emit(name))

    def line(self, name: str, form: QFormLayout, label: str) -> QLineEdit:
        edit = QLineEdit(form.parentWidget())
        self._typed(name, form, label, edit, edit.text, edit.setText)
        return edit

    def text(self, name: str, form: QFormLayout, label: str, height: int) -> QPlainTextEdit:
        edit = QPlainTextEdit(form.parentWidget())
        edit.setUndoRedoEnabled(False)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(height)
        self.watched(
            name,
            form,
            label,
            edit,
            get=edit.toPlainText,
            set_=edit.setPlainText,
            signal=edit.textChanged,
        )
        return edit

    def date(self, name: str, form: QFormLayout, label: str) -> DateField:
        edit = DateField(form.parentWidget())
        self._typed(name, form, label, edit, edit.date_value, edit.set_date_value)
        self._typed_dates[name] = edit
        return edit

    def datetime(self, name: str, form: QFormLayout, label: str) -> DateTimeField:
        edit = DateTimeField(form.parentWidget())
        self._typed(name, form, label, edit, edit.datetime_value, edit.set_datetime_value)
        self._typed_dates[name] = edit
        return edit

    def combo(
        self, name: str, form: QFormLayout, label: str, items: list[tuple[str, str]]
    ) -> QComboBox:
        """A choice of ``(text, value)`` items; the field's value is the item's value."""
        combo = QComboBox(form.parentWidget())
        for text, value in items:
            combo.addItem(text, value)

        def set_(value: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        self._getters[name] = combo.currentData
        self._setters[name] = set_
        self.row(form, name, label, combo)
        combo.activated.connect(lambda _i: self.sig_edited.emit(name))
        return combo

    def check(self, name: str, form: QFormLayout, label: str) -> QCheckBox:
        box = QCheckBox(label, form.parentWidget())
        self._getters[name] = box.isChecked
        self._setters[name] = box.setChecked
        self.row(form, name, "", box)
        box.setAccessibleName(label)
        box.clicked.connect(lambda _c: self.sig_edited.emit(name))
        return box

    def checklist(
        self, name: str, form: QFormLayout, label: str, summary: Callable[[Any], str]
    ) -> QPushButton:
        """A checklist kept as one field (a tuple, empty at first): the button shows its
        summary; what the button opens is the caller's."""
        button = QPushButton(summary(()), form.parentWidget())
        values: dict[str, tuple[Any, ...]] = {name: ()}

        def set_(value: Any) -> None:
            values[name] = tuple(value)
            button.setText(summary(values[name]))

        self._getters[name] = lambda: values[name]
        self._setters[name] = set_
        self.row(form, name, label, button)
        return button
