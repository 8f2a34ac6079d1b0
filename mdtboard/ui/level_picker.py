"""A spine drawn with QPainter on which the user picks the involved levels.

``LevelPicker`` shows the 31 levels from the occiput (C0, top) to the coccyx (bottom),
grouped by region; the occiput is drawn with the cervical spine. The cursor starts on
C1. It holds a selection and nothing else: no business rules live here.

Mouse: click toggles a level; Shift+click selects the range from the anchor (the last
plain click or keyboard position); dragging selects the levels passed over.
Keyboard: Up/Down (and Home/End, PageUp/PageDown by region) move the cursor, with
Shift they extend the selection; Space/Enter toggle; Delete clears; typing a level
name ("t12") jumps to it.

Signals: ``sig_selection_changed(levels)`` on every change, programmatic or not;
``sig_user_changed(old, new)`` only for mouse/keyboard edits (one per gesture), for
the form's undo stack.

Where things are drawn is :mod:`mdtboard.ui.spine_layout`; the drawing itself is
:mod:`mdtboard.ui.spine_painter`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mdtboard.domain.levels import LEVELS, format_levels, index, region
from mdtboard.ui import spine_layout
from mdtboard.ui.spine_layout import REGION_NAMES, SpineLayout
from mdtboard.ui.spine_painter import SpinePainter, SpineState

NO_SELECTION = "No level selected"
TYPEAHEAD_RESET_S = 1.0

_PLAIN_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_Space,
    Qt.Key.Key_Return,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Delete,
}
_MOVE_KEYS = {
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageUp,
    Qt.Key.Key_PageDown,
}


def _now() -> float:
    """Seconds on a monotonic clock (the type-ahead timeout); tests replace it."""
    return time.monotonic()


class LevelPicker(QWidget):
    """Pick spinal levels on a drawn spine. See the module docstring for the controls."""

    sig_selection_changed = Signal(tuple)
    sig_user_changed = Signal(tuple, tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._selected: frozenset[str] = frozenset()
        self._cursor = index("C1")  # the occiput is rarely involved: start below it
        self._anchor: int | None = None
        self._extend_base: frozenset[str] | None = None  # selection before a Shift run
        self._hover: int | None = None
        # A mouse gesture in progress: the selection before it, the level pressed and
        # the selection a plain click there gives (restored if a drag comes back to it).
        self._press_old: tuple[str, ...] | None = None
        self._press_level = 0
        self._press_toggled: frozenset[str] = frozenset()
        self._typed = ""
        self._typed_at = 0.0
        self._spine: SpineLayout | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Spinal levels")
        self._sync_accessibility()

    # ------------------------------------------------------------------ public API

    def selected(self) -> tuple[str, ...]:
        """The selected levels in spine order (C1 first)."""
        return tuple(lv for lv in LEVELS if lv in self._selected)

    def set_selected(self, levels: Iterable[str]) -> None:
        """Replace the selection. Emits ``sig_selection_changed`` if it changed, never
        ``sig_user_changed``. Unknown level names raise ``ValueError``."""
        if isinstance(levels, str):
            raise TypeError("set_selected() takes an iterable of level names, not one string")
        new = frozenset(levels)
        unknown = new.difference(LEVELS)
        if unknown:
            raise ValueError(f"unknown spinal level(s): {', '.join(sorted(unknown))}")
        self._extend_base = None
        self._apply(new)

    def clear(self) -> None:
        """Select nothing (programmatic: no ``sig_user_changed``)."""
        self.set_selected(())

    def current_level(self) -> str:
        """The level under the keyboard cursor."""
        return LEVELS[self._cursor]

    def set_current_level(self, level: str) -> None:
        """Put the keyboard cursor (and the Shift+click anchor) on ``level``."""
        self._extend_base = None
        self._anchor = index(level)
        self._move_cursor(self._anchor)

    def summary_text(self) -> str:
        """The line drawn under the spine: "Selected: T4–T6, L2" or "No level selected"."""
        levels = self.selected()
        return f"Selected: {format_levels(levels)}" if levels else NO_SELECTION

    def level_rect(self, level: str) -> QRect:
        """Where the vertebra of ``level`` is drawn, in widget coordinates."""
        return self._current_layout().bodies[level].toAlignedRect()

    def level_at(self, pos: QPoint | QPointF) -> str | None:
        """The level drawn at ``pos`` (nearest row), or None outside the spine."""
        i = self._index_at(QPointF(pos), clamp=False)
        return None if i is None else LEVELS[i]

    def sizeHint(self) -> QSize:
        return spine_layout.size_hint(self.font())

    def minimumSizeHint(self) -> QSize:
        return spine_layout.minimum_size_hint(self.font())

    # ------------------------------------------------------------------ selection core

    def _apply(self, new: frozenset[str]) -> bool:
        if new == self._selected:
            return False
        self._selected = new
        self._sync_accessibility()
        self.update()
        self.sig_selection_changed.emit(self.selected())
        return True

    def _user_edit(self, new: frozenset[str]) -> None:
        old = self.selected()
        if self._apply(new):
            self.sig_user_changed.emit(old, self.selected())

    @staticmethod
    def _span(a: int, b: int) -> frozenset[str]:
        lo, hi = min(a, b), max(a, b)
        return frozenset(LEVELS[lo : hi + 1])

    def _move_cursor(self, i: int) -> None:
        i = max(0, min(len(LEVELS) - 1, i))
        if i != self._cursor:
            self._cursor = i
            self._sync_accessibility()
            self.update()

    def _extended(self, to: int) -> frozenset[str]:
        """The selection for a Shift gesture from the anchor to ``to``."""
        if self._extend_base is None:
            self._extend_base = self._selected
        anchor = self._cursor if self._anchor is None else self._anchor
        self._anchor = anchor
        return self._extend_base | self._span(anchor, to)

    def _sync_accessibility(self) -> None:
        level = LEVELS[self._cursor]
        state = "selected" if level in self._selected else "not selected"
        levels = self.selected()
        summary = f"Selected: {format_levels(levels)}" if levels else NO_SELECTION
        text = f"Cursor on {level} ({region(level)}), {state}. {summary}"
        if text != self.accessibleDescription():
            # Qt sends QAccessible::DescriptionChanged from this setter.
            self.setAccessibleDescription(text)

    # ------------------------------------------------------------------ layout and painting

    def _current_layout(self) -> SpineLayout:
        if self._spine is None:
            self._spine = spine_layout.layout_spine(self.font(), self.width(), self.height())
        return self._spine

    def _index_at(self, pos: QPointF, *, clamp: bool) -> int | None:
        return self._current_layout().index_at(pos, clamp=clamp)

    def paintEvent(self, event: QPaintEvent) -> None:
        state = SpineState(
            selected=self._selected,
            hover=self._hover if self.isEnabled() else None,
            cursor=self._cursor if self.hasFocus() else None,
            summary=self.summary_text(),
        )
        p = QPainter(self)
        SpinePainter(p, self.palette()).paint(self.rect(), self._current_layout(), state)
        p.end()

    # ------------------------------------------------------------------ events

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._spine = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.PaletteChange,
        ):
            self._spine = None
            if event.type() == QEvent.Type.FontChange:
                self.updateGeometry()
            self.update()
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            i = self._index_at(QPointF(event.pos()), clamp=False)
            if i is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(
                    event.globalPos(), self._tooltip(LEVELS[i]), self, self.level_rect(LEVELS[i])
                )
            return True
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._handles(event)
        ):
            event.accept()  # e.g. Delete here clears levels, not a window-wide action
            return True
        return super().event(event)

    def _tooltip(self, level: str) -> str:
        reg = region(level)
        where = "coccyx" if reg == "coccygeal" else f"{reg} spine"
        state = "selected" if level in self._selected else "not selected"
        return f"{level} — {where}, {state}"

    def _handles(self, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = Qt.Key(event.key())
        if mods == Qt.KeyboardModifier.NoModifier and key in _PLAIN_KEYS:
            return True
        if mods == Qt.KeyboardModifier.ShiftModifier and key in _MOVE_KEYS:
            return True
        plain_or_shift = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        return plain_or_shift and self._typeable(event)

    @staticmethod
    def _typeable(event: QKeyEvent) -> bool:
        t = event.text()
        return len(t) == 1 and t.isascii() and t.isalnum()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hover(None)
        super().leaveEvent(event)

    def _set_hover(self, i: int | None) -> None:
        if i != self._hover:
            self._hover = i
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        i = self._index_at(event.position(), clamp=False)
        if i is None:
            super().mousePressEvent(event)
            return
        event.accept()
        self._press_old = self.selected()
        self._press_level = i
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if shift and self._anchor is not None:
            new = self._extended(i)
            self._press_toggled = new
        else:
            self._extend_base = None
            self._anchor = i
            self._press_toggled = self._selected ^ {LEVELS[i]}
            new = self._press_toggled
        self._move_cursor(i)
        self._apply(new)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press_old is not None and event.buttons() & Qt.MouseButton.LeftButton:
            i = self._index_at(event.position(), clamp=True)
            assert i is not None
            if self._extend_base is not None:  # a Shift+drag: range from the anchor
                new = self._extended(i)
            elif i == self._press_level:  # back where it started: just the click
                new = self._press_toggled
            else:  # a drag selects every level passed over
                new = frozenset(self._press_old) | self._span(self._press_level, i)
            self._move_cursor(i)
            self._apply(new)
            self._set_hover(i)
            event.accept()
            return
        self._set_hover(self._index_at(event.position(), clamp=False))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._press_old is not None:
            old, self._press_old = self._press_old, None
            new = self.selected()
            if new != old:
                self.sig_user_changed.emit(old, new)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        event.accept()
        key = Qt.Key(event.key())
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key in _MOVE_KEYS:
            target = self._key_target(key)
            if shift:
                self._user_edit(self._extended(target))
            else:
                self._extend_base = None
                self._anchor = target
            self._move_cursor(target)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._extend_base = None
            self._anchor = self._cursor
            self._user_edit(self._selected ^ {LEVELS[self._cursor]})
        elif key == Qt.Key.Key_Delete:
            self._extend_base = None
            self._user_edit(frozenset())
        else:
            self._type_ahead(event.text())

    def _key_target(self, key: Qt.Key) -> int:
        last = len(LEVELS) - 1
        if key == Qt.Key.Key_Up:
            return max(0, self._cursor - 1)
        if key == Qt.Key.Key_Down:
            return min(last, self._cursor + 1)
        if key == Qt.Key.Key_Home:
            return 0
        if key == Qt.Key.Key_End:
            return last
        starts = [i for i, lv in enumerate(LEVELS) if i == 0 or region(LEVELS[i - 1]) != region(lv)]
        if key == Qt.Key.Key_PageUp:
            earlier = [s for s in starts if s < self._cursor]
            return earlier[-1] if earlier else 0
        later = [s for s in starts if s > self._cursor]
        return later[0] if later else last

    def _type_ahead(self, char: str) -> None:
        now = _now()
        if now - self._typed_at > TYPEAHEAD_RESET_S:
            self._typed = ""
        self._typed_at = now
        for attempt in (self._typed + char, char):
            key = attempt.casefold()
            match = next((i for i, lv in enumerate(LEVELS) if lv.casefold().startswith(key)), None)
            if match is not None:
                self._typed = attempt
                self._extend_base = None
                self._anchor = match
                self._move_cursor(match)
                return
        self._typed = ""


__all__ = ["NO_SELECTION", "REGION_NAMES", "LevelPicker"]
