"""A form's fields by name: each one's widget, value, setter and error label.

``FormFields`` builds the rows of a :class:`QFormLayout` (a widget with its error line
under it) and remembers the fields in the order they were added, which is the Tab
order and the order errors are focused in. It emits ``sig_edited(name)`` when the user
changes a field in its widget; setting a value from code (:meth:`set_quietly`) emits
nothing, so the form's undo stack sees only the user's edits.

What the form itself can tell is wrong (:meth:`own_problems`): typed text that is not a
date, and a choice still on its "Not recorded — choose" placeholder. Each message names
its field, under the field and in the summary line by the form's buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mdtboard.ui.date_fields import DateField, DateTimeField
from mdtboard.ui.undo import StealUndoKeys

ERROR_STYLE = "color: #b3261e;"
#: what a choice shows until the user makes it (it cannot be saved)
NOT_CHOSEN = "Not recorded — choose"


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
        self._typed_dates: dict[str, DateField] = {}
        self._choices: dict[str, QComboBox] = {}  # those that must be chosen
        #: each field's error line, and its label (as the messages name it), by name
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, str] = {}
        self._summary: QLabel | None = None

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
    def own_problems(self) -> dict[str, str]:
        """The date fields whose text is not a date (or date and time), and the choices
        not made yet; each message names its field."""
        problems = {
            name: field.problem(self.labels[name])
            for name, field in self._typed_dates.items()
            if field.is_invalid()
        }
        for name, combo in self._choices.items():
            if combo.currentIndex() < 0:
                texts = [combo.itemText(i) for i in range(combo.count())]
                problems[name] = (
                    f"{self.labels[name]}: not recorded — choose "
                    f"{', '.join(texts[:-1])} or {texts[-1]}"
                )
        return problems

    def summary(self, parent: QWidget) -> QLabel:
        """A line that names the fields at fault after a refused save."""
        self._summary = error_label(parent)
        self._summary.setObjectName("problemSummary")
        return self._summary

    def show_errors(self, problems: dict[str, str]) -> None:
        """Each problem under its field (and as its accessible description), the rest
        cleared; the first field at fault, in form order, gets the focus."""
        order = self.names()
        at_fault = sorted((n for n in problems if n in order), key=order.index)
        if self._summary is not None:
            named = ", ".join(self.labels.get(n, n.replace("_", " ")) for n in at_fault)
            self._summary.setText(f"Not saved — check: {named}." if named else "")
            self._summary.setVisible(bool(named))
        for name, label in self.errors.items():
            message = problems.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
            widget = self._widgets.get(name)
            if widget is not None:
                widget.setAccessibleDescription(message)
        if at_fault:
            self._widgets[at_fault[0]].setFocus(Qt.FocusReason.OtherFocusReason)

    def hide_error(self, name: str) -> None:
        label = self.errors.get(name)
        if label is not None:
            label.hide()

    # --- rows ----------------------------------------------------------------------
    def row(
        self,
        form: QFormLayout,
        name: str,
        label: str,
        widget: QWidget,
        beside: QWidget | None = None,
    ) -> None:
        """``widget`` (and ``beside`` it, a button) with its error line under it, as
        the row ``label`` of ``form``."""
        box = QWidget(form.parentWidget())
        box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(box)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        if beside is None:
            lay.addWidget(widget)
        else:
            line = QHBoxLayout()
            line.setSpacing(4)
            line.addWidget(widget, 1)
            line.addWidget(beside)
            lay.addLayout(line)
        err = error_label(box)
        lay.addWidget(err)
        self.errors[name] = err
        self._widgets[name] = widget
        self.labels[name] = label.rstrip(" *")
        widget.setObjectName(name)
        widget.setAccessibleName(self.labels[name])
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
        beside: QWidget | None = None,
    ) -> None:
        """A line edit the user types into (undo is the form's, not the widget's)."""
        self.steal_undo_keys(edit)
        self._getters[name] = get
        self._setters[name] = set_
        self.row(form, name, label, edit, beside)
        edit.textEdited.connect(lambda _t: self.sig_edited.emit(name))

    def line(self, name: str, form: QFormLayout, label: str) -> QLineEdit:
        edit = QLineEdit(form.parentWidget())

        def set_(value: str) -> None:
            edit.setText(value)
            edit.setCursorPosition(0)  # a long value is read from its start

        self._typed(name, form, label, edit, edit.text, set_)
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
        """A date typed in the locale's format or picked from a calendar (None: blank)."""
        edit = DateField(form.parentWidget())
        self._typed(name, form, label, edit, edit.date_value, edit.set_date_value)
        edit.sig_picked.connect(lambda: self.sig_edited.emit(name))
        self._typed_dates[name] = edit
        return edit

    def datetime(
        self, name: str, form: QFormLayout, label: str, *, now: bool = False
    ) -> DateTimeField:
        """A local date and time (None: blank); ``now``: with a Now button."""
        edit = DateTimeField(form.parentWidget(), now=now)
        get, set_ = edit.datetime_value, edit.set_datetime_value
        self._typed(name, form, label, edit, get, set_, edit.now_button)
        edit.sig_picked.connect(lambda: self.sig_edited.emit(name))
        self._typed_dates[name] = edit
        return edit

    def combo(
        self,
        name: str,
        form: QFormLayout,
        label: str,
        items: list[tuple[str, str]],
        *,
        must_choose: bool = False,
    ) -> QComboBox:
        """A choice of ``(text, value)`` items; the field's value is the item's value.
        ``must_choose``: it starts on "Not recorded — choose" (value ""), which the form
        refuses to save."""
        combo = QComboBox(form.parentWidget())
        for text, value in items:
            combo.addItem(text, value)
        if must_choose:
            combo.setPlaceholderText(NOT_CHOSEN)
            combo.setCurrentIndex(-1)
            self._choices[name] = combo

        def set_(value: Any) -> None:
            found = combo.findData(value)
            combo.setCurrentIndex(found if found >= 0 or must_choose else 0)

        self._getters[name] = lambda: combo.currentData() or ""
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
