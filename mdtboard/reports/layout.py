"""Building blocks shared by the documents: table styles, wrapped cells, key–value
tables, the spine diagram, the item-by-item score tables and the texts of clocks,
NOMS suggestions and sign-offs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from mdtboard.domain import levels as spine
from mdtboard.domain import staging
from mdtboard.domain.scores import TOOLS, conversion_note, describe_band, evaluate
from mdtboard.domain.vocab import AttendanceStatus, Role
from mdtboard.reports.common import FONT, FONT_BOLD, Styles, esc, para
from mdtboard.services.decisions import DecisionView
from mdtboard.services.meetings import MeetingSummary
from mdtboard.services.pathway import PathwayStatus
from mdtboard.services.summaries import MeetingReport, ScoreLine

GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b8")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)
KV = TableStyle(
    [
        ("FONTNAME", (0, 0), (0, -1), FONT_BOLD),
        ("FONTNAME", (1, 0), (1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 10),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ]
)
WIDTH = 174 * mm


def _local(dt: Any) -> str:
    return dt.astimezone().strftime("%a %d %b %Y %H:%M") if dt else ""


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _label(enum_cls: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(enum_cls(value).label)
    except ValueError:
        return value


class PlainText(Flowable):  # type: ignore[misc]
    """Wrapped plain text (no markup): what most table cells need, at a fraction of the
    cost of a Paragraph, which parses markup first."""

    def __init__(self, text: str, style: Any) -> None:
        super().__init__()
        self.text = text
        self.font, self.size, self.leading = style.fontName, style.fontSize, style.leading
        self.lines: list[str] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.lines = [
            line
            for chunk in self.text.split("\n")
            for line in (simpleSplit(chunk, self.font, self.size, availWidth) or [""])
        ]
        self.width = availWidth
        return availWidth, len(self.lines) * self.leading

    def draw(self) -> None:
        canv = self.canv
        canv.setFont(self.font, self.size)
        y = len(self.lines) * self.leading - self.size
        for line in self.lines:
            canv.drawString(0, y, line)
            y -= self.leading


def cell(value: object, style: Any, width: float) -> Any:
    """A plain string when it fits on one line, else wrapped plain text: both far cheaper
    to lay out than a Paragraph."""
    text = "" if value is None else str(value)
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) < width - 8:
        return text
    return PlainText(text, style)


#: lines of a long text per table row: a row must fit on a page, so a long text is
#: laid out as several rows (only the first names the field), which break across pages
LINES_PER_ROW = 12


def _kv(rows: Iterable[tuple[str, Any]], st: Styles, key_width: float = 42 * mm) -> Table:
    data: list[list[Any]] = []
    for k, v in rows:
        if isinstance(v, Flowable):
            data.append([cell(k, st.cell_bold, key_width), v])
            continue
        value_width = WIDTH - key_width
        for n, part in enumerate(_row_parts(v, st.cell, value_width)):
            key = k if n == 0 else ""
            data.append([cell(key, st.cell_bold, key_width), cell(part, st.cell, value_width)])
    t = Table(data, colWidths=[key_width, WIDTH - key_width])
    t.setStyle(KV)
    return t


def _row_parts(value: object, style: Any, width: float) -> list[str]:
    """A text as it will be wrapped, in pieces of at most LINES_PER_ROW lines: a plan of
    several pages becomes several rows, which break across pages like any others."""
    text = "" if value is None else str(value)
    if len(text) < 600:
        return [text]
    lines = [
        line
        for chunk in text.split("\n")
        for line in (simpleSplit(chunk, style.fontName, style.fontSize, width - 8) or [""])
    ]
    return ["\n".join(lines[i : i + LINES_PER_ROW]) for i in range(0, len(lines), LINES_PER_ROW)]


# --- spine diagram ----------------------------------------------------------------


SPINE_BOX_W, SPINE_BOX_H, SPINE_GAP = 9 * mm, 2.2 * mm, 0.45 * mm
SPINE_HEIGHT = len(spine.LEVELS) * (SPINE_BOX_H + SPINE_GAP) + 4
LANDMARKS = frozenset({"C1", "T1", "L1", "S1", "Co"})


def _neighbours(n: int) -> set[str]:
    return {spine.LEVELS[i] for i in (n - 1, n + 1) if 0 <= i < len(spine.LEVELS)}


class SpineDiagram(Flowable):  # type: ignore[misc]
    """30 small vertebrae, C1 at the top; involved levels filled and labelled.

    Each distinct set of levels is drawn once per PDF as a form XObject and reused.
    ``compact`` draws flatter vertebrae (the summary's case blocks), same labels.
    """

    def __init__(self, involved: Sequence[str], *, compact: bool = False) -> None:
        super().__init__()
        self.involved = tuple(involved)
        self.compact = compact
        self.box_h, self.gap = (1.2 * mm, 0.28 * mm) if compact else (SPINE_BOX_H, SPINE_GAP)
        self.height = len(spine.LEVELS) * (self.box_h + self.gap) + 4

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (24 if self.compact else 28) * mm, self.height

    def draw(self) -> None:
        canv = self.canv
        name = ("spinec_" if self.compact else "spine_") + ("_".join(self.involved) or "none")
        made: set[str] = canv.__dict__.setdefault("_mdt_spine_forms", set())
        if name not in made:
            canv.beginForm(name)
            self._paint(canv)
            canv.endForm()
            made.add(name)
        canv.doForm(name)

    def _paint(self, canv: Any) -> None:
        chosen = set(self.involved)
        left = 4 * mm if self.compact else 8 * mm
        font_size, raise_by, radius = (
            (4.6, 0.1 * mm, 0.4 * mm) if self.compact else (5.5, 0.35 * mm, 0.6 * mm)
        )
        canv.setLineWidth(0.3)
        canv.setStrokeColor(colors.HexColor("#5b6b80"))
        for n, level in enumerate(spine.LEVELS):
            y = self.height - (n + 1) * (self.box_h + self.gap)
            on = level in chosen
            canv.setFillColor(colors.HexColor("#b3261e") if on else colors.HexColor("#e6ecf3"))
            canv.roundRect(left, y, SPINE_BOX_W, self.box_h, radius, stroke=1, fill=1)
            if on or level in LANDMARKS:
                canv.setFillColor(colors.black)
                canv.setFont(FONT_BOLD if on else FONT, font_size)
                # in a compact diagram a landmark next to an involved level would touch
                # that level's label: it moves to the other side of the vertebrae
                if self.compact and not on and _neighbours(n) & chosen:
                    canv.drawRightString(left - 1 * mm, y + raise_by, level)
                else:
                    canv.drawString(left + SPINE_BOX_W + 1.5 * mm, y + raise_by, level)


# --- scores -----------------------------------------------------------------------


def _staging_table(line: ScoreLine, st: Styles) -> list[Flowable]:
    """A primary tumour's staging record (§12): stage, WBB zones and layers, en bloc."""
    answers = dict(line.answers)
    stage = staging.STAGES.get(str(answers.get("enneking", "")))
    result = staging.evaluate_staging(answers)
    layers = dict(staging.LAYERS)
    rows = [
        ("Enneking stage (§12.1)", stage.label if stage else "— not recorded —"),
        ("WBB zones (§12.2)", ", ".join(str(z) for z in answers.get("zones", [])) or "—"),
        (
            "WBB layers",
            "; ".join(f"{k} {layers[k]}" for k in answers.get("layers", [])) or "—",
        ),
        ("En bloc resection", dict(staging.EN_BLOC).get(str(answers.get("en_bloc")), "—")),
        ("Typical reading (support)", "; or ".join(result.readings) or "—"),
    ]
    if answers.get("note"):
        rows.append(("Note", str(answers["note"])))
    rows.extend(("Check", w) for w in result.warnings)
    rows.append(("Staging systems", staging.CITATION))
    title = "Primary-tumour staging" + (f" ({line.subject})" if line.subject else "")
    by = f"entered by {line.entered_by}, {_local(line.entered_at)}"
    heading = Paragraph(
        f"<b>{esc(title)}</b> <font size=7 color='#5b6b80'>{esc(by)}</font>", st.cell
    )
    return [heading, _kv(rows, st, 44 * mm), Spacer(1, 3)]


def answer_text(item: Any, value: object) -> str:
    """A score item's answer as printed: the option's label, a number with its unit, or
    "— not answered —"."""
    if value is None:
        return "— not answered —"
    if item.kind == "choice":
        opt = item.option(str(value))
        return opt.label if opt else str(value)
    if isinstance(value, int | float):
        return f"{value:g} {item.unit}".strip()
    return str(value)


def _score_table(line: ScoreLine, st: Styles) -> list[Flowable]:
    if line.tool_id == staging.TOOL_ID:
        return _staging_table(line, st)
    tool = TOOLS.get(line.tool_id)
    title = tool.label if tool else line.tool_id
    if line.subject:
        title += f" ({line.subject})"
    if tool is None:
        return [para(f"{title}: {dict(line.answers)}", st.cell)]
    try:
        result = evaluate(line.tool_id, line.answers)
        points = dict(result.item_points)
    except ValueError:
        points = {}
    rows = [
        [para("Item", st.cell_bold), para("Answer", st.cell_bold), para("Points", st.cell_bold)]
    ]
    for item in tool.items:
        answer = answer_text(item, line.answers.get(item.key))
        shown = points.get(item.key)
        rows.append(
            [
                cell(item.label, st.cell, 60 * mm),
                cell(answer, st.cell, 94 * mm),
                "" if shown is None else str(shown),
            ]
        )
    if line.complete:
        total = f"Total {line.total} — " if line.total is not None else ""
        summary = f"{total}{describe_band(line.tool_id, line.band)}"
        if note := conversion_note(line.tool_id, line.total):
            summary += f" ({note})"
    else:
        summary = "Incomplete"
    rows.append([para("Result", st.cell_bold), para(summary, st.cell_bold), para("", st.cell)])
    t = Table(rows, colWidths=[60 * mm, 94 * mm, 20 * mm])
    t.setStyle(GRID)
    by = f"entered by {line.entered_by}, {_local(line.entered_at)}"
    heading = Paragraph(
        f"<b>{esc(title)}</b> <font size=7 color='#5b6b80'>{esc(by)}</font>", st.cell
    )
    return [heading, t, Spacer(1, 3)]


# --- meetings ---------------------------------------------------------------------


def _attendees(report: MeetingReport, st: Styles, *, with_status: bool) -> Table:
    rows = [
        [para("Role", st.cell_bold), para("Name", st.cell_bold)]
        + ([para("Attendance", st.cell_bold)] if with_status else [])
    ]
    for a in sorted(report.attendance, key=lambda a: (list(Role).index(Role(a.role)), a.name)):
        row = [Role(a.role).label, a.name]
        if with_status:
            row.append(_label(AttendanceStatus, a.status))
        rows.append(row)
    widths = [60 * mm, 80 * mm, 34 * mm] if with_status else [70 * mm, 104 * mm]
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(GRID)
    return t


def _meeting_name(m: MeetingSummary) -> str:
    day = m.starts_at.astimezone().strftime("%d %b %Y")
    return m.title if day in m.title else f"{m.title} — {day}"


def _meeting_rows(m: MeetingSummary) -> list[tuple[str, Any]]:
    return [
        ("Meeting", m.title),
        ("Date and time", f"{_local(m.starts_at)} (UTC {m.starts_at:%Y-%m-%d %H:%M})"),
        ("Place", m.location or "—"),
        ("Video link", m.video_link or "—"),
        ("Chair", m.chair or "—"),
    ]


def _clock_text(p: PathwayStatus) -> str:
    """The pathway's clocks as documents print them: one line each, MRI → plan as
    information only."""
    lines = [
        "Suspected MSCC" if p.suspected_mscc else "Known cancer with spinal pain (1 week)",
        *p.clock_lines(),
    ]
    if info := p.mri_to_plan_line():
        lines.append(info)
    if p.suspicion_from_referral:
        lines.append("(suspicion time not recorded: counted from the referral)")
    return "\n".join(lines)


def _noms_label(band: str | None) -> str:
    if not band:
        return "not available"
    decl = TOOLS["noms"].band(band)
    return decl.label if decl else band


def _signoff_text(d: DecisionView) -> str:
    if d.status == "draft":
        return "Not signed off (DRAFT)"
    text = f"Signed off by {d.signed_off_by} at {_local(d.signed_off_at)}"
    if d.status == "amended":
        text += " — superseded by a later amendment"
    elif d.revision > 1:
        text += f" (amendment, revision {d.revision})"
    return text


#: characters beyond which a case's field is laid out below the spine diagram
LONG_FIELD = 600


# --- scores one line each -----------------------------------------------------------

#: the order scores are shown in: compression and stability, performance, neurology,
#: then the prognostic scores; anything else after them
SCORE_ORDER = (
    "escc",
    "sins",
    "kps",
    "ecog",
    "frankel",
    "asia",
    "mccormick",
    "tokuhashi_revised",
    "tomita",
    "bauer_modified",
    "nesms",
    "noms",
    staging.TOOL_ID,
)


def ordered_scores(scores: Sequence[ScoreLine]) -> list[ScoreLine]:
    def key(s: ScoreLine) -> tuple[int, str, int]:
        rank = SCORE_ORDER.index(s.tool_id) if s.tool_id in SCORE_ORDER else len(SCORE_ORDER)
        return rank, s.subject, s.id

    return sorted(scores, key=key)


def score_key(line: ScoreLine) -> str:
    tool = TOOLS.get(line.tool_id)
    name = (
        "Staging" if line.tool_id == staging.TOOL_ID else tool.short_label if tool else line.tool_id
    )
    return f"{name} ({line.subject})" if line.subject else name


def staging_line(line: ScoreLine) -> str:
    answers = dict(line.answers)
    stage = staging.STAGES.get(str(answers.get("enneking", "")))
    result = staging.evaluate_staging(answers)
    zones = ", ".join(str(z) for z in answers.get("zones", [])) or "—"
    parts = [
        f"Enneking stage (§12.1) {stage.label if stage else '— not recorded —'}",
        f"WBB zones (§12.2) {zones}",
    ]
    if result.readings:
        parts.append("typical reading (support): " + "; or ".join(result.readings))
    return "; ".join(parts)


def score_value(line: ScoreLine) -> str:
    """One score as one line: its total or grade, and the engine's band words."""
    if line.tool_id == staging.TOOL_ID:
        return staging_line(line)
    tool = TOOLS.get(line.tool_id)
    if tool is None:
        return str(dict(line.answers))
    if not line.complete:
        return "Incomplete (see the appendix)"
    band = describe_band(line.tool_id, line.band)
    if line.total is not None:
        text = f"{line.total} — {band}" if band else str(line.total)
        if note := conversion_note(line.tool_id, line.total):
            text += f" ({note})"
        return text
    if tool.kind == "grade" and tool.items:
        item = tool.items[0]
        grade = str(line.answers.get(item.key, ""))
        opt = item.option(grade)
        if opt is not None and band.upper() == grade.upper():
            return str(opt.label)  # e.g. Frankel "E — recovery: normal motor …"
        return f"{grade} — {band}" if grade else band
    return band
