"""An axial vertebra drawn with QPainter: the 12 WBB zones and 5 layers, clicked to mark
where a primary bone tumour lies (reference/scores.md §12.2).

The vertebral body is at the top (zones 4–9), the spinous process at the bottom;
zones are numbered 1–12 clockwise from the spinous process. Layers run from ``a``
(outside the bone, paravertebral) through ``b``/``c`` (superficial and deep bone) and
``d`` (epidural) to ``e`` (intradural) at the centre. A marked cell is one zone in one
layer; the zones and layers the record holds are those of the marked cells.

Mouse: a click toggles the cell under it. Keyboard: Left/Right move round the zones
(Right is clockwise), Up/Down move out/in through the layers, Space or Enter toggles
the cell, Delete clears every mark. ``sig_cells_changed(cells)`` on a user's change.
The widget holds its marks and nothing else: the rules live in ``domain.staging``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from mdtboard.domain import staging

Cell = tuple[int, str]
#: outer and inner radius of each layer, as fractions of the drawing's radius
_RINGS: dict[str, tuple[float, float]] = {
    "a": (1.00, 0.80),
    "b": (0.80, 0.60),
    "c": (0.60, 0.41),
    "d": (0.41, 0.24),
    "e": (0.24, 0.09),
}
_TISSUE = {
    "a": QColor(236, 214, 205),  # soft tissue
    "b": QColor(240, 228, 196),  # bone
    "c": QColor(226, 210, 170),
    "d": QColor(206, 224, 240),  # epidural space
    "e": QColor(226, 236, 248),  # inside the dura
}
_TUMOUR = QColor(176, 32, 48)


def zone_span(zone: int) -> tuple[float, float]:
    """The zone's start angle and sweep in Qt degrees (0° = 3 o'clock, counter-
    clockwise): zone 1 starts at 6 o'clock and the zones run clockwise on screen."""
    return 270.0 - 30.0 * zone, 30.0


class WbbDiagram(QWidget):
    """Mark the cells a tumour occupies on the axial WBB diagram."""

    sig_cells_changed = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells: set[Cell] = set()
        self._cursor: Cell = (5, "b")  # the vertebral body, superficial bone
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(240, 240))
        self.setAccessibleName("WBB zones and layers")
        self.setToolTip(
            "Click the cells the tumour occupies. Keyboard: arrows move (Left/Right round "
            "the zones, Up/Down through the layers), Space marks, Delete clears."
        )
        self._describe()

    # --- state ---------------------------------------------------------------
    def cells(self) -> tuple[str, ...]:
        """The marked cells as the record stores them ("4b"), in zone then layer order."""
        return tuple(staging.cell_key(z, x) for z, x in sorted(self._cells))

    def set_cells(self, cells: Iterable[str]) -> None:
        """Show these cells (no signal: a programmatic change)."""
        self._cells = {staging.parse_cell(c) for c in cells}
        self._describe()
        self.update()

    def cursor_cell(self) -> Cell:
        return self._cursor

    def toggle(self, cell: Cell) -> None:
        if cell in self._cells:
            self._cells.discard(cell)
        else:
            self._cells.add(cell)
        self._user_changed()

    def _user_changed(self) -> None:
        self._describe()
        self.update()
        self.sig_cells_changed.emit(self.cells())

    def _describe(self) -> None:
        zone, layer = self._cursor
        marked = "marked" if self._cursor in self._cells else "not marked"
        zones = sorted({z for z, _ in self._cells})
        layers = [k for k in staging.LAYER_KEYS if k in {x for _, x in self._cells}]
        summary = (
            f"Marked zones {', '.join(map(str, zones))}; layers {', '.join(layers)}"
            if self._cells
            else "Nothing marked"
        )
        part = staging.ZONE_PARTS[zone] + (", pedicle" if zone in staging.PEDICLE_ZONES else "")
        self.setAccessibleDescription(
            f"Cursor on zone {zone} ({part}), layer {layer} "
            f"({dict(staging.LAYERS)[layer]}), {marked}. {summary}"
        )

    # --- geometry ---------------------------------------------------------------
    def _frame(self) -> tuple[QPointF, float]:
        fm = QFontMetricsF(self.font())
        margin = fm.height() * 2.2
        side = min(self.width(), self.height()) - 2 * margin
        return QPointF(self.width() / 2, self.height() / 2), max(10.0, side / 2)

    def cell_path(self, cell: Cell) -> QPainterPath:
        """The drawn cell (a ring sector), for painting and hit tests."""
        zone, layer = cell
        centre, radius = self._frame()
        outer, inner = (f * radius for f in _RINGS[layer])
        start, sweep = zone_span(zone)
        path = QPainterPath()
        path.arcMoveTo(_square(centre, outer), start)
        path.arcTo(_square(centre, outer), start, sweep)
        path.arcTo(_square(centre, inner), start + sweep, -sweep)
        path.closeSubpath()
        return path

    def cell_at(self, pos: QPointF) -> Cell | None:
        centre, radius = self._frame()
        dx, dy = pos.x() - centre.x(), centre.y() - pos.y()
        r = math.hypot(dx, dy) / radius
        layer = next((k for k, (o, i) in _RINGS.items() if i <= r < o), None)
        if layer is None:
            return None
        angle = math.degrees(math.atan2(dy, dx)) % 360  # Qt degrees
        zone = int(((270.0 - angle) % 360) // 30) + 1
        return zone, layer

    def cell_centre(self, cell: Cell) -> QPointF:
        zone, layer = cell
        centre, radius = self._frame()
        outer, inner = _RINGS[layer]
        start, sweep = zone_span(zone)
        a = math.radians(start + sweep / 2)
        r = radius * (outer + inner) / 2
        return QPointF(centre.x() + r * math.cos(a), centre.y() - r * math.sin(a))

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # --- painting -------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        line = QPen(pal.color(QPalette.ColorRole.Mid), 1)
        for zone in staging.ZONES:
            for layer in staging.LAYER_KEYS:
                cell = (zone, layer)
                path = self.cell_path(cell)
                p.fillPath(path, _TUMOUR if cell in self._cells else _TISSUE[layer])
                p.setPen(line)
                p.drawPath(path)
        centre, radius = self._frame()
        fm = QFontMetricsF(self.font())
        p.setPen(text)
        for zone in staging.ZONES:  # zone numbers round the outside
            start, sweep = zone_span(zone)
            a = math.radians(start + sweep / 2)
            r = radius + fm.height() * 0.8
            at = QPointF(centre.x() + r * math.cos(a), centre.y() - r * math.sin(a))
            size = fm.height()
            box = QRectF(at.x() - size, at.y() - size / 2, 2 * size, size)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, str(zone))
        for layer, (outer, inner) in _RINGS.items():  # layer letters up the 12 o'clock line
            y = centre.y() - radius * (outer + inner) / 2
            size = fm.height()
            box = QRectF(centre.x() - size / 2, y - size / 2, size, size)
            on_tumour = (6, layer) in self._cells or (7, layer) in self._cells
            p.setPen(QColor("white") if on_tumour else text)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, layer)
        p.setPen(text)
        top = QRectF(0, 0, self.width(), fm.height())
        p.drawText(top, Qt.AlignmentFlag.AlignCenter, "anterior — vertebral body (zones 4–9)")
        bottom = QRectF(0, self.height() - fm.height(), self.width(), fm.height())
        p.drawText(bottom, Qt.AlignmentFlag.AlignCenter, "posterior arch — spinous process")
        if self.hasFocus():
            focus = QPen(pal.color(QPalette.ColorRole.Highlight), 3)
            p.setPen(focus)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(self.cell_path(self._cursor))
        p.end()

    # --- input ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._cursor = cell
            self.toggle(cell)
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        zone, layer = self._cursor
        layers = staging.LAYER_KEYS
        key = event.key()
        if key == Qt.Key.Key_Right:
            self._cursor = (zone % 12 + 1, layer)
        elif key == Qt.Key.Key_Left:
            self._cursor = ((zone - 2) % 12 + 1, layer)
        elif key == Qt.Key.Key_Up:
            self._cursor = (zone, layers[max(0, layers.index(layer) - 1)])
        elif key == Qt.Key.Key_Down:
            self._cursor = (zone, layers[min(len(layers) - 1, layers.index(layer) + 1)])
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(self._cursor)
            return
        elif key == Qt.Key.Key_Delete and self._cells:
            self._cells.clear()
            self._user_changed()
            return
        else:
            super().keyPressEvent(event)
            return
        self._describe()
        self.update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


def _square(centre: QPointF, r: float) -> QRectF:
    return QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r)
