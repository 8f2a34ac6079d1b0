"""Meetings → Metrics…: how the board performed over a period, and how the prognostic
scores fared on this unit's cases (issue 19 parts 3 and 4).

A non-modal window. The period (From / To, or a quick button) holds the meetings that
start on its days; Update (Enter) works the figures out with ``services.metrics`` off
the GUI thread, and the tabs show them: key figures, cases per status and decisions
implemented; attendance by specialty and by person; days from referral to discussion
and from sign-off to treatment, time per case and the MSCC (QS56) measures; and the
score validation (``services.validation``: every case with an outcome, whatever the
period). Every chart (pyqtgraph, loaded when this window opens) has its numbers in the
table beside it, and each table has an Export CSV… button: the file holds what the
table shows, is written only where an output may go (never the database, its
companions, the audit key or a backup) and is audited like every export.
"""

from __future__ import annotations

import calendar
import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QItemSelection,
    QItemSelectionModel,
)
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mdtboard.services import exports, metrics, validation
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceError
from mdtboard.services.metrics import Metrics
from mdtboard.services.settings import is_demo
from mdtboard.services.validation import ScoreValidation
from mdtboard.ui import file_names
from mdtboard.ui import metrics_models as mm
from mdtboard.ui.date_fields import DateField, format_date
from mdtboard.ui.demo_title import DEMO_TITLE
from mdtboard.ui.flow_layout import FlowLayout
from mdtboard.ui.help import install_help
from mdtboard.ui.metrics_charts import Chart
from mdtboard.ui.remember import keep_geometry
from mdtboard.ui.table_base import row_table
from mdtboard.ui.workers import BackgroundJob, run_in_background

VALIDATION_NOTE = (
    "Every case with a recorded outcome, whatever the period above: the score entered "
    "at or before the case's first sign-off (the latest of those), followed from the day "
    "of that sign-off to death or last contact. Decision support only: the curves "
    "describe this unit's cases; they do not replace the published scores."
)


def months_back(day: date, months: int) -> date:
    """The first day of the ``months`` months that end on ``day`` (3 months to 2 Dec:
    from 3 Sep)."""
    years, index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, index + 1
    same = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return same + timedelta(days=1)


def ask_csv_path(parent: QWidget, name: str) -> str:
    """Where to save a table (the dialog asks before replacing a file), or ""."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export table as CSV", file_names.suggested(name), "CSV files (*.csv)"
    )
    if path:
        file_names.remember(path)
    return path


def write_table_csv(ctx: ServiceContext, model: mm.FigureTableModel, out: Path, what: str) -> str:
    """The table as shown, as CSV at ``out`` (permission ``export``, the shared output
    rule, cells a spreadsheet would run neutralised, audited with the file's SHA-256,
    written under a temporary name and put in place when complete); the SHA-256."""
    exports.check_export_allowed(ctx)
    target = exports.check_output(ctx.db.target.sqlite_path, out, replace=True)
    staged = exports.staging_path(target)
    try:
        with staged.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerows([exports.neutralise(c) for c in row] for row in model.csv_rows())
        return exports.put_in_place(ctx, what, "metrics", "", staged, target)
    finally:
        staged.unlink(missing_ok=True)


@dataclass(frozen=True)
class Figures:
    """What one background job worked out."""

    generation: int
    metrics: Metrics
    validation: list[ScoreValidation] | None
    seconds: float


class TablePanel(QWidget):
    """A titled table of figures with its Export CSV… button."""

    def __init__(
        self,
        window: MetricsWindow,
        key: str,
        parent: QWidget,
        *,
        heading: bool = True,
        whole: bool = False,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.model = mm.make_model(key, self)
        title = self.model.title
        #: the table is as wide as its columns (a stretched last column would not be)
        self.whole = whole
        # sized to what it holds each time (a layout kept from an emptier period would
        # cut the words of a fuller one)
        self.view: QTableView = row_table(self, self.model, f"metrics_{key}", title)
        self.view.setMinimumHeight(90)
        self.view.horizontalHeader().setStretchLastSection(not whole)
        self.heading = QLabel(f"<b>{title}</b>", self)
        self.heading.setVisible(heading)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName(f"metrics_{key}_export")
        self.export_button.setAccessibleName(f"Export {title} as CSV")
        self.export_button.setToolTip(f"Save the table “{title}” as a CSV file")
        self.export_button.setAutoDefault(False)
        self.export_button.clicked.connect(lambda: window.export_table(self.key))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)

    def set_rows(self, rows: list[mm.Row]) -> None:
        self.model.set_rows(rows)
        self.fit()
        if rows and not self.view.currentIndex().isValid():
            # a place for the arrow keys to start from, without a highlighted row
            self.view.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def showEvent(self, event: QShowEvent) -> None:
        """Sized again when first seen: a hidden table measures its contents short."""
        super().showEvent(event)
        self.fit()

    def fit(self) -> None:
        """Columns as wide as their contents; with ``whole``, the table is at least as
        wide as its columns."""
        self.view.resizeColumnsToContents()
        if self.whole:
            view, header = self.view, self.view.horizontalHeader()
            columns = sum(
                max(view.sizeHintForColumn(c), header.sectionSizeHint(c))
                for c in range(self.model.columnCount())
            )
            frame = 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width()
            view.setMinimumWidth(columns + frame)


class MetricsWindow(QDialog):
    """The dashboard: a period, its figures in tabs, and the score validation."""

    def __init__(
        self,
        ctx: ServiceContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.setObjectName("MetricsWindow")
        self.setModal(False)
        self.setWindowTitle("Board metrics" + (f" — {DEMO_TITLE}" if is_demo(ctx.db) else ""))
        self.panels: dict[str, TablePanel] = {}
        self.charts: dict[str, Chart] = {}
        self.metrics: Metrics | None = None
        self.validation: list[ScoreValidation] | None = None
        self.period: tuple[date, date] | None = None
        self._jobs: list[BackgroundJob] = []
        self._generation = 0
        self._closing = False
        self.validation_shown = False

        layout = QVBoxLayout(self)
        layout.addLayout(self._period_row())
        self.status = QLabel(self)
        self.status.setObjectName("metricsStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("metricsTabs")
        self.tabs.addTab(self._scrolled(self._overview_tab()), "&Overview")
        self.tabs.addTab(self._scrolled(self._attendance_tab()), "&Attendance")
        self.tabs.addTab(self._scrolled(self._times_tab()), "T&imes and MSCC")
        self.tabs.addTab(self._scrolled(self._validation_tab()), "Score &validation")
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        close = QPushButton("Close", self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self.refresh_action = QAction("&Refresh the figures", self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(lambda: self.update_figures(with_validation=True))
        self.addAction(self.refresh_action)
        keep_geometry(self, "metrics/geometry", (1180, 800))
        install_help(self, "metrics")
        end = self.today()
        self.set_period(months_back(end, 12), end, with_validation=True)
        self.from_field.setFocus()

    # --- layout -----------------------------------------------------------------------
    def _period_row(self) -> FlowLayout:
        row = FlowLayout(spacing=6)
        self.from_field = DateField(self)
        self.from_field.setObjectName("metricsFrom")
        self.from_field.setAccessibleName("Period from")
        self.to_field = DateField(self)
        self.to_field.setObjectName("metricsTo")
        self.to_field.setAccessibleName("Period to")
        for text, field in (("&From", self.from_field), ("&To", self.to_field)):
            pair = QWidget(self)  # the label and its field wrap together
            line = QHBoxLayout(pair)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(text, pair)
            label.setBuddy(field)
            # a short label's own hint can clip its last letter
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(text[1:]) + 4)
            line.addWidget(label)
            line.addWidget(field)
            row.addWidget(pair)
            field.sig_picked.connect(self.update_figures)
        self.update_button = QPushButton("&Update", self)
        self.update_button.setObjectName("metricsUpdate")
        self.update_button.setDefault(True)  # Enter in a date field updates
        self.update_button.clicked.connect(lambda: self.update_figures())
        row.addWidget(self.update_button)
        self.quick: dict[str, QPushButton] = {}
        for key, text in (
            ("3", "Last &3 months"),
            ("12", "Last 1&2 months"),
            ("year", "This &year"),
        ):
            button = QPushButton(text, self)
            button.setObjectName(f"metricsQuick{key}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, k=key: self.quick_period(k))
            self.quick[key] = button
            row.addWidget(button)
        return row

    def _scrolled(self, inner: QWidget) -> QScrollArea:
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(inner)
        return area

    def _panel(
        self, key: str, parent: QWidget, *, heading: bool = True, whole: bool = False
    ) -> TablePanel:
        panel = TablePanel(self, key, parent, heading=heading, whole=whole)
        self.panels[key] = panel
        return panel

    def _chart(self, key: str, parent: QWidget, accessible: str, **labels: str) -> QWidget:
        chart = Chart(parent, f"metrics_{key}_chart", accessible, **labels)
        self.charts[key] = chart
        widget: QWidget = chart.widget
        return widget

    def _beside(self, parent: QWidget, key: str, chart: QWidget) -> QVBoxLayout:
        """The table's title, then its chart with the table beside it."""
        section = QVBoxLayout()
        panel = self._panel(key, parent, heading=False)
        section.addWidget(QLabel(f"<b>{panel.model.title}</b>", parent))
        row = QHBoxLayout()
        row.addWidget(chart, 1)
        row.addWidget(panel, 1)
        section.addLayout(row, 1)
        return section

    def _overview_tab(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.addWidget(self._panel("key", page, whole=True), 0, 0, 2, 1)
        status = self._chart("status", page, "Chart: cases per status", bottom="Cases")
        grid.addLayout(self._beside(page, "status", status), 0, 1)
        done = self._chart(
            "implementation", page, "Chart: decisions implemented", bottom="Decisions"
        )
        grid.addLayout(self._beside(page, "implementation", done), 1, 1)
        grid.setColumnStretch(0, 0)
        grid.setColumnStretch(1, 1)
        return page

    def _attendance_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        roles = self._chart(
            "roles", page, "Chart: attendance by specialty", bottom="Attendance (%)"
        )
        box.addLayout(self._beside(page, "roles", roles), 3)
        box.addWidget(self._panel("people", page), 2)
        return page

    def _times_tab(self) -> QWidget:
        page = QWidget(self)
        box = QVBoxLayout(page)
        times = self._chart("times", page, "Chart: days, median and 90th percentile", left="Days")
        box.addLayout(self._beside(page, "times", times), 1)
        self.mscc_note = QLabel(self)
        self.mscc_note.setObjectName("metricsMsccNote")
        self.mscc_note.setWordWrap(True)
        box.addWidget(self.mscc_note)
        mscc = self._chart(
            "mscc", page, "Chart: MSCC measures met within 24 hours", bottom="Met (%)"
        )
        box.addLayout(self._beside(page, "mscc", mscc), 1)
        return page

    def _validation_tab(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        note = QLabel(VALIDATION_NOTE, page)
        note.setWordWrap(True)
        grid.addWidget(note, 0, 0, 1, 2)
        scores = self._panel("scores", page)
        grid.addWidget(scores, 1, 0)
        self.score_summary = QLabel(page)
        self.score_summary.setObjectName("metricsScoreSummary")
        self.score_summary.setWordWrap(True)
        grid.addWidget(self.score_summary, 2, 0)
        survival = self._chart(
            "survival",
            page,
            "Chart: Kaplan–Meier survival by band",
            left="Alive (%)",
            bottom="Days since the first sign-off",
        )
        grid.addWidget(survival, 3, 0)
        grid.addWidget(self._panel("bands", page), 1, 1, 2, 1)
        grid.addWidget(self._panel("steps", page), 3, 1)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 5)
        selection = scores.view.selectionModel()
        selection.selectionChanged.connect(self._score_chosen)
        return page

    # --- the period -----------------------------------------------------------------
    def set_period(self, start: date, end: date, *, with_validation: bool = False) -> None:
        self.from_field.set_date_value(start)
        self.to_field.set_date_value(end)
        self.update_figures(with_validation=with_validation)

    def quick_period(self, key: str) -> None:
        end = self.today()
        start = date(end.year, 1, 1) if key == "year" else months_back(end, int(key))
        self.set_period(start, end)

    def _chosen_period(self) -> tuple[date, date] | str:
        problems = [
            f.problem(name)
            for f, name in ((self.from_field, "From"), (self.to_field, "To"))
            if f.is_invalid()
        ]
        if problems:
            return "; ".join(problems)
        start, end = self.from_field.date_value(), self.to_field.date_value()
        if start is None or end is None:
            return "Give the first and the last day of the period."
        if end < start:
            return "The period ends before it starts: the To date is before the From date."
        return start, end

    # --- the work -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A job is still working the figures out."""
        return any(not j.done for j in self._jobs)

    def update_figures(self, *, with_validation: bool = False) -> BackgroundJob | None:
        """Work out the period's figures in the background (and the score validation,
        the first time or when asked); a later request supersedes an earlier one."""
        chosen = self._chosen_period()
        if isinstance(chosen, str):
            self._say(chosen, problem=True)
            return None
        start, end = chosen
        with_validation = with_validation or self.validation is None
        self._generation += 1
        generation, db = self._generation, self.ctx.db

        def job(_progress: Any, _cancelled: Any) -> Figures:
            began = time.perf_counter()
            found = metrics.compute(db, start, end)
            scores = validation.validate(db) if with_validation else None
            return Figures(generation, found, scores, time.perf_counter() - began)

        self._say(f"Working out the figures for {self._period_text(start, end)}…")
        self._jobs = [j for j in self._jobs if not j.done]
        bg = run_in_background(self, job, "Working out the figures…", show_progress=False)
        bg.sig_finished.connect(self._shown)
        bg.sig_failed.connect(self._failed)
        self._jobs.append(bg)
        return bg

    @staticmethod
    def _period_text(start: date, end: date) -> str:
        return f"{format_date(start)} – {format_date(end)}"

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color:#b3261e;" if problem else "")

    def _failed(self, exc: object) -> None:
        if not self._closing:
            self._say(f"The figures could not be worked out: {exc}", problem=True)

    def _shown(self, figures: Figures) -> None:
        if self._closing or figures.generation != self._generation:
            return  # a later period was asked for meanwhile
        m = figures.metrics
        self.metrics = m
        self.period = (m.start, m.end)
        self._show_metrics(m)
        if figures.validation is not None:
            self.validation = figures.validation
            self._show_validation(figures.validation)
        self._say(
            f"{self._period_text(m.start, m.end)}: {m.meetings} meetings "
            f"({m.meetings_held} held), {m.cases_listed} cases listed, "
            f"{m.decisions_signed} decisions signed off."
        )

    def _show_metrics(self, m: Metrics) -> None:
        tables = {
            "key": mm.key_figures(m),
            "status": mm.status_rows(m),
            "implementation": mm.implementation_rows(m),
            "roles": mm.role_rows(m),
            "people": mm.person_rows(m),
            "times": mm.time_rows(m),
            "mscc": mm.mscc_rows(m),
        }
        for key, rows in tables.items():
            self.panels[key].set_rows(rows)
        for key in ("status", "implementation"):
            rows = tables[key]
            self.charts[key].show_bars(
                [str(r[0]) for r in rows], [_number(r[1]) for r in rows], horizontal=True
            )
        roles = tables["roles"]
        self.charts["roles"].show_bars(
            [str(r[0]) for r in roles], [_number(r[5]) for r in roles], horizontal=True, top=100
        )
        days = tables["times"][:2]
        self.charts["times"].show_grouped(
            ["Referral → discussion", "Sign-off → treatment"],
            [("Median", [_number(r[2]) for r in days]), ("90th percentile",
             [_number(r[3]) for r in days])],
        )  # fmt: skip
        q = tables["mscc"]
        self.charts["mscc"].show_bars(
            ["MRI", "Plan", "Radiotherapy"], [_number(r[3]) for r in q], horizontal=True, top=100
        )
        self.mscc_note.setText(
            f"<b>MSCC (NICE QS56)</b>: {m.mscc.cases} suspected MSCC cases discussed in the "
            "period; a measure counts a case when both its times are recorded, and the "
            "radiotherapy clock only a plan of radiotherapy without surgery."
        )

    def _show_validation(self, found: list[ScoreValidation]) -> None:
        panel = self.panels["scores"]
        current = max(0, panel.view.currentIndex().row())
        panel.model.set_rows(mm.score_rows(found))
        panel.fit()
        if found:
            first_with_cases = next((i for i, v in enumerate(found) if v.n), 0)
            panel.view.selectRow(current if self.validation_shown else first_with_cases)
            self.show_score(panel.view.currentIndex().row())
        self.validation_shown = True

    def _score_chosen(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.panels["scores"].view.currentIndex().row()
        self.show_score(row)

    def show_score(self, row: int) -> None:
        """The curves and tables of one score (a row of the scores table)."""
        found = self.validation or []
        if not 0 <= row < len(found):
            return
        v = found[row]
        self.panels["bands"].set_rows(mm.band_rows(v))
        self.panels["steps"].set_rows(mm.step_rows(v))
        curves = [
            (
                mm.band_label(v.tool_id, b.band),
                b.curve,
                [days for band, days, died, _s in v.rows if band == b.band and not died],
            )
            for b in v.bands
        ]
        self.charts["survival"].show_survival(curves)
        direction = "higher is better" if v.higher_is_better else "lower is better"
        c = "—" if v.c is None else f"{v.c:.3f}"
        self.score_summary.setText(
            f"<b>{v.label}</b>: {v.n} cases, {v.deaths} deaths; Harrell's C {c} "
            f"({v.concordance.comparable} comparable pairs; {direction})."
            if v.n
            else f"<b>{v.label}</b>: no case has both this score and an outcome yet."
        )

    # --- export ----------------------------------------------------------------------
    def export_table(self, key: str, path: str | None = None) -> Path | None:
        """One table as CSV (the file dialog when ``path`` is not given); the file."""
        panel = self.panels[key]
        title = panel.model.title
        if key in ("scores", "bands", "steps"):
            score = self._score_label() if key != "scores" else ""
            what = f"Score validation {date.today():%Y-%m-%d} {title}{score}"
        elif self.period is not None:
            start, end = self.period
            what = f"MDT metrics {start:%Y-%m-%d} to {end:%Y-%m-%d} {title}"
        else:
            what = f"MDT metrics {title}"
        chosen = path if path is not None else ask_csv_path(self, f"{_safe(what)}.csv")
        if not chosen:
            return None
        out = Path(chosen)
        try:
            write_table_csv(self.ctx, panel.model, out, f"{what} (CSV)")
        except (ServiceError, OSError) as exc:
            self._say(f"{title} was not exported: {exc}", problem=True)
            return None
        self._say(f"{title} exported to {out}")
        return out

    def _score_label(self) -> str:
        row = self.panels["scores"].view.currentIndex().row()
        found = self.validation or []
        return f" {found[row].label}" if 0 <= row < len(found) else ""

    # --- closing ----------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        self._closing = False  # shown again after a close: its figures are shown again
        super().showEvent(event)

    def done(self, result: int) -> None:
        """Closing (Escape, Close, the title bar): a job still running finishes first, its
        thread must not outlive the window; what it found is not shown."""
        self._closing = True
        while self.busy:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        super().done(result)


def _number(value: mm.Cell) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _safe(text: str) -> str:
    return "".join("-" if ch in '\\/:*?"<>|' else ch for ch in text)
