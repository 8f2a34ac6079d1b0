"""Paints a :class:`~mdtboard.ui.spine_layout.SpineLayout` with a widget's palette.

Every colour is a blend of a region hue with the palette, so the picker follows light,
dark and high-contrast themes. The painter is told what is selected, hovered and under
the keyboard cursor; it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
)

from mdtboard.domain.levels import LEVELS, region
from mdtboard.ui.spine_layout import REGION_NAMES, SUMMARY_LINES, SpineLayout

# Hues only; every drawn colour is a blend of one of these with the palette.
REGION_HUES: dict[str, QColor] = {
    "cervical": QColor(45, 115, 235),
    "thoracic": QColor(0, 150, 136),
    "lumbar": QColor(230, 140, 0),
    "sacral": QColor(150, 60, 190),
    "coccygeal": QColor(150, 100, 80),
}


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` blended towards ``b`` by ``t`` (0..1), opaque."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


@dataclass(frozen=True)
class SpineState:
    """What the picker shows: the selection, the hovered row and the cursor row
    (None when the widget has no focus)."""

    selected: frozenset[str]
    hover: int | None
    cursor: int | None
    summary: str


class SpinePainter:
    """Draws the frame, region bands, vertebrae and summary line of one paint event."""

    def __init__(self, painter: QPainter, palette: QPalette) -> None:
        self._p = painter
        self._window = palette.color(QPalette.ColorRole.Window)
        self._base = palette.color(QPalette.ColorRole.Base)
        self._text = palette.color(QPalette.ColorRole.Text)
        self._highlight = palette.color(QPalette.ColorRole.Highlight)
        self._highlighted_text = palette.color(QPalette.ColorRole.HighlightedText)
        self._outline = mix(self._text, self._base, 0.45)

    def paint(self, rect: QRect, layout: SpineLayout, state: SpineState) -> None:
        self._p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self._frame(rect)
        self._regions(layout)
        self._vertebrae(layout, state)
        self._summary(layout, state.summary)

    def _frame(self, rect: QRect) -> None:
        p, base, text = self._p, self._base, self._text
        p.fillRect(rect, self._window)
        frame = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(mix(text, base, 0.7), 1.0))
        p.setBrush(base)
        p.drawRoundedRect(frame, 3, 3)

    def _regions(self, layout: SpineLayout) -> None:
        """A faint band behind each region, a coloured bar and the name at the side."""
        p, base, text = self._p, self._base, self._text
        p.setFont(layout.label_font)
        for r in layout.regions:
            hue = REGION_HUES[r.name]
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(mix(base, hue, 0.08))
            p.drawRoundedRect(r.band, 3, 3)
            p.setBrush(mix(base, hue, 0.75))
            p.drawRoundedRect(r.bar, r.bar.width() / 2, r.bar.width() / 2)
            p.setPen(mix(text, hue, 0.25))
            p.drawText(
                r.label,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                REGION_NAMES[r.name],
            )

    def _vertebrae(self, layout: SpineLayout, state: SpineState) -> None:
        p, base, text, highlight = self._p, self._base, self._text, self._highlight
        for i, level in enumerate(LEVELS):
            body = layout.bodies[level]
            hue = REGION_HUES[region(level)]
            chosen = level in state.selected
            hovered = i == state.hover
            if chosen:
                fill = mix(highlight, base, 0.12) if hovered else highlight
                pen = QPen(text, 2.0)
                colour = self._highlighted_text
            else:
                fill = mix(base, hue, 0.22)
                pen = QPen(self._outline, 1.0)
                colour = text
                if hovered:
                    fill = mix(base, highlight, 0.3)
                    pen = QPen(highlight, 2.0)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(fill)
            p.drawPath(layout.shapes[level])
            p.setFont(layout.bold_font if chosen else layout.label_font)
            p.setPen(colour)
            p.drawText(body, int(Qt.AlignmentFlag.AlignCenter), level)
            if chosen:
                self._tick(layout.ticks[level])
            if i == state.cursor:
                p.setPen(QPen(text, 1.0, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                # Into the gap between vertebrae, but clear of the neighbours.
                grow = max(1.0, (layout.row_h - body.height()) / 2 - 1.0)
                p.drawRoundedRect(body.adjusted(-4, -grow, 4, grow), 4, 4)

    def _tick(self, r: QRectF) -> None:
        path = QPainterPath(QPointF(r.left() + r.width() * 0.12, r.top() + r.height() * 0.55))
        path.lineTo(r.left() + r.width() * 0.40, r.top() + r.height() * 0.82)
        path.lineTo(r.left() + r.width() * 0.90, r.top() + r.height() * 0.18)
        pen = QPen(self._text, max(1.5, r.height() * 0.16))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self._p.setPen(pen)
        self._p.setBrush(Qt.BrushStyle.NoBrush)
        self._p.drawPath(path)

    def _summary(self, layout: SpineLayout, text: str) -> None:
        """Under a thin rule, word-wrapped; the last line is elided if needed."""
        p, rect = self._p, layout.summary
        p.setPen(QPen(mix(self._text, self._base, 0.75), 1.0))
        p.drawLine(
            QPointF(rect.left(), layout.separator_y), QPointF(rect.right(), layout.separator_y)
        )
        p.setPen(self._text)
        font = layout.summary_font
        fm = QFontMetricsF(font)
        p.setFont(font)
        y = rect.top()
        for line_text in _wrapped(text, font, fm, rect.width()):
            p.drawText(
                QRectF(rect.left(), y, rect.width(), fm.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line_text,
            )
            y += fm.lineSpacing()


def _wrapped(text: str, font: QFont, fm: QFontMetricsF, width: float) -> list[str]:
    """``text`` broken into at most the summary's lines, the last one elided."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    text_layout = QTextLayout(text, font)
    text_layout.setTextOption(option)
    text_layout.beginLayout()
    lines: list[str] = []
    while len(lines) < SUMMARY_LINES:
        line = text_layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start = line.textStart()
        if len(lines) == SUMMARY_LINES - 1:
            lines.append(fm.elidedText(text[start:], Qt.TextElideMode.ElideRight, width))
        else:
            lines.append(text[start : start + line.textLength()].rstrip())
    text_layout.endLayout()
    return lines
