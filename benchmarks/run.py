"""mdtboard benchmarks: every path a user waits on, as a ratio to a floor measured
in the same run (absolute times on shared machines mean little).

    python benchmarks/run.py [--quick] [--json out.json]

Prints a table and writes ``{"results": [{"name", "value", "unit", "floor",
"ratio", "target_ratio", "ok", "detail"}]}`` (``detail``: what else was measured
alongside, in words). Databases are built with ``mdtboard demo``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


SEARCH_WORDS = (
    "Applethorn",
    "DEMO0005",
    "renal",
    "T7",
    "Hartwell",
    "chordoma",
    "Zinnia",
    "breast",
    "L4",
    "Quayle",
)


@dataclass
class Result:
    name: str
    value: float
    unit: str
    floor: float
    ratio: float
    target_ratio: float
    ok: bool
    detail: str = field(default="")


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best(fn: Callable[[], Any], repeats: int) -> float:
    return min(timed(fn) for _ in range(repeats))


def result(name: str, value: float, floor: float, target: float, unit: str = "s") -> Result:
    ratio = value / floor if floor > 0 else float("inf")
    return Result(
        name, round(value, 6), unit, round(floor, 6), round(ratio, 3), target, ratio <= target
    )


class Bench:
    def __init__(self, work: Path, quick: bool) -> None:
        self.work = work
        self.quick = quick
        self.repeats = 3 if quick else 7
        self.env = {
            **os.environ,
            "MDTBOARD_AUDIT_KEY_FILE": str(work / "audit.key"),
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_STATE_HOME": str(work / "state"),
            "QT_QPA_PLATFORM": "offscreen",
        }
        os.environ.update({k: v for k, v in self.env.items() if k.startswith(("MDTBOARD", "XDG"))})

    # -- helpers ---------------------------------------------------------------
    def typed(self) -> list[str]:
        """What the search box holds after each keystroke of a few searches."""
        return [
            word[:n]
            for word in SEARCH_WORDS * (1 if self.quick else 3)
            for n in range(1, len(word) + 1)
        ]

    def demo(self, cases: int) -> Path:
        path = self.work / f"demo-{cases}.db"
        if not path.exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mdtboard",
                    "demo",
                    "--db",
                    str(path),
                    "--cases",
                    str(cases),
                    "--seed",
                    "3",
                ],
                check=True,
                env=self.env,
                stdout=subprocess.DEVNULL,
            )
        return path

    def run_py(self, args: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, env=self.env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    # -- benchmarks --------------------------------------------------------------
    def startup_events(self, args: list[str]) -> dict[str, float]:
        """Seconds from process start to each ``MDTBOARD_STARTUP_TRACE`` event, and to exit."""
        trace = self.work / "startup.trace"
        trace.unlink(missing_ok=True)
        env = {**self.env, "MDTBOARD_STARTUP_TRACE": str(trace)}
        start = time.time()
        subprocess.run([sys.executable, *args], check=True, env=env, stdout=subprocess.DEVNULL)
        events = {"exit": time.time() - start}
        for line in trace.read_text(encoding="utf-8").splitlines():
            name, stamp = line.split()
            events[name] = float(stamp) - start
        return events

    def startup_first_paint_10k(self) -> Result:
        """Process start to the main window's first paint (the frame: menus, filters, the
        list's columns), with ``--screenshot``, which then fills the list and saves it."""
        db = self.demo(10_000)
        shot = str(self.work / "shot.png")
        app_runs, floor_runs = [], []
        for _ in range(self.repeats):  # interleaved: both see the same machine load
            app_runs.append(
                self.startup_events(["-m", "mdtboard", "--db", str(db), "--screenshot", shot])
            )
            floor_runs.append(self.startup_events([str(ROOT / "benchmarks" / "floors.py"), shot]))
        floor = min(r["first_paint"] for r in floor_runs)
        listed = min(r["list_painted"] for r in app_runs)
        out = result("startup_first_paint_10k", min(r["first_paint"] for r in app_runs), floor, 2.5)
        out.detail = (
            f"list filled and painted at {listed:.3f} s ({listed / floor:.2f}x the floor); "
            f"exit after saving the PNG {min(r['exit'] for r in app_runs):.3f} s "
            f"(floor {min(r['exit'] for r in floor_runs):.3f} s)"
        )
        return out

    def _filter_latencies(
        self, db_path: Path, url: str | None = None
    ) -> tuple[list[float], list[float]]:
        from PySide6.QtWidgets import QApplication

        from mdtboard.services.context import Actor, ServiceContext
        from mdtboard.store.db import Target, open_database, sqlite_url
        from mdtboard.ui.main_window import MainWindow

        app = QApplication.instance() or QApplication([])
        db = open_database(Target(url or sqlite_url(db_path)))
        win = MainWindow(ServiceContext(db, Actor("bench", "read_only")))
        win.show()
        app.processEvents()
        latencies: list[float] = []
        floors: list[float] = []
        raw = sqlite3.connect(db_path) if url is None else None  # PostgreSQL: own floor
        for text in self.typed():
            win.search.setText(text)
            start = time.perf_counter()
            win.apply_filters()  # what the debounce timer runs after the keystroke
            app.processEvents()
            latencies.append(time.perf_counter() - start)
            if raw is not None:
                floors.append(self._raw_like(raw, text))
        win.close()
        db.dispose()
        return latencies, floors

    @staticmethod
    def _raw_like(conn: sqlite3.Connection, text: str) -> float:
        pattern = f"%{text}%"
        start = time.perf_counter()
        conn.execute(
            "SELECT count(*) FROM referrals r JOIN patients p ON p.id = r.patient_id "
            "WHERE p.family_name LIKE ? OR p.given_name LIKE ? OR p.mrn LIKE ? "
            "OR r.referrer_name LIKE ? OR r.histology_key LIKE ? OR r.levels_text LIKE ?",
            (pattern,) * 6,
        ).fetchone()
        conn.execute(
            "SELECT r.id, p.family_name, p.given_name, p.mrn, r.levels_text FROM referrals r "
            "JOIN patients p ON p.id = r.patient_id "
            "WHERE p.family_name LIKE ? OR p.given_name LIKE ? OR p.mrn LIKE ? "
            "OR r.referrer_name LIKE ? OR r.histology_key LIKE ? OR r.levels_text LIKE ? "
            "ORDER BY r.received_at DESC LIMIT 200",
            (pattern,) * 6,
        ).fetchall()
        return time.perf_counter() - start

    def filter_p95_100k_postgres(self) -> Result | None:
        """The same filter on PostgreSQL (needs MDTBOARD_TEST_PG_URL, as `make bench` sets)."""
        admin = os.environ.get("MDTBOARD_TEST_PG_URL")
        if not admin:
            print("  skipped: no PostgreSQL server (MDTBOARD_TEST_PG_URL)")
            return None
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"mdt_bench_{os.getpid()}"
        eng = create_engine(admin, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name}"))
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        try:
            subprocess.run(
                [sys.executable, "-m", "mdtboard", "demo", "--cases", "100000", "--seed", "3"],
                check=True,
                stdout=subprocess.DEVNULL,
                env={**self.env, "MDTBOARD_DATABASE_URL": url},
            )
            lat, _ = self._filter_latencies(Path("unused"), url)
            floor = self._pg_floor(url)
        finally:
            with eng.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            eng.dispose()
        p95 = statistics.quantiles(lat, n=20)[-1]
        floor95 = statistics.quantiles(floor, n=20)[-1]
        print(
            f"  filter p50 {statistics.median(lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; "
            f"raw-SQL floor p95 {floor95 * 1000:.1f} ms"
        )
        return result("filter_p95_100k_postgres", p95, floor95, 3.0)

    def _pg_floor(self, url: str) -> list[float]:
        import psycopg
        from sqlalchemy import create_engine

        args, kwargs = create_engine(url).dialect.create_connect_args(
            __import__("sqlalchemy").engine.make_url(url)
        )
        conn = psycopg.connect(*args, **kwargs, autocommit=True)
        cols = (
            "p.family_name",
            "p.given_name",
            "p.mrn",
            "r.referrer_name",
            "r.histology_key",
            "r.levels_text",
        )
        where = " OR ".join(f"{c} ILIKE %(p)s" for c in cols)
        times = []
        for text_ in self.typed():
            start = time.perf_counter()
            conn.execute(
                f"SELECT count(*) FROM referrals r JOIN patients p ON "
                f"p.id = r.patient_id WHERE {where}",
                {"p": f"%{text_}%"},
            ).fetchone()
            conn.execute(
                f"SELECT r.id, p.family_name, p.given_name, p.mrn, r.levels_text "
                f"FROM referrals r JOIN patients p ON p.id = r.patient_id WHERE {where} "
                f"ORDER BY r.received_at DESC LIMIT 200",
                {"p": f"%{text_}%"},
            ).fetchall()
            times.append(time.perf_counter() - start)
        conn.close()
        return times

    def filter_p95_100k(self) -> Result:
        db = self.demo(100_000)
        lat, floor = self._filter_latencies(db)
        p95 = statistics.quantiles(lat, n=20)[-1]
        floor95 = statistics.quantiles(floor, n=20)[-1]
        print(
            f"  filter p50 {statistics.median(lat) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms; "
            f"floor p95 {floor95 * 1000:.1f} ms"
        )
        return result("filter_p95_100k", p95, floor95, 3.0)

    def open_case_meeting_40(self) -> Result:
        from PySide6.QtWidgets import QApplication

        from mdtboard.ui.meeting import MeetingModeWindow

        app = QApplication.instance() or QApplication([])
        ctx, meeting_id = self._meeting_with_cases(40, signed=False)
        win = MeetingModeWindow(ctx, meeting_id)
        win.show()
        app.processEvents()
        switch: list[float] = []
        repaint: list[float] = []
        n = win.agenda_model.rowCount()
        for k in range(min(n, 12 if self.quick else 40)):
            start = time.perf_counter()
            win.open_case((k + 1) % n)
            app.processEvents()
            win.repaint()
            switch.append(time.perf_counter() - start)
            start = time.perf_counter()
            win.repaint()
            app.processEvents()
            repaint.append(time.perf_counter() - start)
        win.close()
        ctx.db.dispose()
        return result(
            "open_case_meeting_40", statistics.median(switch), statistics.median(repaint), 3.0
        )

    def effort(self) -> list[Result]:
        """Effort as counted presses (benchmarks/effort.py): the standard case recorded
        in meeting mode, and 20 cases put on an agenda. The "floor" is the issue's
        target: a ratio of 1 or less meets it."""
        from PySide6.QtWidgets import QApplication, QWidget

        from benchmarks.effort import (
            AGENDA_20_TARGET,
            STANDARD_CASE_TARGET,
            QtTestBot,
            record_agenda_20,
            record_standard_case,
        )
        from mdtboard.services.context import Actor, ServiceContext
        from mdtboard.store.db import Target, open_database, sqlite_url

        app = QApplication.instance() or QApplication([])

        def show(w: QWidget) -> None:
            w.show()
            w.activateWindow()
            deadline = time.perf_counter() + 5
            while not w.isActiveWindow() and time.perf_counter() < deadline:
                app.processEvents()

        out: list[Result] = []
        for name, flow, target in (
            ("effort_standard_case", record_standard_case, STANDARD_CASE_TARGET),
            ("effort_agenda_20", record_agenda_20, AGENDA_20_TARGET),
        ):
            path = self.work / f"{name}.db"
            shutil.copyfile(self.demo(100), path)
            db = open_database(Target(sqlite_url(path)))
            ctx = ServiceContext(db, Actor("bench", "administrator"))
            try:
                effort, win = flow(ctx, QtTestBot(), show)
                win.close()
                app.processEvents()
            finally:
                db.dispose()
            r = result(name, effort.presses, target, 1.0, unit="presses")
            r.detail = effort.text()
            out.append(r)
        return out

    def _meeting_with_cases(self, n: int, *, signed: bool) -> tuple[Any, int]:
        from datetime import UTC, datetime, timedelta

        from mdtboard.services import decisions, meetings
        from mdtboard.services.context import Actor, ServiceContext
        from mdtboard.services.decisions import ActionInput, DecisionInput, ModalityInput
        from mdtboard.store.db import Target, open_database, sqlite_url

        src = self.demo(max(1000, n * 3))
        path = self.work / f"meeting-{n}-{signed}.db"
        shutil.copyfile(src, path)
        db = open_database(Target(sqlite_url(path)))
        ctx = ServiceContext(db, Actor("bench", "administrator"))
        m = meetings.create_meeting(
            ctx,
            title=f"Benchmark MDT ({n} cases)",
            starts_at=datetime.now(UTC) - timedelta(hours=2),
        )
        from mdtboard.services.worklist import CaseQuery, fetch_cases

        rows = fetch_cases(db, CaseQuery(statuses=("new", "ready")), 0, n)
        plan = DecisionInput(
            intent="palliative",
            plan_text="cEBRT 20 Gy in 5 fractions with palliative care.",
            rationale="Benchmark rationale (fictional).",
            modalities=(ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),),
            actions=(ActionInput("Send outcome letter", "Coordinator (demo)"),),
        )
        for r in rows:
            item = meetings.list_case(ctx, m.id, r.referral_id)
            if signed:
                d = decisions.save_draft(ctx, item.id, plan)
                decisions.sign_off(ctx, item.id, d.version, "Chair (demo)")
        return ctx, m.id

    def pdf_summary(self) -> list[Result]:
        from mdtboard.reports import build_summary
        from mdtboard.services.summaries import meeting_report

        out = self.work / "summary.pdf"
        times: dict[int, float] = {}
        floor40 = 0.0
        for n in (40, 400):
            ctx, mid = self._meeting_with_cases(n, signed=True)
            report = meeting_report(ctx.db, mid)
            times[n] = best(lambda r=report: build_summary(r, out), 2 if n == 400 else self.repeats)
            if n == 40:
                lines = summary_text(out)
                floor40 = best(
                    lambda t=lines: plain_reportlab(t, self.work / "floor.pdf"), self.repeats
                )
            ctx.db.dispose()
        return [
            result("pdf_summary_40", times[40], floor40, 2.0),
            result("pdf_summary_400", times[400], times[40], 11.0),
        ]

    def import_csv_10k(self) -> Result:
        from mdtboard.services.context import Actor, ServiceContext
        from mdtboard.services.importer import import_referrals
        from mdtboard.store.db import Target, open_database, sqlite_url

        n = 10_000
        csv_path = self.work / "import.csv"
        rows = make_csv(csv_path, n)
        app_times, floor_times = [], []
        for k in range(2 if self.quick else 3):
            path = self.work / f"import-{k}.db"
            shutil.copyfile(self.demo(100), path)
            db = open_database(Target(sqlite_url(path)))
            ctx = ServiceContext(db, Actor("bench", "administrator"))
            app_times.append(timed(lambda c=ctx: import_referrals(c, csv_path)))
            db.dispose()
            path2 = self.work / f"import-floor-{k}.db"
            shutil.copyfile(self.demo(100), path2)
            floor_times.append(timed(lambda p=path2: raw_executemany(p, rows)))
            if row_counts(path) != row_counts(path2):
                raise RuntimeError("the import floor did not write the rows the import wrote")
        return result("import_csv_10k", min(app_times), min(floor_times), 3.0)

    def rss_100k_vs_100(self) -> Result:
        probe = ROOT / "benchmarks" / "rss_probe.py"
        big = self.demo(100_000)
        small = self.demo(100)

        def rss(db: Path) -> float:
            out = (
                subprocess.run(
                    [sys.executable, str(probe), str(db)],
                    check=True,
                    env=self.env,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            return float(out)

        big_kib, small_kib = rss(big), rss(small)
        print(f"  peak RSS {big_kib / 1024:.1f} MiB (100k) vs {small_kib / 1024:.1f} MiB (100)")
        return result("rss_100k_vs_100", big_kib / 1024, small_kib / 1024, 1.3, unit="MiB")

    def gui_stall_export(self) -> Result:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QWidget

        from mdtboard.reports import build_summary
        from mdtboard.services.summaries import meeting_report
        from mdtboard.ui.workers import run_in_background

        app = QApplication.instance() or QApplication([])
        ctx, mid = self._meeting_with_cases(400, signed=True)
        parent = QWidget()
        out = self.work / "stall.pdf"

        def job(progress: Any, cancelled: Any) -> object:
            return build_summary(meeting_report(ctx.db, mid), out)

        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        timer.start()
        bg = run_in_background(parent, job, "Exporting", show_progress=False)
        while not bg.done:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        ctx.db.dispose()
        stall = max(gaps) if gaps else 0.0
        # absolute target: 50 ms; expressed as a ratio to 50 ms so "ok" reads the same way
        return result("gui_stall_export", stall, 0.050, 1.0)

    def metrics_dashboard_100k(self) -> Result:
        """The metrics dashboard's data work (``metrics.compute`` over a period covering
        every meeting) on the 100,000-case demo database given 20 years of weekly
        meetings with their agendas, attendance, decisions, follow-up, discussion times
        and outcomes (``add_board_history``, on a copy: the other benchmarks' database is
        unchanged). Floor: the same aggregates as hand-written SQL through sqlite3
        (``raw_metrics``), checked to give the same figures."""
        from mdtboard.services import metrics
        from mdtboard.store.db import Target, open_database, sqlite_url

        path = self.work / "demo-100000-metrics.db"
        if not path.exists():
            shutil.copyfile(self.demo(100_000), path)
            started = time.perf_counter()
            counts = add_board_history(path)
            print(f"  history added in {time.perf_counter() - started:.1f} s: {counts}")
        raw = sqlite3.connect(path)
        first, last = raw.execute("SELECT min(starts_at), max(starts_at) FROM meetings").fetchone()
        start = date.fromisoformat(first[:10]) - timedelta(days=1)
        end = date.fromisoformat(last[:10]) + timedelta(days=1)
        lo, hi = (t.replace(tzinfo=None).isoformat(" ", "microseconds")
                  for t in metrics.period_bounds(start, end))  # fmt: skip
        db = open_database(Target(sqlite_url(path)))
        try:
            m = metrics.compute(db, start, end)  # warm: both read a cached file
            floor_figures = raw_metrics(raw, lo, hi)
            same_figures(m, floor_figures)
            app_runs, floor_runs = [], []
            for _ in range(self.repeats):  # interleaved: both see the same machine load
                app_runs.append(timed(lambda: metrics.compute(db, start, end)))
                floor_runs.append(timed(lambda: raw_metrics(raw, lo, hi)))
        finally:
            db.dispose()
            raw.close()
        out = result("metrics_dashboard_100k", min(app_runs), min(floor_runs), 3.0)
        out.detail = (
            f"{m.meetings} meetings, {m.cases_listed} agenda entries, {m.decisions_signed} "
            f"decisions, {sum(r.expected for r in m.by_role)} attendances, "
            f"{m.mscc.cases} MSCC cases ({m.mscc.treatment_timed} radiotherapy clocks); "
            "median of runs "
            f"{statistics.median(app_runs):.3f} s vs floor {statistics.median(floor_runs):.3f} s"
        )
        return out


def summary_text(pdf: Path) -> list[str]:
    """Every line of text the summary PDF shows (read back with pypdf)."""
    from pypdf import PdfReader

    return [
        line
        for page in PdfReader(pdf).pages
        for line in (page.extract_text() or "").splitlines()
        if line.strip()
    ]


def plain_reportlab(lines: list[str], out: Path) -> None:
    """The floor: exactly the text the summary shows, laid out as plain paragraphs in
    the same embedded font, without the summary's tables, diagram or page furniture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from mdtboard.reports.common import FONT, register_fonts

    register_fonts()
    style = ParagraphStyle("floor", fontName=FONT, fontSize=9, leading=11.5)
    story = [Paragraph(t.replace("&", "&amp;").replace("<", "&lt;"), style) for t in lines]
    SimpleDocTemplate(str(out), pagesize=A4).build(story)


def make_csv(path: Path, n: int) -> list[tuple[Any, ...]]:
    rng = random.Random(5)
    header = (
        "mrn,family_name,given_name,date_of_birth,received_at,referrer_name,urgency,"
        "disease_kind,histology,compartment,levels,question"
    )
    rows = []
    lines = [header]
    for i in range(n):
        row = (
            f"BEN{i:07d}",
            f"Benchfamily{i % 977}",
            f"Given{i % 313}",
            f"19{rng.randrange(30, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
            "2026-10-01",
            "Dr Bench Referrer",
            "routine",
            "metastatic",
            "met_breast",
            "extradural",
            "T7",
            "Radiotherapy?",
        )
        rows.append(row)
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n")
    return rows


def row_counts(path: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(path)
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("patients", "referrals", "referral_levels")
        )
    finally:
        conn.close()


LEVEL_ORDINALS = {"T7": 13}  # the level every benchmark row names, at its index in the spine


def raw_executemany(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """The same rows the import writes (patients, referrals and their levels), as plain
    sqlite3 ``executemany`` calls with values prepared in advance: no parsing, no checks."""
    conn = sqlite3.connect(path)
    now = "2026-11-01 00:00:00.000000"
    with conn:
        (before,) = conn.execute("SELECT coalesce(max(id), 0) FROM referrals").fetchone()
        conn.executemany(
            "INSERT INTO patients (mrn, family_name, given_name, date_of_birth, sex, created_at,"
            " updated_at, version) VALUES (?, ?, ?, ?, 'unknown', ?, ?, 1)",
            [(r[0], r[1], r[2], r[3], now, now) for r in rows],
        )
        ids = dict(conn.execute("SELECT mrn, id FROM patients WHERE mrn LIKE 'BEN%'").fetchall())
        conn.executemany(
            "INSERT INTO referrals (patient_id, received_at, referrer_name, referrer_organisation,"
            " urgency, presenting_problem, question, disease_kind, primary_site, histology_key,"
            " compartment, levels_text, neuro_status, neuro_deficit, imaging_available,"
            " pathology_available, biopsy_deferral_rationale, dexamethasone_omitted_reason,"
            " status, created_at, updated_at, version) VALUES (?, ?, ?, '', ?, '', ?, ?, '', ?,"
            " ?, ?, '', 0, 0, 0, '', '', 'new', ?, ?, 1)",
            [(ids[r[0]], now, r[5], r[6], r[11], r[7], r[8], r[9], r[10], now, now) for r in rows],
        )
        new_ids = [i for (i,) in conn.execute("SELECT id FROM referrals WHERE id > ?", (before,))]
        conn.executemany(
            "INSERT INTO referral_levels (referral_id, level, ordinal) VALUES (?, ?, ?)",
            [(rid, r[10], LEVEL_ORDINALS[r[10]]) for rid, r in zip(new_ids, rows, strict=True)],
        )
    conn.close()


# --- the board's history for metrics_dashboard_100k ------------------------------------
HISTORY_WEEKS = 1040  # 20 years of weekly meetings
CORE = ("spine_surgeon", "medical_oncologist", "clinical_oncologist", "radiologist", "pathologist")
HELD = ("in_progress", "closed")
#: modality kinds by group (domain.treatments.MODALITY_KINDS), for QS56 statement 6
RADIOTHERAPY = ("cebrt", "sbrt", "particle_therapy")
SURGERY = ("surgery",)


def _ts(value: datetime) -> str:
    """A UTC time as SQLite holds it (store.types.UTCDateTime)."""
    return value.isoformat(" ", "microseconds")


def add_board_history(path: Path) -> dict[str, int]:
    """Weekly meetings from 2005 on, closed, with the demo's referrals (from id 41; the
    demo's own meetings keep theirs) listed in turn: most discussed and signed off, some
    deferred and relisted the next week, withdrawn or not reached; attendance of every
    member; 1-3 planned treatments per decision, follow-up for most (given, not given
    with a reason, or not started), discussion times, an outcome for most cases, and the
    referral, MSCC and treatment times moved to before each case's meeting. Fictional,
    from a fixed seed; bulk inserts through sqlite3."""
    rng = random.Random(19)
    conn = sqlite3.connect(path)
    now = _ts(datetime.now(UTC).replace(tzinfo=None))
    today = datetime.now(UTC).date()
    members = conn.execute("SELECT id, role FROM members").fetchall()
    referrals = conn.execute(
        "SELECT id, patient_id, urgency FROM referrals WHERE id > 40 ORDER BY id"
    ).fetchall()
    ids = {t: (conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
           for t in ("meetings", "agenda_items", "decisions", "modalities", "followups",
                     "followup_items", "attendances")}  # fmt: skip
    first = datetime(2005, 1, 4, 8, 0)  # a Tuesday, 08:00 UTC
    per_meeting = -(-len(referrals) // HISTORY_WEEKS)
    meetings, items, decisions, modalities, followups, fitems = [], [], [], [], [], []
    attendances, times, outcomes, moved = [], [], [], []
    kinds = ("surgery", "cebrt", "sbrt", "systemic", "palliative_care")
    deferred: list[tuple[int, tuple[Any, ...]]] = []  # (agenda item id, referral row)
    for week in range(HISTORY_WEEKS):
        ids["meetings"] += 1
        mid = ids["meetings"]
        at = first + timedelta(weeks=week)
        meetings.append((mid, _ts(at), f"Spine oncology MDT (history) {at:%d %b %Y}",
                         "Seminar room 2", "", 1, "closed", now, now, 1))  # fmt: skip
        for member_id, role in members:
            roll = rng.random()
            status = "guest" if role == "other" else "apologies" if roll < 0.1 else "present"
            ids["attendances"] += 1
            attendances.append((ids["attendances"], mid, member_id, status))
        batch = [(None, r) for r in referrals[week * per_meeting : (week + 1) * per_meeting]]
        batch = [(item_id, r) for item_id, r in deferred] + batch
        deferred = []
        for position, (relisted, (rid, pid, urgency)) in enumerate(batch, start=1):
            ids["agenda_items"] += 1
            item = ids["agenda_items"]
            roll = rng.random()
            status = ("discussed" if roll < 0.86 or relisted else "deferred" if roll < 0.92
                      else "withdrawn" if roll < 0.95 else "listed")  # fmt: skip
            items.append((item, mid, rid, pid, position, status, "", relisted, now, now, 1))
            if relisted is None:
                received = at - timedelta(days=rng.randrange(3, 45), minutes=rng.randrange(1440))
                suspected = mri = plan = treated = None
                if urgency == "mscc":
                    suspected = received
                    mri = received + timedelta(hours=rng.randrange(2, 36))
                    plan = mri + timedelta(hours=rng.randrange(1, 30))
                    treated = plan + timedelta(hours=rng.randrange(2, 40))
                elif rng.random() < 0.04:
                    treated = at - timedelta(days=1)  # treated before the meeting
                moved.append((_ts(received), *(None if t is None else _ts(t)
                              for t in (suspected, mri, plan, treated)), rid))  # fmt: skip
            if status == "deferred":
                deferred.append((item, (rid, pid, urgency)))
            if status != "discussed":
                continue
            times.append((item, rng.randrange(90, 1500), now))
            ids["decisions"] += 1
            did = ids["decisions"]
            signed = at + timedelta(hours=3)
            decisions.append((did, item, 1, None, "palliative", "Plan (fictional)", "", "",
                              "", "", 1, "", None, 1, "signed_off", "Chair (history)",
                              _ts(signed), "", now, now, 1))  # fmt: skip
            planned = []
            for seq in range(1, rng.randrange(1, 4) + 1):
                ids["modalities"] += 1
                planned.append(ids["modalities"])
                modalities.append((ids["modalities"], did, seq, rng.choice(kinds), "{}"))
            if rng.random() < 0.8:
                ids["followups"] += 1
                fid = ids["followups"]
                followups.append((fid, did, 0, "", "history", now, now, 1))
                for modality in planned:
                    roll = rng.random()
                    started = (signed.date() + timedelta(days=rng.randrange(0, 25))).isoformat()
                    ids["followup_items"] += 1
                    if roll < 0.4:
                        row = ("completed", started, started, None)
                    elif roll < 0.75:
                        row = ("started", started, None, None)
                    elif roll < 0.87:
                        row = ("not_given", None, None, "patient_choice")
                    else:
                        row = ("not_started", None, None, None)
                    fitems.append((ids["followup_items"], fid, modality, *row, ""))
            if rng.random() < 0.7:
                died = rng.random() < 0.4
                last = signed.date() + timedelta(days=rng.randrange(5, 1500))
                on = min(last, today)
                outcomes.append((rid, "died" if died else "alive", on.isoformat(), None,
                                 None, 0, None, 0, None, now, now, 1))  # fmt: skip
    with conn:
        conn.executemany("INSERT INTO meetings VALUES (?,?,?,?,?,?,?,?,?,?)", meetings)
        conn.executemany("INSERT INTO attendances VALUES (?,?,?,?)", attendances)
        conn.executemany(
            "INSERT INTO agenda_items (id, meeting_id, referral_id, patient_id, position, "
            "status, reason, relisted_from_id, created_at, updated_at, version) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            items,
        )
        conn.executemany(
            "INSERT INTO decisions (id, agenda_item_id, revision, supersedes_id, intent, "
            "plan_text, rationale, dissent, dissent_by, patient_preferences, "
            "patient_informed, clinical_trial, noms_band, quorate, status, signed_off_by, "
            "signed_off_at, amendment_reason, created_at, updated_at, version) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            decisions,
        )
        conn.executemany("INSERT INTO modalities VALUES (?,?,?,?,?)", modalities)
        conn.executemany("INSERT INTO followups VALUES (?,?,?,?,?,?,?,?)", followups)
        conn.executemany("INSERT INTO followup_items VALUES (?,?,?,?,?,?,?,?)", fitems)
        conn.executemany("INSERT INTO discussion_times VALUES (?,?,?)", times)
        conn.executemany(
            "INSERT OR REPLACE INTO case_outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", outcomes
        )
        conn.executemany(
            "UPDATE referrals SET received_at = ?, mscc_suspected_at = ?, mri_at = ?, "
            "plan_agreed_at = ?, treatment_started_at = ? WHERE id = ?",
            moved,
        )
    conn.execute("ANALYZE")
    conn.close()
    return {
        "meetings": len(meetings),
        "agenda_items": len(items),
        "decisions": len(decisions),
        "modalities": len(modalities),
        "followup_items": len(fitems),
        "attendances": len(attendances),
        "outcomes": len(outcomes),
    }


def _spread(conn: sqlite3.Connection, values: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """(n, median, nearest-rank 90th percentile) of the ``v`` column of ``values``."""
    return tuple(
        conn.execute(
            "SELECT max(n), avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN v END), "
            "max(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) FROM ("
            "SELECT v, row_number() OVER (ORDER BY v) AS rn, count(*) OVER () AS n "
            f"FROM ({values}) WHERE v IS NOT NULL)",
            args,
        ).fetchone()
    )


def raw_metrics(conn: sqlite3.Connection, lo: str, hi: str) -> dict[str, Any]:
    """The figures of services.metrics.compute for the meetings starting in [lo, hi), as
    hand-written SQL: the floor of metrics_dashboard_100k."""
    p = (lo, hi)
    period = "m.starts_at >= ? AND m.starts_at < ?"
    held = "m.status IN ('in_progress', 'closed')"
    core = ", ".join(f"'{r}'" for r in CORE)
    out: dict[str, Any] = {}
    out["meetings"] = conn.execute(
        f"SELECT count(*), coalesce(sum({held}), 0) FROM meetings m WHERE {period}", p
    ).fetchone()
    out["quorate"] = conn.execute(
        "SELECT count(*) FROM (SELECT a.meeting_id FROM attendances a "
        "JOIN members mb ON mb.id = a.member_id JOIN meetings m ON m.id = a.meeting_id "
        f"WHERE {period} AND {held} AND a.status = 'present' AND mb.role IN ({core}) "
        f"GROUP BY a.meeting_id HAVING count(DISTINCT mb.role) = {len(CORE)})",
        p,
    ).fetchone()[0]
    out["cases"] = conn.execute(
        "SELECT count(*), sum(ai.relisted_from_id IS NULL), sum(ai.status = 'discussed'), "
        "sum(ai.status = 'deferred'), sum(ai.status = 'withdrawn'), "
        f"sum(ai.status = 'listed' AND {held}), "
        "sum(ai.status = 'discussed' AND NOT coalesce(r.treatment_started_at < m.starts_at, 0)), "
        "sum(ai.protocol_id IS NOT NULL) "
        "FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id "
        f"JOIN referrals r ON r.id = ai.referral_id WHERE {period}",
        p,
    ).fetchone()
    out["implementation"] = conn.execute(
        "WITH per_decision AS (SELECT d.id, count(mo.id) AS planned, "
        "coalesce(sum(fi.status IN ('started', 'completed')), 0) AS given, "
        "coalesce(sum(fi.status = 'not_given'), 0) AS not_given FROM decisions d "
        "JOIN agenda_items ai ON ai.id = d.agenda_item_id "
        "JOIN meetings m ON m.id = ai.meeting_id "
        "LEFT JOIN modalities mo ON mo.decision_id = d.id "
        "LEFT JOIN followup_items fi ON fi.modality_id = mo.id "
        f"WHERE {period} AND d.status = 'signed_off' GROUP BY d.id) "
        "SELECT count(*), sum(given + not_given >= planned AND not_given = 0), "
        "sum(given + not_given >= planned AND not_given > 0 AND given > 0), "
        "sum(given + not_given >= planned AND not_given > 0 AND given = 0), "
        "sum(given + not_given < planned) FROM per_decision",
        p,
    ).fetchone()
    out["to_discussion"] = _spread(
        conn,
        "SELECT julianday(m.starts_at) - julianday(r.received_at) AS v FROM agenda_items ai "
        "JOIN meetings m ON m.id = ai.meeting_id JOIN referrals r ON r.id = ai.referral_id "
        f"WHERE {period} AND ai.status = 'discussed'",
        p,
    )
    out["to_treatment"] = _spread(
        conn,
        "SELECT julianday(fs.started) - julianday(d.signed_off_at) AS v FROM decisions d "
        "JOIN (SELECT f.decision_id, min(fi.started_on) AS started FROM followups f "
        "JOIN followup_items fi ON fi.followup_id = f.id WHERE fi.started_on IS NOT NULL "
        "GROUP BY f.decision_id) fs ON fs.decision_id = d.id "
        "JOIN agenda_items ai ON ai.id = d.agenda_item_id "
        f"JOIN meetings m ON m.id = ai.meeting_id WHERE {period} AND d.status = 'signed_off'",
        p,
    )
    out["per_case"] = _spread(
        conn,
        "SELECT CAST(dt.seconds AS REAL) AS v FROM discussion_times dt "
        "JOIN agenda_items ai ON ai.id = dt.agenda_item_id "
        f"JOIN meetings m ON m.id = ai.meeting_id WHERE {period} AND dt.seconds > 0",
        p,
    )
    attendance = (
        "FROM attendances a JOIN members mb ON mb.id = a.member_id "
        f"JOIN meetings m ON m.id = a.meeting_id WHERE {period} AND {held} "
        "AND a.status != 'guest'"
    )
    out["roles"] = conn.execute(
        "SELECT mb.role, count(*), sum(a.status = 'present'), sum(a.status = 'apologies'), "
        f"count(DISTINCT CASE WHEN a.status = 'present' THEN a.meeting_id END) {attendance} "
        "GROUP BY mb.role ORDER BY mb.role",
        p,
    ).fetchall()
    out["people"] = conn.execute(
        f"SELECT mb.name, mb.role, count(*), sum(a.status = 'present') {attendance} "
        "GROUP BY mb.id, mb.name, mb.role ORDER BY mb.role, mb.name",
        p,
    ).fetchall()

    def within(later: str, earlier: str, only: str = "1") -> str:
        timed = f"{only} AND r.{later} IS NOT NULL AND r.{earlier} IS NOT NULL"
        met = f"{timed} AND julianday(r.{later}) - julianday(r.{earlier}) <= 1.0"
        return f"sum({met}), sum({timed})"

    def planned(kinds: tuple[str, ...]) -> str:
        listed = ", ".join(f"'{k}'" for k in kinds)
        return (
            "EXISTS (SELECT 1 FROM modalities mo JOIN decisions d ON d.id = mo.decision_id "
            "JOIN agenda_items ai ON ai.id = d.agenda_item_id WHERE ai.referral_id = r.id "
            f"AND d.status = 'signed_off' AND mo.kind IN ({listed}))"
        )

    # QS56 statement 6: treatment timed only for a plan of radiotherapy without surgery
    rt_only = f"({planned(RADIOTHERAPY)} AND NOT {planned(SURGERY)})"
    out["mscc"] = conn.execute(
        f"SELECT count(*), {within('mri_at', 'mscc_suspected_at')}, "
        f"{within('plan_agreed_at', 'mscc_suspected_at')}, "
        f"{within('treatment_started_at', 'plan_agreed_at', rt_only)} FROM referrals r "
        "WHERE r.id IN (SELECT ai.referral_id FROM agenda_items ai "
        "JOIN meetings m ON m.id = ai.meeting_id JOIN referrals x ON x.id = ai.referral_id "
        f"WHERE {period} AND x.urgency = 'mscc' AND ai.status = 'discussed')",
        p,
    ).fetchone()
    return out


def same_figures(m: Any, raw: dict[str, Any]) -> None:
    """The floor computed what metrics.compute computed (or the ratio would mean nothing)."""

    def n(x: Any) -> int:
        return int(x or 0)

    def close(spread: Any, row: tuple[Any, ...]) -> bool:
        count, median, p90 = row
        if n(count) != spread.n:
            return False
        return spread.n == 0 or (
            abs(spread.median - median) < 1e-6 and abs(spread.p90 - p90) < 1e-6
        )

    roles = {r.role: (r.expected, r.present, r.apologies, r.meetings_with_role) for r in m.by_role}
    checks = {
        "meetings": (m.meetings, m.meetings_held) == tuple(n(x) for x in raw["meetings"]),
        "quorate": m.meetings_quorate == n(raw["quorate"]),
        "cases": (m.cases_listed, m.cases_new, m.discussed, m.deferred, m.withdrawn,
                  m.not_reached, m.prospective, m.cases_standard_of_care)
        == tuple(n(x) for x in raw["cases"]),
        "implementation": (m.decisions_signed, m.implemented, m.partly_implemented,
                           m.not_implemented, m.implementation_pending)
        == tuple(n(x) for x in raw["implementation"]),
        "to_discussion": close(m.referral_to_discussion_days, raw["to_discussion"]),
        "to_treatment": close(m.signoff_to_treatment_days, raw["to_treatment"]),
        "per_case": close(m.seconds_per_case, raw["per_case"]),
        "roles": all(roles[r[0]] == tuple(n(x) for x in r[1:]) for r in raw["roles"]),
        "people": [(p.name, p.listed, p.present) for p in m.by_person]
        == [(r[0], n(r[2]), n(r[3])) for r in raw["people"]],
        "mscc": tuple(vars(m.mscc).values()) == tuple(n(x) for x in raw["mscc"]),
    }  # fmt: skip
    wrong = [k for k, ok in checks.items() if not ok]
    if wrong:
        raise RuntimeError(f"the metrics floor does not give the dashboard's figures: {wrong}")


def chosen(name: str, only: list[str], names: list[str]) -> bool:
    """``--only`` names a benchmark exactly, or a beginning that names no benchmark
    exactly (``--only metrics_dashboard`` runs metrics_dashboard_100k; ``--only
    filter_p95_100k`` still runs that one alone)."""
    return any(o == name or (o not in names and name.startswith(o)) for o in only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under two minutes)")
    parser.add_argument("--json", type=Path, help="write results here")
    parser.add_argument(
        "--only", nargs="*", help="run only these benchmarks (a name, or its beginning)"
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mdtboard-bench-"))
    bench = Bench(work, args.quick)
    plan: list[tuple[str, Callable[[], Any]]] = [
        ("startup_first_paint_10k", bench.startup_first_paint_10k),
        ("filter_p95_100k", bench.filter_p95_100k),
        ("filter_p95_100k_postgres", bench.filter_p95_100k_postgres),
        ("open_case_meeting_40", bench.open_case_meeting_40),
        ("pdf_summary", bench.pdf_summary),
        ("import_csv_10k", bench.import_csv_10k),
        ("rss_100k_vs_100", bench.rss_100k_vs_100),
        ("gui_stall_export", bench.gui_stall_export),
        ("metrics_dashboard_100k", bench.metrics_dashboard_100k),
        ("effort", bench.effort),
    ]
    results: list[Result] = []
    try:
        for name, fn in plan:
            if args.only and not chosen(name, args.only, [n for n, _ in plan]):
                continue
            print(f"running {name} …", flush=True)
            out = fn()
            if out is None:
                continue
            results.extend(out if isinstance(out, list) else [out])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'benchmark':28} {'value':>10} {'floor':>10} {'ratio':>7} {'target':>7}  ok")
    for r in results:
        print(
            f"{r.name:28} {r.value:>10.4f} {r.floor:>10.4f} {r.ratio:>7.2f} "
            f"{r.target_ratio:>7.2f}  {'yes' if r.ok else 'NO'}"
        )
        if r.detail:
            print(f"{'':28} {r.detail}")
    if args.json:
        args.json.write_text(json.dumps({"results": [asdict(r) for r in results]}, indent=2))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
