"""What every step page shares: the presenter's events and a guard while filling.

A page shows the presenter's state (``fill`` when a case is opened or restored by
undo, ``refresh`` after another page's edit) and sends its own edits back to the
presenter; it keeps no case state of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFormLayout, QPlainTextEdit, QVBoxLayout, QWidget

from mdtboard.ui.meeting.presenter import CasePresenter


class _WindowKeys(QObject):
    """A text box lets Ctrl+Return through to the window (sign-off, which asks first)
    instead of taking it as a line break."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # True: not the text box's key, so the window's shortcut takes it
        return bool(
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )


_WINDOW_KEYS = _WindowKeys()


class StepPage(QWidget):
    #: the step's key in ``STEPS``
    key: ClassVar[str] = ""
    #: shown inside a scroll area (long forms)
    scrolls: ClassVar[bool] = True

    def __init__(self, presenter: CasePresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self._filling = False
        presenter.loaded.connect(self._on_loaded)
        presenter.changed.connect(self._on_changed)
        presenter.state_changed.connect(self._on_state)

    @contextmanager
    def filling(self) -> Iterator[None]:
        """Widgets set from the presenter do not echo back as edits."""
        was, self._filling = self._filling, True
        try:
            yield
        finally:
            self._filling = was

    @property
    def is_filling(self) -> bool:
        return self._filling

    def _on_loaded(self, reason: str) -> None:
        if self.presenter.case is None:
            return
        with self.filling():
            self.fill(reason)
        self.set_read_only(self.presenter.is_final)
        self.refresh_derived()

    def _on_changed(self, fields: frozenset[str], origin: object) -> None:
        if origin is not self:
            with self.filling():
                self.refresh(fields)
        self.refresh_derived()

    def _on_state(self) -> None:
        self.set_read_only(self.presenter.is_final)
        self.refresh_derived()

    # --- for subclasses --------------------------------------------------------
    def fill(self, reason: str) -> None:
        """Show the presenter's case ("open") or its restored state ("undo"/"redo")."""

    def refresh(self, fields: frozenset[str]) -> None:
        """Another page changed these fields: show them."""

    def refresh_derived(self) -> None:
        """Texts worked out from the state (suggestions, summaries): after any change."""

    def set_read_only(self, final: bool) -> None:
        """A signed-off decision is read-only until an amendment starts."""

    def first_input(self) -> QWidget | None:
        """Where the keyboard goes when the step is shown (the first thing to answer)."""
        return None

    # --- helpers -----------------------------------------------------------------
    def top_form(self) -> QFormLayout:
        """A form that keeps its rows at their natural height, at the top of the page."""
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        return form

    def text_box(self, name: str, label: str, height: int = 80) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(label)
        edit.setTabChangesFocus(True)
        edit.setUndoRedoEnabled(False)  # undo is the presenter's, for the whole case
        edit.setFixedHeight(height)
        edit.installEventFilter(_WINDOW_KEYS)
        return edit


def set_plain(edit: QPlainTextEdit, text: str) -> None:
    if edit.toPlainText() != text:
        edit.setPlainText(text)
