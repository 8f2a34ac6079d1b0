"""Meetings → Metrics… driven from the keyboard (issue 19 parts 3-4): the period, the
figures worked out off the GUI thread and shown as metrics.compute gives them, a table
exported as CSV and read back, and the score validation. Fictional data: the demo
database with the hand-worked fixtures of tests/services (January and February 2020)."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import metrics, validation
from mdtboard.services.context import ServiceContext
from mdtboard.store.models import AuditEvent
from mdtboard.ui import metrics_window
from mdtboard.ui.help import HelpDialog, keyboard_rows
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.metrics_models import FigureTableModel
from mdtboard.ui.metrics_window import MetricsWindow, months_back
from tests.services.test_metrics import build as build_metrics
from tests.services.test_validation import build as build_validation

JAN, JAN_END = date(2020, 1, 1), date(2020, 1, 31)
ROOT = Path(__file__).resolve().parents[2]
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def fixtures(ctx: ServiceContext) -> ServiceContext:
    build_metrics(ctx)
    build_validation(ctx)
    return ctx


def _active(qtbot: QtBot, win: object) -> None:
    win.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(win)  # type: ignore[arg-type]
    win.activateWindow()  # type: ignore[attr-defined]
    qtbot.waitUntil(win.isActiveWindow)  # type: ignore[attr-defined]


def open_metrics(qtbot: QtBot, ctx: ServiceContext) -> MetricsWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    _active(qtbot, win)
    qtbot.keyClick(
        win, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    window = win.metrics_window
    assert isinstance(window, MetricsWindow)
    _active(qtbot, window)
    settled(qtbot, window)
    return window


def settled(qtbot: QtBot, window: MetricsWindow) -> None:
    qtbot.waitUntil(lambda: window.metrics is not None and not window.busy, timeout=10_000)


def type_date(qtbot: QtBot, field: object, text: str) -> None:
    field.setFocus()  # type: ignore[attr-defined]
    field.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, text)  # type: ignore[arg-type]


def table(model: FigureTableModel) -> dict[str, list[str]]:
    """The rows as shown, by their first cell."""
    return {
        model.text(r, 0): [model.text(r, c) for c in range(1, model.columnCount())]
        for r in range(model.rowCount())
    }


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}"


def num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def test_the_figures_shown_are_those_of_the_period_typed(
    qtbot: QtBot, fixtures: ServiceContext
) -> None:
    window = open_metrics(qtbot, fixtures)
    assert window.period == (months_back(date.today(), 12), date.today())  # the default
    type_date(qtbot, window.from_field, "2020-01-01")
    qtbot.keyClick(window.from_field, Qt.Key.Key_Tab)
    assert window.to_field.hasFocus()
    type_date(qtbot, window.to_field, "2020-01-31")
    qtbot.keyClick(window.to_field, Qt.Key.Key_Return)  # the Update button is the default
    qtbot.waitUntil(lambda: window.period == (JAN, JAN_END) and not window.busy)

    m = metrics.compute(fixtures.db, JAN, JAN_END)
    key = table(window.panels["key"].model)
    assert key["Meetings"] == [str(m.meetings), "—", "—"]
    assert key["Meetings held"][:2] == [str(m.meetings_held), str(m.meetings)]
    assert key["Quorate (of those held)"] == [
        str(m.meetings_quorate),
        str(m.meetings_held),
        pct(m.quorum_rate),
    ]
    assert key["Cases listed"][0] == str(m.cases_listed)
    assert key["Relisted cases"][0] == str(m.cases_relisted)
    assert key["Cases per meeting"][0] == num(m.cases_per_meeting)
    assert key["Discussed"] == [str(m.discussed), str(m.cases_listed), pct(m.discussed_rate)]
    assert key["Prospective (before any treatment)"][2] == pct(m.prospective_rate)
    assert key["Decisions signed off"][0] == str(m.decisions_signed)
    assert key["Implemented (of those followed up)"][2] == pct(m.implemented_rate)

    status = table(window.panels["status"].model)
    assert [status[s][0] for s in ("Discussed", "Deferred", "Withdrawn", "Not reached")] == [
        str(m.discussed),
        str(m.deferred),
        str(m.withdrawn),
        str(m.not_reached),
    ]
    done = table(window.panels["implementation"].model)
    assert done["Implemented"][0] == str(m.implemented)
    assert done["Follow-up pending"][0] == str(m.implementation_pending)

    roles = table(window.panels["roles"].model)
    for r in m.by_role:
        assert roles[r.label] == [
            str(r.expected),
            str(r.present),
            str(r.apologies),
            str(r.meetings_with_role),
            pct(r.rate),
        ]
    people = window.panels["people"].model
    assert people.rowCount() == len(m.by_person)
    assert [people.text(i, 0) for i in range(people.rowCount())] == [p.name for p in m.by_person]

    times = table(window.panels["times"].model)
    for label, spread, scale in (
        ("Referral → discussion (days)", m.referral_to_discussion_days, 1.0),
        ("Sign-off → first treatment (days)", m.signoff_to_treatment_days, 1.0),
        ("Time per case in meeting mode (minutes)", m.seconds_per_case, 1 / 60),
    ):
        median = None if spread.median is None else spread.median * scale
        p90 = None if spread.p90 is None else spread.p90 * scale
        assert times[label] == [str(spread.n), num(median), num(p90)]
    mscc = table(window.panels["mscc"].model)
    assert mscc["MRI within 24 h of the suspicion"] == [
        str(m.mscc.mri_within_24h),
        str(m.mscc.mri_timed),
        pct(m.mscc.mri_rate),
    ]
    assert mscc["Plan within 24 h of the suspicion"][2] == pct(m.mscc.plan_rate)
    assert f"{m.mscc.cases} suspected MSCC cases" in window.mscc_note.text()
    # every chart was drawn
    assert all(chart.plot.items for chart in window.charts.values())

    # a quick button, by its Alt key (a button's mnemonic clicks it a moment later)
    qtbot.keyClick(window, Qt.Key.Key_3, ALT)
    today = date.today()
    qtbot.waitUntil(lambda: window.from_field.date_value() == months_back(today, 3))
    qtbot.waitUntil(lambda: window.period == (months_back(today, 3), today) and not window.busy)

    # a period that ends before it starts is refused with a message, nothing is worked out
    type_date(qtbot, window.from_field, "2020-02-01")
    type_date(qtbot, window.to_field, "2020-01-01")
    qtbot.keyClick(window.to_field, Qt.Key.Key_Return)
    assert "ends before it starts" in window.status.text() and not window.busy
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_table_is_exported_as_csv_and_reads_back_as_shown(
    qtbot: QtBot,
    fixtures: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = open_metrics(qtbot, fixtures)
    window.set_period(JAN, JAN_END)
    qtbot.waitUntil(lambda: window.period == (JAN, JAN_END) and not window.busy)
    qtbot.keyClick(window, Qt.Key.Key_A, ALT)  # the Attendance tab
    panel = window.panels["roles"]
    out = tmp_path / "attendance.csv"
    asked: list[str] = []

    def ask(_parent: object, name: str) -> str:
        asked.append(name)
        return str(out)

    monkeypatch.setattr(metrics_window, "ask_csv_path", ask)
    button = panel.export_button
    button.setFocus()
    assert button.hasFocus()  # reachable by Tab: a plain button
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(out.exists)
    assert asked == ["MDT metrics 2020-01-01 to 2020-01-31 Attendance by specialty.csv"]
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    model = panel.model
    assert rows[0] == [c.title for c in model.columns]
    shown = [
        ["" if model.text(r, c) == "—" else model.text(r, c) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    assert rows[1:] == shown and len(shown) == len(window.metrics.by_role)  # type: ignore[union-attr]
    radiology = next(r for r in rows if r[0] == "Radiologist")
    assert radiology[1:4] == ["2", "1", "1"]  # the January fixture: B sent apologies
    with fixtures.db.reader() as s:
        audited = s.execute(
            select(AuditEvent.summary).where(AuditEvent.entity == "metrics")
        ).scalars()
        summaries = list(audited)
    assert any("Attendance by specialty" in t and "sha256" in t for t in summaries)

    database = fixtures.db.target.sqlite_path
    if database is not None:  # never over the database
        assert window.export_table("key", str(database)) is None
        assert "not exported" in window.status.text()
    window.close()


def test_the_validation_tab_shows_each_score(qtbot: QtBot, fixtures: ServiceContext) -> None:
    window = open_metrics(qtbot, fixtures)
    qtbot.keyClick(window, Qt.Key.Key_V, ALT)
    assert window.tabs.currentIndex() == 3
    expected = validation.validate(fixtures.db)
    scores = window.panels["scores"].model
    assert [scores.text(r, 0) for r in range(scores.rowCount())] == [v.label for v in expected]
    tok = table(scores)["Tokuhashi"]
    v = expected[0]
    assert tok[:4] == [str(v.n), str(v.deaths), f"{v.c:.3f}", str(v.concordance.comparable)]
    assert (v.n, v.deaths) == (7, 4)  # six January cases and one in February
    assert "Harrell's C" in window.score_summary.text()
    bands = table(window.panels["bands"].model)
    assert bands["Predicted survival < 6 months"] == [
        "2",
        "2",
        "0.0",
        "0.0",
        "under 6 months",
        "0.0",
    ]
    assert bands["Predicted survival ≥ 6 months"][2:4] == ["50.0", "—"]  # no one at 12 months
    steps = window.panels["steps"].model
    assert steps.rowCount() == sum(len(b.curve.steps) for b in v.bands)
    assert len(window.charts["survival"].plot.listDataItems()) >= 3  # a curve per band

    view = window.panels["scores"].view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # Tomita: lower is better, no prediction
    qtbot.waitUntil(lambda: "Tomita" in window.score_summary.text())
    tomita = table(window.panels["bands"].model)
    assert [row[4] for row in tomita.values()] == ["—"] * 4
    assert "lower is better" in window.score_summary.text()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # Bauer: nothing to show yet
    qtbot.waitUntil(lambda: "no case" in window.score_summary.text())
    assert window.panels["steps"].model.rowCount() == 0
    window.close()


def test_keyboard_help_and_an_800_pixel_screen(qtbot: QtBot, ctx: ServiceContext) -> None:
    window = open_metrics(qtbot, ctx)
    assert window.minimumSizeHint().width() <= 800
    texts = [b.text() for b in window.findChildren(QPushButton) if "&" in b.text()]
    texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(keys) == len(set(keys)), texts  # one Alt key each
    assert ("F5", "Refresh the figures") in keyboard_rows(window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    help_dialog = window.findChild(HelpDialog)
    assert help_dialog is not None and help_dialog.topic == "metrics"
    assert "Score validation" in help_dialog.browser.toPlainText()
    help_dialog.close()
    qtbot.keyClick(window, Qt.Key.Key_F5)  # again, with the validation
    assert window.busy or window.metrics is not None
    settled(qtbot, window)
    window.update_figures(with_validation=True)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # closed while working: the job ends first
    assert not window.isVisible() and not window.busy


def test_the_charting_library_is_not_loaded_at_start() -> None:
    probe = (
        "import sys\n"
        "from mdtboard.ui import app, main_window, main_actions\n"
        "heavy = [m for m in ('pyqtgraph', 'numpy', 'mdtboard.ui.metrics_window') "
        "if m in sys.modules]\n"
        "print(heavy)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
