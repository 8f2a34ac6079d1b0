"""The outcome summary as mdtboard laid it out before issue 18 (commit 91e2ae8), frozen.

A verbatim copy of that commit's summary code (its agenda and letter code left out),
kept only so that a test can build the old layout and the new one from the same
meeting and check that the new one still carries every value the old one printed.
Not used by the application; do not edit except to keep it importable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mdtboard.domain import levels as spine
from mdtboard.domain import staging, treatments
from mdtboard.domain.scores import TOOLS, conversion_note, describe_band, evaluate
from mdtboard.domain.vocab import AttendanceStatus, Intent, Role, Urgency
from mdtboard.reports.common import (
    FONT,
    FONT_BOLD,
    Cancelled,
    Progress,
    Styles,
    build_pdf,
    checkpoint,
    esc,
    para,
)
from mdtboard.services.decisions import DecisionView
from mdtboard.services.meetings import MeetingSummary
from mdtboard.services.pathway import PathwayStatus
from mdtboard.services.summaries import CaseReport, MeetingReport, ScoreLine

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


class SpineDiagram(Flowable):  # type: ignore[misc]
    """30 small vertebrae, C1 at the top; involved levels filled and labelled.

    Each distinct set of levels is drawn once per PDF as a form XObject and reused.
    """

    def __init__(self, involved: Sequence[str]) -> None:
        super().__init__()
        self.involved = tuple(involved)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 28 * mm, SPINE_HEIGHT

    def draw(self) -> None:
        canv = self.canv
        name = "spine_" + ("_".join(self.involved) or "none")
        made: set[str] = canv.__dict__.setdefault("_mdt_spine_forms", set())
        if name not in made:
            canv.beginForm(name)
            self._paint(canv)
            canv.endForm()
            made.add(name)
        canv.doForm(name)

    def _paint(self, canv: Any) -> None:
        chosen = set(self.involved)
        canv.setLineWidth(0.3)
        canv.setStrokeColor(colors.HexColor("#5b6b80"))
        for n, level in enumerate(spine.LEVELS):
            y = SPINE_HEIGHT - (n + 1) * (SPINE_BOX_H + SPINE_GAP)
            on = level in chosen
            canv.setFillColor(colors.HexColor("#b3261e") if on else colors.HexColor("#e6ecf3"))
            canv.roundRect(8 * mm, y, SPINE_BOX_W, SPINE_BOX_H, 0.6 * mm, stroke=1, fill=1)
            if on or level in LANDMARKS:
                canv.setFillColor(colors.black)
                canv.setFont(FONT_BOLD if on else FONT, 5.5)
                canv.drawString(18.5 * mm, y + 0.35 * mm, level)


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
        value = line.answers.get(item.key)
        if value is None:
            answer = "— not answered —"
        elif item.kind == "choice":
            opt = item.option(str(value))
            answer = opt.label if opt else str(value)
        else:
            answer = (
                f"{value:g} {item.unit}".strip() if isinstance(value, int | float) else str(value)
            )
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


# --- agenda -----------------------------------------------------------------------


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


# --- summary -----------------------------------------------------------------------


def _decision_block(c: CaseReport, st: Styles) -> list[Flowable]:
    d = c.decision
    if d is None:
        return [para("No decision recorded.", st.warn)]
    out: list[Flowable] = []
    if d.status == "draft":
        out.append(para("DRAFT — not signed off", st.warn))
    data = d.data
    mods = (
        "<br/>".join(
            f"{n}. {esc(treatments.describe_modality(m.kind, dict(m.details)))}"
            for n, m in enumerate(data.modalities, start=1)
        )
        or "—"
    )
    pathway = (
        (
            "Primary-tumour pathway",
            "NOMS does not apply to a primary tumour (§9.4): Enneking stage and WBB zones "
            "recorded per lesion — decision support for the MDT",
        )
        if c.is_primary
        else ("NOMS suggestion", f"{_noms_label(data.noms_band)} — decision support for the MDT")
    )
    rows: list[tuple[str, Any]] = [
        pathway,
        ("Intent", _label(Intent, data.intent) or "—"),
        ("Consensus plan", data.plan_text or "—"),
        ("Modalities", Paragraph(mods, st.cell)),
        ("Rationale", data.rationale or "—"),
        ("Dissent", f"{data.dissent} ({data.dissent_by})" if data.dissent else "None recorded"),
        ("Patient preferences", data.patient_preferences or "—"),
        ("Patient informed", "Yes" if data.patient_informed else "Not yet"),
        ("Clinical trial", data.clinical_trial or "—"),
        ("Sign-off", _signoff_text(d)),
    ]
    out.append(_kv(rows, st))
    if d.quorate is False:
        out.append(para("Decision taken while the meeting was NOT QUORATE.", st.warn))
    if data.actions:
        arows = [[para(h, st.cell_bold) for h in ("Action", "Owner", "Due", "Done")]]
        for a in data.actions:
            arows.append(
                [
                    cell(a.description, st.cell, 84 * mm),
                    cell(a.owner, st.cell, 50 * mm),
                    a.due_date.strftime("%d/%m/%Y") if a.due_date else "—",
                    "yes" if a.done_at else "",
                ]
            )
        t = Table(arows, colWidths=[84 * mm, 50 * mm, 24 * mm, 16 * mm], repeatRows=1)
        t.setStyle(GRID)
        out += [Spacer(1, 3), t]
    earlier = [r for r in c.revisions if r.id != d.id]
    if earlier:
        out.append(para("Amendment history", st.h3))
        for r in earlier:
            out.append(
                para(
                    f"Revision {r.revision} ({r.status}), signed off by "
                    f"{r.signed_off_by or '—'} {_local(r.signed_off_at)}: {r.data.plan_text}",
                    st.small,
                )
            )
        out.append(
            para(
                f"Current revision {d.revision}: amended by {d.signed_off_by} "
                f"{_local(d.signed_off_at)} — reason: {d.amendment_reason}",
                st.small,
            )
        )
    return out


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


def _case_section(c: CaseReport, st: Styles, today: date) -> list[Flowable]:
    p = c.patient
    biopsy = (
        f"Pathology available ({c.pathology_date:%d/%m/%Y})"
        if c.pathology_available and c.pathology_date
        else "Pathology available"
        if c.pathology_available
        else f"Biopsy deferred after MDT discussion: {c.biopsy_deferral_rationale}"
        if c.biopsy_deferral_rationale
        else "Awaited"
    )
    fields = [
        (
            "Patient",
            f"{p.display_name} — MRN {p.mrn}"
            + (f" — national number {p.national_number}" if p.national_number else ""),
        ),
        ("Date of birth", f"{p.date_of_birth:%d/%m/%Y} (age {_age(p.date_of_birth, today)})"),
        ("Urgency", _label(Urgency, c.urgency)),
        ("Question for the MDT", c.question),
        ("Histology", f"{c.histology_label} ({c.disease_kind}, {c.compartment})"),
        ("Biopsy / pathology", biopsy),
        ("Spinal levels", c.levels_text or "—"),
        ("Neurology", c.neuro_status or "not recorded"),
    ]
    if c.pathway is not None:
        fields.append(("MSCC clocks (QS56)", _clock_text(c.pathway)))
    # Beside the spine diagram the table cannot break across pages: long texts go below
    # it, full width, where they can.
    beside = [(k, v) for k, v in fields if len(v) <= LONG_FIELD]
    below = [(k, v) for k, v in fields if len(v) > LONG_FIELD]
    top = Table(
        [[_kv(beside, st, 36 * mm), SpineDiagram(c.levels)]],
        colWidths=[WIDTH - 30 * mm, 30 * mm],
    )
    top.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    head = para(f"{c.position}. {p.display_name} — MRN {p.mrn}", st.h2)
    story: list[Flowable] = [KeepTogether([head, top])]
    if below:
        story.append(_kv(below, st, 36 * mm))
    if c.scores:
        story.append(para("Scores", st.h3))
        for line in c.scores:
            story.append(KeepTogether(_score_table(line, st)))
    story.append(para("Decision", st.h3))
    story += _decision_block(c, st)
    return story


def is_draft(report: MeetingReport) -> bool:
    return any(c.decision is not None and c.decision.status == "draft" for c in report.cases)


def build_summary(
    report: MeetingReport,
    out: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    st = Styles()
    m = report.meeting
    today = report.generated_at.date()
    discussed = [
        c
        for c in report.cases
        if c.agenda_status == "discussed"
        or (c.decision is not None and c.agenda_status == "listed")
    ]
    deferred = [c for c in report.cases if c.agenda_status in ("deferred", "withdrawn")]
    undiscussed = [c for c in report.cases if c.agenda_status == "listed" and c.decision is None]
    q = report.quorum
    story: list[Flowable] = [
        para("MDT meeting outcome summary", st.title),
        _kv(
            [
                *_meeting_rows(m),
                ("Quorum", q.text()),
                (
                    "Cases",
                    f"{len(discussed)} discussed, {len(deferred)} deferred or withdrawn, "
                    f"{len(undiscussed)} undiscussed",
                ),
            ],
            st,
        ),
        para("Attendance", st.h2),
        _attendees(report, st, with_status=True),
    ]
    if not q.quorate:
        story.append(para("The meeting was not quorate: decisions are flagged.", st.warn))
    total = len(discussed)
    for n, c in enumerate(discussed, start=1):
        story += [PageBreak() if n == 1 else Spacer(1, 10), *checkpoint(cancelled)]
        story += _case_section(c, st, today)
        if progress:
            progress(n, total)
    story.append(para("Deferred and withdrawn cases", st.h2))
    story.append(_reason_table(deferred, st, "No case was deferred or withdrawn."))
    story.append(para("Undiscussed cases", st.h2))
    story.append(_reason_table(undiscussed, st, "Every listed case was discussed."))
    header = f"Outcome summary — {_meeting_name(m)}"
    return build_pdf(
        out,
        title=f"Outcome summary: {m.title}",
        header=header,
        story=story,
        draft=is_draft(report),
        cancelled=cancelled,
        generated_at=report.generated_at,
    )


def _reason_table(cases: Sequence[CaseReport], st: Styles, empty: str) -> Flowable:
    if not cases:
        return para(empty, st.body)
    rows = [[para(h, st.cell_bold) for h in ("#", "Patient", "Status", "Reason")]]
    for c in cases:
        rows.append(
            [
                str(c.position),
                cell(f"{c.patient.display_name}, MRN {c.patient.mrn}", st.cell, 60 * mm),
                c.agenda_status if c.agenda_status != "listed" else "undiscussed",
                cell(c.agenda_reason or "not reached at the meeting", st.cell, 80 * mm),
            ]
        )
    t = Table(rows, colWidths=[8 * mm, 60 * mm, 26 * mm, 80 * mm], repeatRows=1)
    t.setStyle(GRID)
    return t
