"""Where the level picker draws the spine: a pure layout from a font and a size.

:func:`layout_spine` places every vertebra, its tick box and the region bands for a
widget of a given size; :class:`SpineLayout` answers which row is at a point. Nothing
here paints or holds a selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize
from PySide6.QtGui import QFont, QFontMetricsF, QPainterPath, QPolygonF

from mdtboard.domain.levels import LEVELS, region

REGION_NAMES: dict[str, str] = {
    "cervical": "Cervical",
    "thoracic": "Thoracic",
    "lumbar": "Lumbar",
    "sacral": "Sacral",
    "coccygeal": "Coccyx",
}
REGION_GAP = 0.45  # extra space between regions, in rows
SUMMARY_LINES = 2
_MIN_POINT_SIZE = 5.0
_ROWS = len(LEVELS) + REGION_GAP * (len(REGION_NAMES) - 1)


def scaled_font(font: QFont, factor: float) -> QFont:
    """``font`` shrunk by ``factor`` (never grown, never below a legible size)."""
    out = QFont(font)
    if factor >= 0.999:
        return out
    if font.pointSizeF() > 0:
        out.setPointSizeF(max(_MIN_POINT_SIZE, font.pointSizeF() * factor))
    elif font.pixelSize() > 0:
        out.setPixelSize(max(6, int(font.pixelSize() * factor)))
    return out


def width_fraction(level: str) -> float:
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


def natural_width(fm: QFontMetricsF) -> float:
    """The width at which nothing needs to shrink, for the font of ``fm``."""
    name_w = max(fm.horizontalAdvance(n) for n in REGION_NAMES.values())
    body_w = fm.horizontalAdvance("T12") * 1.15 + fm.averageCharWidth() * 3
    return 2 * 6 + name_w + 14 + body_w / 0.62 + fm.height() * 1.2


def size_hint(font: QFont) -> QSize:
    fm = QFontMetricsF(font)
    height = _ROWS * fm.height() * 1.3 + (SUMMARY_LINES + 2) * fm.lineSpacing()
    return QSize(max(180, round(natural_width(fm))), max(640, round(height)))


def minimum_size_hint(font: QFont) -> QSize:
    fm = QFontMetricsF(font)
    height = _ROWS * max(9.0, fm.height() * 0.75) + (SUMMARY_LINES + 1) * fm.lineSpacing()
    return QSize(round(natural_width(fm) * 0.8), round(height))


@dataclass(frozen=True)
class RegionRects:
    """One region's faint band, coloured side bar and name box."""

    name: str
    band: QRectF
    bar: QRectF
    label: QRectF


@dataclass(frozen=True)
class SpineLayout:
    """Fonts and rectangles for one widget size; all in widget coordinates."""

    width: float
    label_font: QFont
    bold_font: QFont
    summary_font: QFont
    row_h: float
    bodies: dict[str, QRectF]
    shapes: dict[str, QPainterPath]
    ticks: dict[str, QRectF]
    regions: tuple[RegionRects, ...]
    summary: QRectF
    separator_y: float
    spine_top: float
    spine_bottom: float

    def index_at(self, pos: QPointF, *, clamp: bool) -> int | None:
        """The row nearest ``pos``; without ``clamp``, None outside the spine."""
        y = pos.y()
        if not clamp:
            slack = self.row_h * 0.25
            if not (0 <= pos.x() < self.width):
                return None
            if y < self.spine_top - slack or y > self.spine_bottom + slack:
                return None
        return min(range(len(LEVELS)), key=lambda i: abs(self.bodies[LEVELS[i]].center().y() - y))


def layout_spine(font: QFont, width: int, height: int) -> SpineLayout:
    """Lay the spine out in ``width`` × ``height``, shrinking ``font`` to fit."""
    w, h_total = float(max(1, width)), float(max(1, height))
    base = QFont(font)
    natural = natural_width(QFontMetricsF(base))
    w_scale = min(1.0, w / natural) if natural > 0 else 1.0
    summary_font = scaled_font(base, w_scale)
    sfm = QFontMetricsF(summary_font)
    margin = max(4.0, round(sfm.height() / 3))
    summary_h = SUMMARY_LINES * sfm.lineSpacing()
    summary = QRectF(margin, h_total - margin - summary_h, w - 2 * margin, summary_h)
    separator_y = summary.top() - margin / 2
    spine_top = margin * 1.5
    spine_bottom = max(spine_top + 1, separator_y - margin / 2)
    row_h = (spine_bottom - spine_top) / _ROWS

    base_h = QFontMetricsF(base).height()
    label_font = scaled_font(base, min(w_scale, row_h * 0.78 / base_h))
    bold_font = QFont(label_font)
    bold_font.setBold(True)
    lfm, bfm = QFontMetricsF(label_font), QFontMetricsF(bold_font)
    pad = max(2.0, lfm.averageCharWidth() * 0.7)

    name_w = max(lfm.horizontalAdvance(n) for n in REGION_NAMES.values())
    bar_w = max(2.0, min(4.0, row_h * 0.2))
    bar_x = margin + name_w + pad
    tick_w = max(8.0, lfm.height())
    col_left = bar_x + bar_w + pad * 1.5
    col_right = max(col_left + 1, w - margin - tick_w - pad)
    # In a wide widget keep the spine's proportions: no vertebra wider than ~5 rows.
    widest_text = max(bfm.horizontalAdvance(lv) for lv in LEVELS) + 2 * pad
    col_w = min(col_right - col_left, max(row_h * 5.0, widest_text / 0.6))
    cx = (col_left + col_right) / 2
    col_right = cx + col_w / 2

    def body_width(level: str) -> float:
        text_w = bfm.horizontalAdvance(level) + 2 * pad
        return min(col_w, max(col_w * width_fraction(level), text_w))

    def region_rects(reg: str, top: float, bottom: float) -> RegionRects:
        return RegionRects(
            reg,
            band=QRectF(margin / 2, top, w - margin, bottom - top),
            bar=QRectF(bar_x, top + 1, bar_w, max(1.0, bottom - top - 2)),
            label=QRectF(margin, top, name_w, bottom - top),
        )

    bodies: dict[str, QRectF] = {}
    shapes: dict[str, QPainterPath] = {}
    ticks: dict[str, QRectF] = {}
    regions: list[RegionRects] = []
    y = spine_top
    prev_region: str | None = None
    region_start = y
    for n, level in enumerate(LEVELS):
        reg = region(level)
        if prev_region is not None and reg != prev_region:
            regions.append(region_rects(prev_region, region_start, y))
            y += REGION_GAP * row_h
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
        regions.append(region_rects(prev_region, region_start, y))
    return SpineLayout(
        width=float(width),
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
