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
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mdtboard.domain.levels import LEVELS, format_levels, index, region

REGION_NAMES: dict[str, str] = {
    "cervical": "Cervical",
    "thoracic": "Thoracic",
    "lumbar": "Lumbar",
    "sacral": "Sacral",
    "coccygeal": "Coccyx",
}
# Hues only; every drawn colour is a blend of one of these with the palette.
REGION_HUES: dict[str, QColor] = {
    "cervical": QColor(45, 115, 235),
    "thoracic": QColor(0, 150, 136),
    "lumbar": QColor(230, 140, 0),
    "sacral": QColor(150, 60, 190),
    "coccygeal": QColor(150, 100, 80),
}
NO_SELECTION = "No level selected"
TYPEAHEAD_RESET_S = 1.0

_REGION_GAP = 0.45  # extra space between regions, in rows
_SUMMARY_LINES = 2
_MIN_POINT_SIZE = 5.0
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


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` blended towards ``b`` by ``t`` (0..1), opaque."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def _scaled_font(font: QFont, factor: float) -> QFont:
    out = QFont(font)
    if factor >= 0.999:
        return out
    if font.pointSizeF() > 0:
        out.setPointSizeF(max(_MIN_POINT_SIZE, font.pointSizeF() * factor))
    elif font.pixelSize() > 0:
        out.setPixelSize(max(6, int(font.pixelSize() * factor)))
    return out


def _width_fraction(level: str) -> float:
    """Relative body width: cervical narrow, lumbar widest, sacrum tapering."""
    reg = region(level)
    members = [lv for lv in LEVELS if region(lv) == reg]
    i = members.index(level)
    span = max(1, len(members) - 1)
    if reg == "cervical":
        return 0.50 + 0.10 * i / span
    if reg == "thoracic":
        return 0.62 + 0.18 * i / span
    if reg == "lumbar":
        return 0.84 + 0.16 * i / span
    if reg == "sacral":
        return 0.96 - 0.46 * i / span
    return 0.34


@dataclass(frozen=True)
class _Geometry:
    label_font: QFont
    bold_font: QFont
    summary_font: QFont
    row_h: float
    bodies: dict[str, QRectF]
    shapes: dict[str, QPainterPath]
    ticks: dict[str, QRectF]
    regions: tuple[tuple[str, QRectF, QRectF, QRectF], ...]  # name, band, bar, label
    summary: QRectF
    separator_y: float
    spine_top: float
    spine_bottom: float


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
        self._geometry: _Geometry | None = None
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
        return self._geo().bodies[level].toAlignedRect()

    def level_at(self, pos: QPoint | QPointF) -> str | None:
        """The level drawn at ``pos`` (nearest row), or None outside the spine."""
        i = self._index_at(QPointF(pos), clamp=False)
        return None if i is None else LEVELS[i]

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        rows = len(LEVELS) + _REGION_GAP * (len(REGION_NAMES) - 1)
        height = rows * fm.height() * 1.3 + (_SUMMARY_LINES + 2) * fm.lineSpacing()
        return QSize(max(180, round(self._natural_width(fm))), max(640, round(height)))

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        rows = len(LEVELS) + _REGION_GAP * (len(REGION_NAMES) - 1)
        height = rows * max(9.0, fm.height() * 0.75) + (_SUMMARY_LINES + 1) * fm.lineSpacing()
        return QSize(round(self._natural_width(fm) * 0.8), round(height))

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

    # ------------------------------------------------------------------ geometry

    def _natural_width(self, fm: QFontMetricsF) -> float:
        name_w = max(fm.horizontalAdvance(n) for n in REGION_NAMES.values())
        body_w = fm.horizontalAdvance("T12") * 1.15 + fm.averageCharWidth() * 3
        return 2 * 6 + name_w + 14 + body_w / 0.62 + fm.height() * 1.2

    def _geo(self) -> _Geometry:
        if self._geometry is None:
            self._geometry = self._compute_geometry()
        return self._geometry

    def _compute_geometry(self) -> _Geometry:
        width, height = float(max(1, self.width())), float(max(1, self.height()))
        base = QFont(self.font())
        natural = self._natural_width(QFontMetricsF(base))
        w_scale = min(1.0, width / natural) if natural > 0 else 1.0
        summary_font = _scaled_font(base, w_scale)
        sfm = QFontMetricsF(summary_font)
        margin = max(4.0, round(sfm.height() / 3))
        summary_h = _SUMMARY_LINES * sfm.lineSpacing()
        summary = QRectF(margin, height - margin - summary_h, width - 2 * margin, summary_h)
        separator_y = summary.top() - margin / 2
        spine_top = margin * 1.5
        spine_bottom = max(spine_top + 1, separator_y - margin / 2)
        units = len(LEVELS) + _REGION_GAP * (len(REGION_NAMES) - 1)
        row_h = (spine_bottom - spine_top) / units

        base_h = QFontMetricsF(base).height()
        label_font = _scaled_font(base, min(w_scale, row_h * 0.78 / base_h))
        bold_font = QFont(label_font)
        bold_font.setBold(True)
        lfm, bfm = QFontMetricsF(label_font), QFontMetricsF(bold_font)
        pad = max(2.0, lfm.averageCharWidth() * 0.7)

        name_w = max(lfm.horizontalAdvance(n) for n in REGION_NAMES.values())
        bar_w = max(2.0, min(4.0, row_h * 0.2))
        bar_x = margin + name_w + pad
        tick_w = max(8.0, lfm.height())
        col_left = bar_x + bar_w + pad * 1.5
        col_right = max(col_left + 1, width - margin - tick_w - pad)
        # In a wide widget keep the spine's proportions: no vertebra wider than ~5 rows.
        widest_text = max(bfm.horizontalAdvance(lv) for lv in LEVELS) + 2 * pad
        col_w = min(col_right - col_left, max(row_h * 5.0, widest_text / 0.6))
        cx = (col_left + col_right) / 2
        col_right = cx + col_w / 2

        def body_width(level: str) -> float:
            text_w = bfm.horizontalAdvance(level) + 2 * pad
            return min(col_w, max(col_w * _width_fraction(level), text_w))

        bodies: dict[str, QRectF] = {}
        shapes: dict[str, QPainterPath] = {}
        ticks: dict[str, QRectF] = {}
        regions: list[tuple[str, QRectF, QRectF, QRectF]] = []
        y = spine_top
        prev_region: str | None = None
        region_start = y
        for n, level in enumerate(LEVELS):
            reg = region(level)
            if prev_region is not None and reg != prev_region:
                regions.append(
                    self._region_rects(
                        prev_region, region_start, y, margin, width, bar_x, bar_w, name_w
                    )
                )
                y += _REGION_GAP * row_h
                region_start = y
            prev_region = reg
            fill = 0.94 if reg == "sacral" else 0.74 if reg == "coccygeal" else 0.80
            h = row_h * fill
            bw = body_width(level)
            body = QRectF(cx - bw / 2, y + (row_h - h) / 2, bw, h)
            bodies[level] = body
            path = QPainterPath()
            radius = min(h * 0.32, 6.0)
            if reg == "sacral":
                nxt = LEVELS[n + 1] if n + 1 < len(LEVELS) else level
                bottom_w = body_width(nxt) if region(nxt) == "sacral" else bw * 0.82
                bottom_w = max(bottom_w, bfm.horizontalAdvance(level) + 2 * pad)
                poly = QPolygonF(
                    [
                        QPointF(body.left(), body.top()),
                        QPointF(body.right(), body.top()),
                        QPointF(cx + bottom_w / 2, body.bottom()),
                        QPointF(cx - bottom_w / 2, body.bottom()),
                    ]
                )
                path.addPolygon(poly)
                path.closeSubpath()
            elif reg == "coccygeal" or level == "C0":  # the occiput: a rounded skull base
                path.addRoundedRect(body, h * 0.45, h * 0.45)
            else:
                path.addRoundedRect(body, radius, radius)
            shapes[level] = path
            ticks[level] = QRectF(
                col_right + pad * 0.6, y + (row_h - tick_w * 0.8) / 2, tick_w * 0.8, tick_w * 0.8
            )
            y += row_h
        if prev_region is not None:
            regions.append(
                self._region_rects(
                    prev_region, region_start, y, margin, width, bar_x, bar_w, name_w
                )
            )
        return _Geometry(
            label_font=label_font,
            bold_font=bold_font,
            summary_font=summary_font,
            row_h=row_h,
            bodies=bodies,
            shapes=shapes,
            ticks=ticks,
            regions=tuple(regions),
            summary=summary,
            separator_y=separator_y,
            spine_top=spine_top,
            spine_bottom=y,
        )

    @staticmethod
    def _region_rects(
        reg: str,
        top: float,
        bottom: float,
        margin: float,
        width: float,
        bar_x: float,
        bar_w: float,
        name_w: float,
    ) -> tuple[str, QRectF, QRectF, QRectF]:
        band = QRectF(margin / 2, top, width - margin, bottom - top)
        bar = QRectF(bar_x, top + 1, bar_w, max(1.0, bottom - top - 2))
        label = QRectF(margin, top, name_w, bottom - top)
        return reg, band, bar, label

    def _index_at(self, pos: QPointF, *, clamp: bool) -> int | None:
        geo = self._geo()
        y = pos.y()
        if not clamp:
            slack = geo.row_h * 0.25
            if not (0 <= pos.x() < self.width()):
                return None
            if y < geo.spine_top - slack or y > geo.spine_bottom + slack:
                return None
        return min(range(len(LEVELS)), key=lambda i: abs(geo.bodies[LEVELS[i]].center().y() - y))

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        geo = self._geo()
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        highlighted_text = pal.color(QPalette.ColorRole.HighlightedText)
        outline = _mix(text, base, 0.45)

        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Window))
        frame = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(_mix(text, base, 0.7), 1.0))
        p.setBrush(base)
        p.drawRoundedRect(frame, 3, 3)

        # Regions: a faint band behind, a coloured bar and the name at the side.
        p.setFont(geo.label_font)
        for reg, band, bar, label in geo.regions:
            hue = REGION_HUES[reg]
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_mix(base, hue, 0.08))
            p.drawRoundedRect(band, 3, 3)
            p.setBrush(_mix(base, hue, 0.75))
            p.drawRoundedRect(bar, bar.width() / 2, bar.width() / 2)
            p.setPen(_mix(text, hue, 0.25))
            p.drawText(
                label,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                REGION_NAMES[reg],
            )

        focused = self.hasFocus()
        for i, level in enumerate(LEVELS):
            body = geo.bodies[level]
            shape = geo.shapes[level]
            hue = REGION_HUES[region(level)]
            chosen = level in self._selected
            hovered = i == self._hover and self.isEnabled()
            if chosen:
                fill = _mix(highlight, base, 0.12) if hovered else highlight
                pen = QPen(text, 2.0)
                colour = highlighted_text
            else:
                fill = _mix(base, hue, 0.22)
                pen = QPen(outline, 1.0)
                colour = text
                if hovered:
                    fill = _mix(base, highlight, 0.3)
                    pen = QPen(highlight, 2.0)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(fill)
            p.drawPath(shape)
            p.setFont(geo.bold_font if chosen else geo.label_font)
            p.setPen(colour)
            p.drawText(body, int(Qt.AlignmentFlag.AlignCenter), level)
            if chosen:
                self._draw_tick(p, geo.ticks[level], text)
            if focused and i == self._cursor:
                cursor_pen = QPen(text, 1.0, Qt.PenStyle.DashLine)
                p.setPen(cursor_pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                # Into the gap between vertebrae, but clear of the neighbours.
                grow = max(1.0, (geo.row_h - body.height()) / 2 - 1.0)
                ring = body.adjusted(-4, -grow, 4, grow)
                p.drawRoundedRect(ring, 4, 4)

        # Summary under a thin rule.
        p.setPen(QPen(_mix(text, base, 0.75), 1.0))
        p.drawLine(
            QPointF(geo.summary.left(), geo.separator_y),
            QPointF(geo.summary.right(), geo.separator_y),
        )
        p.setPen(text)
        self._draw_summary(p, geo.summary, geo.summary_font)
        p.end()

    @staticmethod
    def _draw_tick(p: QPainter, r: QRectF, colour: QColor) -> None:
        path = QPainterPath(QPointF(r.left() + r.width() * 0.12, r.top() + r.height() * 0.55))
        path.lineTo(r.left() + r.width() * 0.40, r.top() + r.height() * 0.82)
        path.lineTo(r.left() + r.width() * 0.90, r.top() + r.height() * 0.18)
        pen = QPen(colour, max(1.5, r.height() * 0.16))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)

    def _draw_summary(self, p: QPainter, rect: QRectF, font: QFont) -> None:
        """Word-wrapped into the summary lines; the last line is elided if needed."""
        text = self.summary_text()
        fm = QFontMetricsF(font)
        p.setFont(font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout = QTextLayout(text, font)
        layout.setTextOption(option)
        layout.beginLayout()
        lines: list[str] = []
        while len(lines) < _SUMMARY_LINES:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            start = line.textStart()
            if len(lines) == _SUMMARY_LINES - 1:
                rest = text[start:]
                lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width()))
            else:
                lines.append(text[start : start + line.textLength()].rstrip())
        layout.endLayout()
        y = rect.top()
        for line_text in lines:
            p.drawText(
                QRectF(rect.left(), y, rect.width(), fm.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line_text,
            )
            y += fm.lineSpacing()

    # ------------------------------------------------------------------ events

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._geometry = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.PaletteChange,
        ):
            self._geometry = None
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
