"""The MDT audit report (issue 19 part 5): how the board performed over a period, for a
clinical governance lead and for accreditation.

Page 1: the period, a notice that this is decision-support audit data (and fictional
when it comes from the demo), and the key figures. Then charts, each with its numbers
in a table beside or below it: what happened to the cases listed, whether the
decisions were carried out, attendance by specialty. Then the accreditation section
(CoC Standard 2.5, NAPBC Standard 1.2: cases presented, the share presented
prospectively, attendance of the required specialties), the NICE QS56 MSCC measures,
attendance by member and how each figure is counted.

Every figure comes from ``services.metrics.Metrics``; nothing is counted here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from mdtboard.domain.vocab import CORE_ROLES, Role
from mdtboard.reports.common import FONT, FONT_BOLD, Styles, build_pdf, esc, para
from mdtboard.reports.layout import WIDTH as PAGE_WIDTH
from mdtboard.services.metrics import Metrics, MsccMeasures, Spread

TITLE = "MDT audit report"
DEMO_NOTICE = "FICTIONAL DEMO DATA"
NONE = "—"

BLUE = colors.HexColor("#1f3a5f")
GREY = colors.HexColor("#5b6b80")
LINE = colors.HexColor("#9aa7b8")
HEAD_BG = colors.HexColor("#e6ecf3")
GROUP_BG = colors.HexColor("#f2f5f9")
RED = colors.HexColor("#a01818")
#: the bars of the charts, each colour used by one bar or series only (the tests find
#: the bars by their fills in the page content)
BAR = colors.HexColor("#2e5c8a")
BAR_OTHER = colors.HexColor("#8fb0cf")
OUTCOME_COLOURS = {
    "discussed": colors.HexColor("#24527a"),
    "deferred": colors.HexColor("#d49a2a"),
    "withdrawn": colors.HexColor("#8a8f98"),
    "not_reached": colors.HexColor("#b3261e"),
    "awaiting": colors.HexColor("#c9d3df"),
}
IMPLEMENTATION_COLOURS = {
    "implemented": colors.HexColor("#2f7d4f"),
    "partly": colors.HexColor("#e0b451"),
    "not": colors.HexColor("#8c1c13"),
    "pending": colors.HexColor("#b7c3d1"),
}

#: the specialties CoC Standard 2.5 / NAPBC 1.2 want at every conference: here the five
#: core roles that make a meeting quorate
REQUIRED = tuple(r.value for r in CORE_ROLES)
#: the frame's width inside its padding: tables line up with the headings
WIDTH = PAGE_WIDTH - 12


# --- how figures are printed --------------------------------------------------------


def percent(rate: float | None) -> str:
    """A rate in 0..1 as a percentage with one decimal; None (nothing to count) as "—"."""
    return NONE if rate is None else f"{rate * 100:.1f}%"


def decimal(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


def part_of(part: int, whole: int, rate: float | None) -> str:
    """ "9 of 13 (69.2%)"; just "0 of 0" when there was nothing to count."""
    return f"{part} of {whole} ({percent(rate)})" if whole else f"{part} of {whole}"


def timed(met: int, of: int, rate: float | None) -> str:
    """A QS56 measure: "2 met of 2 timed (100.0%)", or not measurable."""
    if not of:
        return "not measurable (no case timed)"
    return f"{met} met of {of} timed ({percent(rate)})"


def spread_text(sp: Spread, unit: str, scale: float = 1.0) -> tuple[str, str]:
    """("median …", "90th percentile …") of a spread, in ``unit`` after dividing by
    ``scale``; ("—", "—") when there was nothing to measure."""
    if not sp.n or sp.median is None or sp.p90 is None:
        return NONE, NONE
    return (
        f"median {sp.median / scale:.1f} {unit}",
        f"90th percentile {sp.p90 / scale:.1f} {unit}",
    )


def spread_basis(sp: Spread, unit: str, what: str, scale: float = 1.0) -> str:
    """The basis of a spread as the key figures print it: "90th percentile 43.4 days;
    n = 23 cases discussed"."""
    p90 = spread_text(sp, unit, scale)[1]
    return (f"{p90}; " if sp.n else "") + f"n = {sp.n} {what}"


def long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def period_text(m: Metrics) -> str:
    days = (m.end - m.start).days + 1
    return f"{long_date(m.start)} to {long_date(m.end)} ({days} day{'s' if days != 1 else ''})"


# --- styles -------------------------------------------------------------------------


class _Look:
    def __init__(self) -> None:
        st = Styles()
        self.st = st
        self.body = st.body
        self.small = ParagraphStyle("asmall", parent=st.small, textColor=GREY)
        self.cell = ParagraphStyle("acell", parent=st.cell)
        self.bold = ParagraphStyle("acellb", parent=st.cell_bold)
        self.head = ParagraphStyle("ahead", parent=st.cell_bold, textColor=BLUE)
        self.h2 = ParagraphStyle("ah2", parent=st.h2, keepWithNext=1)
        self.h3 = ParagraphStyle("ah3", parent=st.h3, textColor=BLUE, keepWithNext=1)
        self.org = ParagraphStyle("aorg", parent=st.small, textColor=GREY, leading=9.5)
        self.org_first = ParagraphStyle("aorg1", parent=self.org, fontName=FONT_BOLD)
        self.title = ParagraphStyle("atitle", parent=st.title, spaceAfter=2, textColor=BLUE)
        self.period = ParagraphStyle("aperiod", parent=st.body, fontSize=10.5, leading=14)
        self.notice = ParagraphStyle("anotice", parent=st.cell, leading=10.5)
        self.demo = ParagraphStyle(
            "ademo", parent=st.body, fontName=FONT_BOLD, fontSize=11, leading=14, textColor=RED
        )
        self.caption = ParagraphStyle(
            "acaption", parent=st.cell_bold, fontSize=8.5, leading=11, spaceAfter=2
        )


def _table_style(*extra: tuple[Any, ...], header: bool = True) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5dce5")),
    ]
    if header:
        cmds += [
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("TEXTCOLOR", (0, 0), (-1, 0), BLUE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
        ]
    cmds.extend(extra)
    return TableStyle(cmds)


def _numbers(
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    right_from: int = 1,
    bold_rows: Sequence[int] = (),
) -> Table:
    """A small numbers table: a header row, then one row per figure; the columns from
    ``right_from`` on are right-aligned."""
    t = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1)
    extra: list[tuple[Any, ...]] = [("ALIGN", (right_from, 0), (-1, -1), "RIGHT")]
    extra += [("FONTNAME", (0, r), (-1, r), FONT_BOLD) for r in bold_rows]
    t.setStyle(_table_style(*extra))
    return t


# --- charts -------------------------------------------------------------------------


def _nice_top(top: float) -> tuple[float, float]:
    """(axis maximum, step) for counts up to ``top``: at most six whole steps."""
    if top <= 0:
        return 1, 1
    room = top * 1.08  # the number above the tallest bar stays inside the chart
    raw = room / 6
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    steps = [s * power for s in (1, 2, 2.5, 5, 10) if float(s * power).is_integer()]
    step = int(next(s for s in steps if s >= raw))
    return step * math.ceil(room / step), step


def _axis_labels(axis: Any, size: float = 7) -> None:
    axis.labels.fontName = FONT
    axis.labels.fontSize = size
    axis.strokeColor = LINE
    axis.strokeWidth = 0.5


def count_chart(
    names: Sequence[str], values: Sequence[int], fills: Sequence[Any], width: float
) -> Drawing:
    """Vertical bars of counts, each bar its own colour and its number above it."""
    height = 46 * mm
    d = Drawing(width, height)
    c = VerticalBarChart()
    c.x, c.y = 24, 24
    c.width, c.height = width - c.x - 6, height - c.y - 12
    c.data = [list(values)]
    c.strokeColor = None
    c.barWidth = 10
    c.groupSpacing = 8
    c.bars.strokeColor = None
    for i, fill in enumerate(fills):
        c.bars[(0, i)].fillColor = fill
    c.categoryAxis.categoryNames = list(names)
    _axis_labels(c.categoryAxis, 6.8)
    c.categoryAxis.labels.boxAnchor = "n"
    c.categoryAxis.labels.textAnchor = "middle"
    c.categoryAxis.labels.dy = -3
    c.categoryAxis.visibleTicks = 0
    top, step = _nice_top(max(values, default=0))
    c.valueAxis.valueMin = 0
    c.valueAxis.valueMax = top
    c.valueAxis.valueStep = step
    c.valueAxis.labelTextFormat = "%d"
    _axis_labels(c.valueAxis)
    c.valueAxis.visibleGrid = 1
    c.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ef")
    c.valueAxis.gridStrokeWidth = 0.4
    c.valueAxis.visibleAxis = 0
    c.barLabelFormat = "%d"
    c.barLabels.fontName = FONT_BOLD
    c.barLabels.fontSize = 7
    c.barLabels.boxAnchor = "s"
    c.barLabels.dy = 1.5
    d.add(c)
    return d


RATE_CHART_W = 90 * mm


def rate_chart(names: Sequence[str], rates: Sequence[float], core: Sequence[bool]) -> Drawing:
    """Horizontal bars of percentages (0..100), one per specialty, top to bottom; the
    required specialties dark, the others light."""
    bar_h = 5.2 * mm
    label_w = 40 * mm
    width = RATE_CHART_W
    height = max(1, len(names)) * bar_h + 16
    d = Drawing(width, height)
    c = HorizontalBarChart()
    c.x, c.y = label_w, 12
    # room on the right for the label of a full bar ("100%")
    c.width, c.height = width - label_w - 22, height - 16
    c.data = [[r * 100 for r in rates]]
    c.strokeColor = None
    c.barWidth = bar_h * 0.62
    c.groupSpacing = bar_h * 0.38
    c.bars.strokeColor = None
    for i, is_core in enumerate(core):
        c.bars[(0, i)].fillColor = BAR if is_core else BAR_OTHER
    c.categoryAxis.categoryNames = list(names)
    c.categoryAxis.reverseDirection = 1
    _axis_labels(c.categoryAxis, 7)
    c.categoryAxis.labels.boxAnchor = "e"
    c.categoryAxis.labels.dx = -3
    c.categoryAxis.visibleTicks = 0
    c.valueAxis.valueMin = 0
    c.valueAxis.valueMax = 100
    c.valueAxis.valueStep = 25
    c.valueAxis.labelTextFormat = "%d%%"
    _axis_labels(c.valueAxis, 6.5)
    c.valueAxis.visibleGrid = 1
    c.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ef")
    c.valueAxis.gridStrokeWidth = 0.4
    c.barLabelFormat = "%.0f%%"
    c.barLabels.fontName = FONT_BOLD
    c.barLabels.fontSize = 6.5
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 2
    d.add(c)
    return d


def _side_by_side(left: Sequence[Flowable], right: Sequence[Flowable], split: float) -> Table:
    t = Table([[list(left), list(right)]], colWidths=[split, WIDTH - split])
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


# --- sections -----------------------------------------------------------------------


def _opening(m: Metrics, lk: _Look, organisation: Sequence[str], demo: bool) -> list[Flowable]:
    story: list[Flowable] = []
    lines = [line for line in organisation if line.strip()]
    for n, line in enumerate(lines):
        story.append(para(line, lk.org_first if n == 0 else lk.org))
    if lines:
        story.append(Spacer(1, 3 * mm))
    story.append(para(TITLE, lk.title))
    story.append(Paragraph(f"<b>Period:</b> {esc(period_text(m))}", lk.period))
    story.append(
        para(
            "Meetings that start on these days, inclusive (local dates); each case and "
            "decision counts in the period of the meeting it was listed on.",
            lk.small,
        )
    )
    story.append(Spacer(1, 3 * mm))
    if demo:
        banner = Table(
            [
                [
                    Paragraph(
                        f"{DEMO_NOTICE} — every patient, clinician and organisation in this "
                        "report is invented.",
                        lk.demo,
                    )
                ]
            ],
            colWidths=[WIDTH],
        )
        banner.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.2, RED),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fbeaea")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story += [banner, Spacer(1, 2 * mm)]
    notice = Table(
        [
            [
                Paragraph(
                    "<b>Decision-support audit data.</b> Aggregate figures from what the MDT "
                    "recorded in mdtboard, for clinical governance and accreditation review. "
                    "They are not a clinical record and do not replace the hospital's own "
                    "cancer registry; check them against local sources before they are "
                    "submitted. Percentages are of the count shown beside them; "
                    f"“{NONE}” means there was nothing to count.",
                    lk.notice,
                )
            ]
        ],
        colWidths=[WIDTH],
    )
    notice.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                ("BACKGROUND", (0, 0), (-1, -1), GROUP_BG),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story.append(notice)
    return story


def key_figures(m: Metrics) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The key-figures table as (group, [(measure, figure, basis)]) — the text printed."""
    known = m.implemented + m.partly_implemented + m.not_implemented
    to_disc, to_treat = m.referral_to_discussion_days, m.signoff_to_treatment_days
    per_case = m.seconds_per_case
    return [
        (
            "Meetings",
            [
                ("Meetings in the period", str(m.meetings), "scheduled to start in the period"),
                ("Meetings held", str(m.meetings_held), "in progress or closed"),
                (
                    "Quorum rate",
                    percent(m.quorum_rate),
                    f"{m.meetings_quorate} of {m.meetings_held} held meetings had all five "
                    "core roles present",
                ),
            ],
        ),
        (
            "Cases",
            [
                (
                    "Cases listed",
                    str(m.cases_listed),
                    f"{m.cases_new} new, {m.cases_relisted} relisted",
                ),
                (
                    "Cases per meeting",
                    decimal(m.cases_per_meeting),
                    "listed ÷ meetings in the period",
                ),
                (
                    "Discussed",
                    percent(m.discussed_rate),
                    f"{m.discussed} of {m.cases_listed} listed",
                ),
                ("Deferred", percent(m.deferred_rate), f"{m.deferred} of {m.cases_listed} listed"),
                (
                    "Presented prospectively",
                    percent(m.prospective_rate),
                    f"{m.prospective} of {m.discussed} discussed, before any treatment started",
                ),
            ],
        ),
        (
            "Decisions",
            [
                ("Decisions signed off", str(m.decisions_signed), "current signed-off decisions"),
                (
                    "Implemented / partly / not / pending",
                    f"{m.implemented} / {m.partly_implemented} / {m.not_implemented} / "
                    f"{m.implementation_pending}",
                    "follow-up of the signed-off decisions; pending: a planned treatment "
                    "without a settled status",
                ),
                (
                    "Implemented as decided",
                    percent(m.implemented_rate),
                    f"{m.implemented} of {known} with complete follow-up",
                ),
            ],
        ),
        (
            "Timeliness",
            [
                (
                    "Referral → discussion",
                    spread_text(to_disc, "days")[0],
                    spread_basis(to_disc, "days", "cases discussed"),
                ),
                (
                    "Sign-off → treatment",
                    spread_text(to_treat, "days")[0],
                    spread_basis(to_treat, "days", "decisions with a treatment started"),
                ),
                (
                    "Discussion time per case",
                    spread_text(per_case, "min", 60.0)[0],
                    spread_basis(per_case, "min", "cases timed", 60.0),
                ),
            ],
        ),
    ]


def _key_table(m: Metrics, lk: _Look) -> Table:
    widths = [52 * mm, 36 * mm, WIDTH - 88 * mm]
    rows: list[list[Any]] = [["Measure", "Figure", "Basis"]]
    extra: list[tuple[Any, ...]] = [("FONTNAME", (1, 1), (1, -1), FONT_BOLD)]
    for group, lines in key_figures(m):
        r = len(rows)
        rows.append([group, "", ""])
        extra += [
            ("SPAN", (0, r), (-1, r)),
            ("BACKGROUND", (0, r), (-1, r), GROUP_BG),
            ("FONTNAME", (0, r), (-1, r), FONT_BOLD),
            ("TEXTCOLOR", (0, r), (-1, r), BLUE),
        ]
        for measure, figure, basis in lines:
            rows.append([measure, figure, Paragraph(esc(basis), lk.cell)])
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(_table_style(*extra))
    return t


def outcome_counts(m: Metrics) -> list[tuple[str, str, int]]:
    """(key, label, cases) per outcome of a listed case; the cases still listed on a
    meeting not yet held only when there are some."""
    awaiting = m.cases_listed - m.discussed - m.deferred - m.withdrawn - m.not_reached
    rows = [
        ("discussed", "Discussed", m.discussed),
        ("deferred", "Deferred", m.deferred),
        ("withdrawn", "Withdrawn", m.withdrawn),
        ("not_reached", "Not reached", m.not_reached),
    ]
    if awaiting > 0:
        rows.append(("awaiting", "Meeting not yet held", awaiting))
    return rows


def implementation_counts(m: Metrics) -> list[tuple[str, str, int]]:
    return [
        ("implemented", "Implemented", m.implemented),
        ("partly", "Partly implemented", m.partly_implemented),
        ("not", "Not implemented", m.not_implemented),
        ("pending", "Follow-up pending", m.implementation_pending),
    ]


#: the charts' shorter category names (the tables beside them say it in full)
CHART_NAMES = {
    "not_reached": "Not\nreached",
    "awaiting": "Not yet\nheld",
    "partly": "Partly",
    "not": "Not",
    "pending": "Pending",
}


def _share(n: int, whole: int) -> str:
    return percent(n / whole if whole else None)


def _chart_or_nothing(
    rows: Sequence[tuple[str, str, int]], fills: dict[str, Any], width: float, lk: _Look, what: str
) -> Flowable:
    if not any(n for _, _, n in rows):
        return para(f"No {what} in the period: nothing to chart.", lk.small)
    names = [CHART_NAMES.get(key, label) for key, label, _ in rows]
    return count_chart(names, [n for _, _, n in rows], [fills[k] for k, _, _ in rows], width)


def _cases_and_decisions(m: Metrics, lk: _Look) -> list[Flowable]:
    half = (WIDTH - 8 * mm) / 2
    outcomes = outcome_counts(m)
    impl = implementation_counts(m)
    out_rows = [["Outcome", "Cases", "Share"]] + [
        [label, str(n), _share(n, m.cases_listed)] for _, label, n in outcomes
    ]
    out_rows.append(["Listed", str(m.cases_listed), _share(m.cases_listed, m.cases_listed)])
    impl_rows = [["Follow-up", "Decisions", "Share"]] + [
        [label, str(n), _share(n, m.decisions_signed)] for _, label, n in impl
    ]
    impl_rows.append(
        ["Signed off", str(m.decisions_signed), _share(m.decisions_signed, m.decisions_signed)]
    )
    widths = [half - 34 * mm, 17 * mm, 17 * mm]
    left = [
        para("Case outcomes per status", lk.caption),
        _chart_or_nothing(outcomes, OUTCOME_COLOURS, half, lk, "cases listed"),
        Spacer(1, 2 * mm),
        _numbers(out_rows, widths, bold_rows=(len(out_rows) - 1,)),
        para("Share of the cases listed on the period's meetings.", lk.small),
    ]
    right = [
        para("Decision implementation", lk.caption),
        _chart_or_nothing(impl, IMPLEMENTATION_COLOURS, half, lk, "decisions signed off"),
        Spacer(1, 2 * mm),
        _numbers(impl_rows, widths, bold_rows=(len(impl_rows) - 1,)),
        para(
            "Share of the signed-off decisions. Implemented as decided: "
            f"{percent(m.implemented_rate)} of those whose follow-up is complete.",
            lk.small,
        ),
    ]
    t = _side_by_side(left, right, half + 8 * mm)
    return [para("Cases and decisions", lk.h2), t]


def _attendance(m: Metrics, lk: _Look) -> list[Flowable]:
    shown = [r for r in m.by_role if r.expected or r.role in REQUIRED]
    charted = [r for r in shown if r.rate is not None]
    story: list[Flowable] = [para("Attendance by specialty", lk.h2)]
    rows = [["Specialty", "Present / expected", "Rate"]]
    rows += [
        [
            r.label + (" *" if r.role in REQUIRED else ""),
            f"{r.present} / {r.expected}",
            percent(r.rate),
        ]
        for r in shown
    ]
    side = WIDTH - RATE_CHART_W - 4 * mm
    table = _numbers(rows, [side - 42 * mm, 27 * mm, 15 * mm])
    note = para(
        "* a required specialty (one of the five core roles). Expected: one place per "
        "team member per held meeting; guests are not counted for or against a role.",
        lk.small,
    )
    if charted:
        chart: Flowable = rate_chart(
            [r.label for r in charted],
            [r.rate for r in charted if r.rate is not None],
            [r.role in REQUIRED for r in charted],
        )
    else:
        chart = para("No attendance was recorded at a held meeting in the period.", lk.small)
    story.append(_side_by_side([chart], [table, Spacer(1, 1.5 * mm), note], RATE_CHART_W + 4 * mm))
    return story


def _accreditation(m: Metrics, lk: _Look) -> list[Flowable]:
    story: list[Flowable] = [
        para("Accreditation — CoC Standard 2.5 and NAPBC Standard 1.2", lk.h2),
        para(
            "Laid out as the Commission on Cancer Standard 2.5 (multidisciplinary cancer case "
            "conference) and the NAPBC Standard 1.2 (interdisciplinary cancer conference) ask "
            "the cancer committee to monitor: the cases presented, the share presented "
            "prospectively, and the attendance of the required specialties.",
            lk.cell,
        ),
        Spacer(1, 2 * mm),
        para("Cases presented", lk.h3),
    ]
    presented = [
        ["Measure", "Figure"],
        ["Case conferences held", f"{m.meetings_held} of {m.meetings} scheduled"],
        ["Cases presented (discussed)", str(m.discussed)],
        [
            "Presented prospectively",
            part_of(m.prospective, m.discussed, m.prospective_rate),
        ],
        [
            "Conferences with every required specialty",
            part_of(m.meetings_quorate, m.meetings_held, m.quorum_rate),
        ],
    ]
    story.append(_numbers(presented, [100 * mm, WIDTH - 100 * mm]))
    story.append(
        para("Prospective: discussed before any treatment for the case had started.", lk.small)
    )
    story.append(para("Attendance of the required specialties", lk.h3))
    by_role = {r.role: r for r in m.by_role}
    rows = [["Required specialty", "Present", "Expected", "Rate", "Conferences attended"]]
    for role in CORE_ROLES:
        r = by_role.get(role.value)
        if r is None:
            rows.append([role.label, "0", "0", NONE, f"0 of {m.meetings_held}"])
            continue
        rows.append(
            [
                r.label,
                str(r.present),
                str(r.expected),
                percent(r.rate),
                f"{r.meetings_with_role} of {m.meetings_held}",
            ]
        )
    story.append(_numbers(rows, [62 * mm, 22 * mm, 22 * mm, 22 * mm, WIDTH - 128 * mm]))
    story.append(
        para(
            "Present / expected places (one per team member per held conference); conferences "
            "attended: held conferences at which at least one member of the specialty was "
            "present.",
            lk.small,
        )
    )
    return story


def qs56_rows(mscc: MsccMeasures) -> list[tuple[str, str]]:
    """The QS56 section as (measure, result) — the text printed."""
    return [
        ("Suspected-MSCC cases discussed", str(mscc.cases)),
        (
            "MRI within 24 h of the suspicion (statement 3)",
            timed(mscc.mri_within_24h, mscc.mri_timed, mscc.mri_rate),
        ),
        (
            "Plan within 24 h of the suspicion (statement 3)",
            timed(mscc.plan_within_24h, mscc.plan_timed, mscc.plan_rate),
        ),
        (
            "Radiotherapy (no surgery) within 24 h of the decision (statement 6)",
            timed(mscc.treatment_within_24h, mscc.treatment_timed, mscc.treatment_rate),
        ),
    ]


def _qs56(m: Metrics, lk: _Look) -> list[Flowable]:
    rows = [["Measure", "Result"], *[list(r) for r in qs56_rows(m.mscc)]]
    return [
        para("NICE QS56 — MSCC", lk.h2),
        para(
            "NICE quality standard QS56 (metastatic spinal cord compression in adults) for the "
            "cases with a suspected MSCC (urgency MSCC) discussed in the period. A clock is "
            "timed only when both of its times are recorded; a case without them is not "
            "counted for or against the standard.",
            lk.cell,
        ),
        Spacer(1, 2 * mm),
        _numbers(rows, [100 * mm, WIDTH - 100 * mm], right_from=2),
    ]


def _people(m: Metrics, lk: _Look) -> list[Flowable]:
    if not m.by_person:
        return []
    order = {r.value: n for n, r in enumerate(Role)}
    people = sorted(m.by_person, key=lambda p: (order.get(p.role, len(order)), p.name))
    rows = [["Member", "Role", "Present / listed", "Rate"]]
    for p in people:
        label = Role(p.role).label if p.role in order else p.role
        rows.append([p.name, label, f"{p.present} / {p.listed}", percent(p.rate)])
    return [
        para("Attendance by member", lk.h2),
        _numbers(rows, [70 * mm, 54 * mm, 30 * mm, WIDTH - 154 * mm], right_from=2),
    ]


DEFINITIONS = (
    (
        "Held, quorate",
        "a meeting in progress or closed is held; it is quorate when the five core roles "
        "(spine surgeon, medical oncologist, clinical/radiation oncologist, radiologist, "
        "pathologist) were each present.",
    ),
    (
        "Cases",
        "one per agenda item; relisted: brought back from an earlier meeting; not reached: "
        "still listed on a meeting that was held.",
    ),
    (
        "Implementation",
        "implemented: every planned treatment started or completed (or none was "
        "planned); partly: some given, "
        "some not; not implemented: none given; pending: a planned treatment without a "
        "settled follow-up status. The implemented rate counts only complete follow-up.",
    ),
    (
        "Median, 90th percentile",
        "the median is the middle value, or the mean of the two middle values; the 90th "
        "percentile is the nearest rank, the value at rank ⌈0.9 n⌉. A duration from a "
        "date (a treatment's start) counts that date as midnight UTC.",
    ),
)


def _definitions(lk: _Look) -> list[Flowable]:
    rows = [[para(k, lk.bold), para(v, lk.cell)] for k, v in DEFINITIONS]
    t = Table(rows, colWidths=[38 * mm, WIDTH - 38 * mm])
    t.setStyle(_table_style(("VALIGN", (0, 0), (-1, -1), "TOP"), header=False))
    return [para("How the figures are counted", lk.h2), t]


def build_audit_report(
    m: Metrics, out: Path, *, organisation: Sequence[str] = (), demo: bool = False
) -> Path:
    """Write the audit report of ``m`` to ``out`` (complete or not at all)."""
    lk = _Look()
    story: list[Flowable] = []
    story += _opening(m, lk, organisation, demo)
    story += [para("Key figures", lk.h2), _key_table(m, lk)]
    story += [KeepTogether(_attendance(m, lk))]
    story += [KeepTogether(_cases_and_decisions(m, lk))]
    story += [KeepTogether(_accreditation(m, lk))]
    story += [KeepTogether(_qs56(m, lk))]
    story += _people(m, lk)
    story += [KeepTogether(_definitions(lk))]
    header = f"{TITLE} — {m.start:%d %b %Y} to {m.end:%d %b %Y}"
    if demo:
        header += f" — {DEMO_NOTICE}"
    return build_pdf(
        out,
        title=TITLE,
        header=header,
        story=story,
        draft=False,
        subject=f"MDT audit report, {m.start.isoformat()} to {m.end.isoformat()} "
        "(decision-support audit data)",
    )
