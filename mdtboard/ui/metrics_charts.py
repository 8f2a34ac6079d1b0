"""The metrics dashboard's charts, drawn with pyqtgraph.

Only the dashboard imports this module, when it opens: pyqtgraph and numpy are never
loaded at the app's start. A chart here is a picture of a table beside it (the numbers
are in the table, which can be read out and exported), so the charts take no focus and
do not pan or zoom. Colours are the Okabe–Ito palette, told apart by people with the
common colour-vision deficiencies; curves also differ by line style.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QWidget

from mdtboard.domain.survival import SIX_MONTHS_DAYS, TWELVE_MONTHS_DAYS, Curve

pg.setConfigOptions(background="w", foreground="k", antialias=True)

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
_STYLES = (
    Qt.PenStyle.SolidLine,
    Qt.PenStyle.DashLine,
    Qt.PenStyle.DotLine,
    Qt.PenStyle.DashDotLine,
    Qt.PenStyle.DashDotDotLine,
)


class Chart:
    """One plot: a widget to lay out, redrawn whole by one of the ``show_*`` calls."""

    def __init__(
        self, parent: QWidget, name: str, accessible: str, *, left: str = "", bottom: str = ""
    ) -> None:
        self.widget = pg.PlotWidget(parent)
        self.widget.setObjectName(name)
        self.widget.setAccessibleName(accessible)
        self.widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.widget.setMinimumSize(260, 180)
        self.widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot = self.widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        if left:
            self.plot.setLabel("left", left)
        if bottom:
            self.plot.setLabel("bottom", bottom)
        self.legend: object | None = None

    def _clear(self) -> None:
        self.plot.clear()
        if self.legend is not None:
            self.plot.legend.clear()

    def _fixed(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        self.plot.setXRange(*x, padding=0.02)
        self.plot.setYRange(*y, padding=0.02)

    def show_bars(
        self,
        labels: Sequence[str],
        values: Sequence[float | None],
        *,
        horizontal: bool = False,
        top: float | None = None,
    ) -> None:
        """One bar per label (a missing value draws no bar); ``top`` fixes the value
        axis (100 for percentages)."""
        self._clear()
        heights = [float(v) if v is not None else 0.0 for v in values]
        where = list(range(len(labels)))
        highest = top if top is not None else max([1.0, *heights]) * 1.1
        brushes = [PALETTE[i % len(PALETTE)] for i in where]
        if horizontal:
            # the first label at the top, as in the table beside it
            ys = [len(labels) - 1 - i for i in where]
            bars = pg.BarGraphItem(x0=0, y=ys, height=0.6, width=heights, brushes=brushes)
            ticks = [(y, label) for y, label in zip(ys, labels, strict=True)]
            self.plot.getAxis("left").setTicks([ticks])
            self.plot.getAxis("bottom").setTicks(None)
            self._fixed((0, highest), (-0.6, max(len(labels), 1) - 0.4))
        else:
            bars = pg.BarGraphItem(x=where, height=heights, width=0.6, brushes=brushes)
            self.plot.getAxis("bottom").setTicks([list(zip(where, labels, strict=True))])
            self.plot.getAxis("left").setTicks(None)
            self._fixed((-0.6, max(len(labels), 1) - 0.4), (0, highest))
        self.plot.addItem(bars)

    def show_grouped(
        self, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
    ) -> None:
        """Bars side by side per label, one colour per series, with a legend."""
        self._clear()
        self._legend()
        count = max(len(series), 1)
        width = 0.8 / count
        highest = 1.0
        for k, (name, values) in enumerate(series):
            heights = [float(v) if v is not None else 0.0 for v in values]
            highest = max(highest, *heights) if heights else highest
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(labels))]
            bars = pg.BarGraphItem(
                x=xs,
                height=heights,
                width=width * 0.9,
                brush=PALETTE[k % len(PALETTE)],
                name=html.escape(name),
            )
            self.plot.addItem(bars)
        self.plot.getAxis("bottom").setTicks([list(enumerate(labels))])
        self._fixed((-0.6, max(len(labels), 1) - 0.4), (0, highest * 1.15))

    def _legend(self) -> None:
        if self.legend is None:
            self.legend = self.plot.addLegend(offset=(-10, 10))

    def show_survival(self, curves: Sequence[tuple[str, Curve, Sequence[float]]]) -> None:
        """A Kaplan–Meier step curve per band in percent alive (legend: band and n), a
        cross at each censoring time given, and the 6- and 12-month horizons dashed."""
        self._clear()
        self._legend()
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        longest = max([TWELVE_MONTHS_DAYS * 1.1, *(c.last_time for _n, c, _t in curves)])
        for k, (name, curve, censored) in enumerate(curves):
            if curve.n == 0:
                continue
            colour = PALETTE[k % len(PALETTE)]
            pen = pg.mkPen(colour, width=2, style=_STYLES[k % len(_STYLES)])
            xs, ys = [0.0], [100.0]
            level = 100.0
            for st in curve.steps:
                xs += [st.time, st.time]
                ys += [level, st.survival * 100.0]
                level = st.survival * 100.0
            if curve.last_time > xs[-1]:
                xs.append(curve.last_time)
                ys.append(level)
            # the legend reads its labels as HTML: "< 6 months" must stay text
            self.plot.plot(xs, ys, pen=pen, name=html.escape(f"{name} (n {curve.n})"))
            marks = [(t, curve.survival_at(t)) for t in censored]
            shown = [(t, s * 100.0) for t, s in marks if s is not None]
            if shown:
                self.plot.addItem(
                    pg.ScatterPlotItem(
                        x=[t for t, _s in shown],
                        y=[s for _t, s in shown],
                        symbol="+",
                        size=10,
                        pen=pg.mkPen(colour, width=1.5),
                        brush=None,
                    )
                )
        for days, text in ((SIX_MONTHS_DAYS, "6 months"), (TWELVE_MONTHS_DAYS, "12 months")):
            line = pg.InfiniteLine(
                pos=days,
                angle=90,
                pen=pg.mkPen("#777777", width=1, style=Qt.PenStyle.DashLine),
                label=text,
                labelOpts={"position": 0.08, "color": "#555555"},
            )
            self.plot.addItem(line)
        self.plot.getAxis("bottom").setTicks(None)
        self._fixed((0, longest), (0, 105))
