"""The MDT audit report (issue 19 part 5), built from the metrics of the fictional demo
database and read back from the PDF. Every expected figure is taken from the Metrics
object and formatted here, by hand, as the report should print it."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from mdtboard.domain.vocab import CORE_ROLES
from mdtboard.reports import audit_report
from mdtboard.reports.audit_report import build_audit_report
from mdtboard.services import metrics
from mdtboard.services.context import ServiceContext
from mdtboard.services.metrics import Metrics, MsccMeasures

ORGANISATION = ("Fictional Spine Centre", "Spine Oncology Multidisciplinary Team")


def period() -> tuple[date, date]:
    """A period holding every meeting of the demo (weekly, around today)."""
    return date.today() - timedelta(days=60), date.today() + timedelta(days=30)


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100, 1):.1f}%"


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def demo_metrics(ctx: ServiceContext) -> Metrics:
    m = metrics.compute(ctx.db, *period())
    # the demo has held meetings, cases, decisions and MSCC cases: nothing here is vacuous
    assert m.meetings >= 3 and m.meetings_held >= 2 and m.quorum_rate is not None
    assert m.discussed > 0 and m.decisions_signed > 0 and m.mscc.cases > 0
    return m


def build(m: Metrics, tmp_path: Path, *, demo: bool = True, name: str = "audit.pdf") -> Path:
    out = tmp_path / name
    assert build_audit_report(m, out, organisation=ORGANISATION, demo=demo) == out
    return out


def test_headings_figures_and_fictional_notice(ctx: ServiceContext, tmp_path: Path) -> None:
    m = demo_metrics(ctx)
    out = build(m, tmp_path)
    reader = PdfReader(out)
    assert 2 <= len(reader.pages) <= 5  # a few pages
    assert reader.metadata is not None and reader.metadata.title == "MDT audit report"
    t = text(out)
    for heading in (
        "MDT audit report",
        "Key figures",
        "Attendance by specialty",
        "Cases and decisions",
        "Case outcomes per status",
        "Decision implementation",
        "Accreditation — CoC Standard 2.5 and NAPBC Standard 1.2",
        "NICE QS56 — MSCC",
        "Attendance by member",
        "How the figures are counted",
    ):
        assert heading in t, heading
    assert "FICTIONAL DEMO DATA" in t and "Decision-support audit data" in t
    assert all(line in t for line in ORGANISATION)
    start, end = period()
    assert f"Period: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}" in t
    assert f"Page 1 of {len(reader.pages)}" in t
    # key figures, as the Metrics object has them
    assert f"Meetings in the period {m.meetings} " in t
    assert f"Meetings held {m.meetings_held} " in t
    assert f"Quorum rate {pct(m.quorum_rate)} {m.meetings_quorate} of {m.meetings_held} held" in t
    assert f"Cases listed {m.cases_listed} {m.cases_new} new, {m.cases_relisted} relisted" in t
    assert m.cases_per_meeting is not None
    assert f"Cases per meeting {m.cases_per_meeting:.1f} " in t
    assert f"Discussed {pct(m.discussed_rate)} {m.discussed} of {m.cases_listed} listed" in t
    assert f"Deferred {pct(m.deferred_rate)} {m.deferred} of {m.cases_listed} listed" in t
    assert (
        f"Presented prospectively {pct(m.prospective_rate)} {m.prospective} of {m.discussed} "
        "discussed" in t
    )
    assert f"Decisions signed off {m.decisions_signed} " in t
    four = (m.implemented, m.partly_implemented, m.not_implemented, m.implementation_pending)
    assert "Implemented / partly / not / pending " + " / ".join(map(str, four)) in t
    known = m.implemented + m.partly_implemented + m.not_implemented
    assert f"Implemented as decided {pct(m.implemented_rate)} {m.implemented} of {known}" in t
    for label, sp, unit, scale in (
        ("Referral → discussion", m.referral_to_discussion_days, "days", 1),
        ("Sign-off → treatment", m.signoff_to_treatment_days, "days", 1),
        ("Discussion time per case", m.seconds_per_case, "min", 60),
    ):
        assert sp.median is not None and sp.p90 is not None, label
        assert (
            f"{label} median {sp.median / scale:.1f} {unit} "
            f"90th percentile {sp.p90 / scale:.1f} {unit}; n = {sp.n}" in t
        ), label


def test_accreditation_and_qs56_sections(ctx: ServiceContext, tmp_path: Path) -> None:
    m = demo_metrics(ctx)
    t = text(build(m, tmp_path))
    accreditation = t[t.index("Accreditation — CoC") : t.index("NICE QS56 — MSCC")]
    assert f"Cases presented (discussed) {m.discussed} " in accreditation
    assert (
        f"Presented prospectively {m.prospective} of {m.discussed} ({pct(m.prospective_rate)})"
        in accreditation
    )
    assert f"Case conferences held {m.meetings_held} of {m.meetings} scheduled" in accreditation
    roles = {r.role: r for r in m.by_role}
    for role in CORE_ROLES:  # the five required specialties: present / expected and rate
        r = roles[role.value]
        row = (
            f"{role.label} {r.present} {r.expected} {pct(r.rate)} "
            f"{r.meetings_with_role} of {m.meetings_held}"
        )
        assert row in accreditation, row
    qs56 = t[t.index("NICE QS56 — MSCC") : t.index("Attendance by member")]
    q = m.mscc
    assert f"Suspected-MSCC cases discussed {q.cases} " in qs56
    for label, met, timed in (
        ("MRI within 24 h of the suspicion (statement 3)", q.mri_within_24h, q.mri_timed),
        ("Plan within 24 h of the suspicion (statement 3)", q.plan_within_24h, q.plan_timed),
        (
            "Radiotherapy (no surgery) within 24 h of the decision (statement 6)",
            q.treatment_within_24h,
            q.treatment_timed,
        ),
    ):
        shown = f"{met} met of {timed} timed ({pct(met / timed)})" if timed else "not measurable"
        assert f"{label} {shown}" in qs56, label


def test_qs56_not_measurable_and_rates_as_dashes(ctx: ServiceContext, tmp_path: Path) -> None:
    """A clock nobody could time says "not measurable"; a rate with nothing to count is
    printed as a dash, not 0%."""
    m = replace(
        demo_metrics(ctx),
        mscc=MsccMeasures(3, 0, 0, 1, 2, 0, 0),
        meetings_held=0,
        meetings_quorate=0,
    )
    t = text(build(m, tmp_path))
    qs56 = t[t.index("NICE QS56 — MSCC") : t.index("Attendance by member")]
    assert "Suspected-MSCC cases discussed 3 " in qs56
    assert "MRI within 24 h of the suspicion (statement 3) not measurable" in qs56
    assert "Plan within 24 h of the suspicion (statement 3) 1 met of 2 timed (50.0%)" in qs56
    assert (
        "Radiotherapy (no surgery) within 24 h of the decision (statement 6) not measurable" in qs56
    )
    assert "Quorum rate — 0 of 0 held" in t


def test_an_empty_period_and_real_data(ctx: ServiceContext, tmp_path: Path) -> None:
    """No meetings at all (a month the demo never touches): every rate a dash, no empty
    chart, and no fictional notice when the data is not the demo's."""
    m = metrics.compute(ctx.db, date(2001, 3, 1), date(2001, 3, 31))
    assert m.meetings == 0 and m.cases_listed == 0
    t = text(build(m, tmp_path, demo=False))
    assert "FICTIONAL DEMO DATA" not in t
    assert "Decision-support audit data" in t
    assert "Period: 1 March 2001 to 31 March 2001 (31 days)" in t
    assert "Quorum rate — " in t and "Discussed — 0 of 0 listed" in t
    assert "No cases listed in the period: nothing to chart." in t
    assert "No decisions signed off in the period: nothing to chart." in t
    assert t.count("not measurable") == 3
    assert "Referral → discussion — n = 0 cases discussed" in t


def _fills(path: Path) -> list[tuple[tuple[float, float, float], float, float]]:
    """Every filled rectangle drawn on the pages: (fill colour, width, height)."""
    reader = PdfReader(path)
    found = []
    for page in reader.pages:
        colour: tuple[float, float, float] = (0.0, 0.0, 0.0)
        pending: list[tuple[float, float]] = []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"rg":
                colour = tuple(round(float(x), 3) for x in operands)  # type: ignore[assignment]
            elif op == b"re":
                pending.append((abs(float(operands[2])), abs(float(operands[3]))))
            elif op in (b"f", b"f*", b"B", b"B*"):
                found += [(colour, w, h) for w, h in pending]
                pending = []
            elif op in (b"S", b"n"):
                pending = []
    return found


def rgb(colour: object) -> tuple[float, float, float]:
    r, g, b = colour.rgb()  # type: ignore[attr-defined]
    return round(r, 3), round(g, 3), round(b, 3)


def test_charts_are_drawn_to_the_figures(ctx: ServiceContext, tmp_path: Path) -> None:
    """The bars are in the PDF as filled paths, as long as their figures say; each chart
    has its numbers in a table."""
    m = demo_metrics(ctx)
    out = build(m, tmp_path)
    fills = _fills(out)
    # attendance by specialty: one dark bar per required specialty, lengths as the rates
    core = {r.value for r in CORE_ROLES}
    rates = [r.rate for r in m.by_role if r.role in core and r.rate is not None]
    bars = [w for c, w, h in fills if c == rgb(audit_report.BAR)]
    assert len(bars) == len(rates) == 5
    assert max(rates) > 0
    scale = max(bars) / max(rates)
    assert sorted(bars) == pytest.approx(sorted(r * scale for r in rates), abs=0.05)
    # case outcomes and decision implementation: bar heights in proportion to the counts
    for colours, counts in (
        (
            audit_report.OUTCOME_COLOURS,
            {"discussed": m.discussed, "deferred": m.deferred, "withdrawn": m.withdrawn,
             "not_reached": m.not_reached},
        ),
        (
            audit_report.IMPLEMENTATION_COLOURS,
            {"implemented": m.implemented, "partly": m.partly_implemented,
             "not": m.not_implemented, "pending": m.implementation_pending},
        ),
    ):  # fmt: skip
        heights = {
            key: [h for c, w, h in fills if c == rgb(colours[key]) and h > 0.01] for key in counts
        }
        drawn = {key: n for key, n in counts.items() if n}
        assert len(drawn) >= 2, counts
        for key, n in counts.items():
            assert len(heights[key]) == (1 if n else 0), (key, heights[key])
        first = next(iter(drawn))
        unit = heights[first][0] / drawn[first]
        for key, n in drawn.items():
            assert heights[key][0] == pytest.approx(n * unit, rel=0.01), key
    t = text(out)
    # the numbers beside or below each chart
    assert f"Discussed {m.discussed} {pct(m.discussed / m.cases_listed)}" in t
    assert f"Listed {m.cases_listed} 100.0%" in t
    assert f"Implemented {m.implemented} {pct(m.implemented / m.decisions_signed)}" in t
    assert f"Follow-up pending {m.implementation_pending} " in t
    for r in m.by_role:
        if r.expected:
            star = " *" if r.role in core else ""
            assert f"{r.label}{star} {r.present} / {r.expected} {pct(r.rate)}" in t, r.role
    for p in m.by_person:
        assert f"{p.name} " in t and f"{p.present} / {p.listed} {pct(p.rate)}" in t


def test_the_pdf_is_well_formed(ctx: ServiceContext, tmp_path: Path) -> None:
    out = build(demo_metrics(ctx), tmp_path)
    assert not list(tmp_path.glob("*.partial"))  # written complete, then renamed
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed: the structural check is skipped")
    done = subprocess.run([qpdf, "--check", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
