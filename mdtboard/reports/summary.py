"""The meeting outcome summary, compact (issue 18).

Page 1: the meeting, its quorum and attendance by role, and an index with one row per
case. Then one block per discussed case: the decision first, then the key facts and
the scores one line each, in a fixed clinical order, beside the spine diagram. Each
score item by item, as entered, is kept for the record in an appendix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

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
from mdtboard.reports.layout import (
    WIDTH,
    SpineDiagram,
    _age,
    _clock_text,
    _label,
    _local,
    _meeting_name,
    _noms_label,
    _row_parts,
    _signoff_text,
    answer_text,
    cell,
    ordered_scores,
    score_key,
    score_value,
)
from mdtboard.services.decisions import AttendanceView
from mdtboard.services.summaries import CaseReport, MeetingReport, ScoreLine

#: characters of a plan shown in the index (no modalities recorded)
INDEX_OUTCOME = 90
#: characters beyond which a case's field is laid out below the spine diagram
LONG_FIELD = 600
KEY_W, KEY_W2 = 37 * mm, 30 * mm
SPINE_W = 24 * mm
LINE = colors.HexColor("#d5dce5")
HEAD_BG = colors.HexColor("#e6ecf3")
BLUE = colors.HexColor("#1f3a5f")

#: a field: (key, value) on its own row, or two of them side by side
Field = tuple[str, Any]
Row = Field | tuple[Field, Field]


class Compact:
    """The summary's own smaller styles, derived from the documents' styles."""

    def __init__(self, st: Styles) -> None:
        self.st = st
        self.cell = ParagraphStyle("scell", parent=st.cell, fontSize=7.8, leading=9.4)
        self.bold = ParagraphStyle("scellb", parent=self.cell, fontName=FONT_BOLD)
        self.small = ParagraphStyle("ssmall", parent=st.cell, fontSize=6.9, leading=8.3)
        self.case = ParagraphStyle(
            "scase",
            parent=st.h2,
            fontSize=10.5,
            leading=13,
            spaceBefore=0,
            spaceAfter=1,
            keepWithNext=1,
        )
        self.section = ParagraphStyle(
            "ssection",
            parent=st.h3,
            fontSize=8.5,
            leading=10.5,
            spaceBefore=3,
            spaceAfter=1,
            textColor=BLUE,
            keepWithNext=1,
        )
        self.status = ParagraphStyle(
            "sstatus", parent=self.bold, textColor=BLUE, alignment=TA_RIGHT
        )
        self.h2 = ParagraphStyle("sh2", parent=st.h2, spaceBefore=8, keepWithNext=1)


_FLUSH = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
)


def _grid_style(rows: Sequence[Row], size: float = 7.8, leading: float = 9.4) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTNAME", (0, 0), (0, -1), FONT_BOLD),
        ("FONTNAME", (2, 0), (2, -1), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.9),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
    ]
    for r, row in enumerate(rows):
        if not isinstance(row[0], tuple):
            cmds.append(("SPAN", (1, r), (3, r)))
    return TableStyle(cmds)


def _fits(v: Any, cs: Compact, width: float) -> bool:
    text = str(v)
    return "\n" not in text and stringWidth(text, cs.cell.fontName, cs.cell.fontSize) < width - 5


def grid(
    rows: Sequence[Row], cs: Compact, width: float, *, rule_before: int | None = None
) -> Table:
    """Key–value fields in four columns: a field alone spans the row, two that each fit
    on one line share it. A long value becomes several rows, so the table breaks
    between them. ``rule_before``: the index of the row to draw a line above."""
    half = (width - KEY_W - KEY_W2) / 2
    full = width - KEY_W
    data: list[list[Any]] = []
    laid: list[Row] = []
    rule_at = None
    for i, row in enumerate(rows):
        if i == rule_before:
            rule_at = len(data)
        if isinstance(row[0], tuple):
            (k1, v1), (k2, v2) = row
            if _fits(v1, cs, half) and _fits(v2, cs, half):
                data.append([cell(k1, cs.bold, KEY_W), v1, cell(k2, cs.bold, KEY_W2), v2])
                laid.append(row)
                continue
            singles: list[Field] = [(k1, v1), (k2, v2)]
        else:
            singles = [row]
        for k, v in singles:
            parts = [v] if isinstance(v, Flowable) else _row_parts(v, cs.cell, full)
            for n, part in enumerate(parts):
                key = cell(k if n == 0 else "", cs.bold, KEY_W)
                data.append([key, _value(part, cs, full), "", ""])
                laid.append((k, part))
    t = Table(data, colWidths=[KEY_W, half, KEY_W2, half])
    style = _grid_style(laid)
    if rule_at is not None:
        style.add("LINEABOVE", (0, rule_at), (-1, rule_at), 0.8, BLUE)
    t.setStyle(style)
    return t


def _value(v: Any, cs: Compact, width: float) -> Any:
    return v if isinstance(v, Flowable) else cell(v, cs.cell, width)


def pair(a: Field, b: Field) -> list[Row]:
    """Two fields that share a row when each fits on one line."""
    return [(a, b)]


# --- page 1 ------------------------------------------------------------------------


def _meeting_grid(report: MeetingReport, counts: str, cs: Compact) -> Table:
    m = report.meeting
    rows: list[Row] = [
        *pair(("Meeting", m.title), ("Chair", m.chair or "—")),
        ("Date and time", f"{_local(m.starts_at)} (UTC {m.starts_at:%Y-%m-%d %H:%M})"),
        *pair(("Place", m.location or "—"), ("Video link", m.video_link or "—")),
        ("Quorum", report.quorum.text()),
        ("Cases", counts),
    ]
    return grid(rows, cs, WIDTH)


def attendance_block(attendance: Sequence[AttendanceView], cs: Compact) -> Flowable:
    """Who attended: one line per attendance status, the names listed by role."""
    if not attendance:
        return para("No attendance recorded.", cs.cell)
    rows: list[Row] = []
    for status in AttendanceStatus:
        here = [a for a in attendance if a.status == status]
        if not here:
            continue
        groups = []
        for role in Role:
            names = sorted(a.name for a in here if a.role == role)
            if names:
                groups.append(f"<b>{esc(role.label)}</b>: {esc(', '.join(names))}")
        rows.append((f"{status.label} ({len(here)})", Paragraph(" · ".join(groups), cs.cell)))
    return grid(rows, cs, WIDTH)


def _table_style(size: float = 7.8, leading: float = 9.4) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), leading),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ]
    )


def _status(c: CaseReport) -> str:
    if c.agenda_status in ("deferred", "withdrawn"):
        return c.agenda_status.capitalize()
    d = c.decision
    if d is None:
        return "Undiscussed"
    if d.status == "draft":
        return "DRAFT"
    soc = " · SoC" if c.protocol_title else ""  # confirmed as standard of care
    return "Signed off" + (f" (rev. {d.revision})" if d.revision > 1 else "") + soc


def _outcome(c: CaseReport) -> str:
    d = c.decision
    if d is None:
        return c.agenda_reason or "—"
    mods = [treatments.describe_modality(m.kind, dict(m.details)) for m in d.data.modalities]
    text = "; ".join(mods) or d.data.plan_text or "—"
    # the index is one row per case: the full plan is in the case's block
    return text if len(text) <= INDEX_OUTCOME else text[: INDEX_OUTCOME - 1].rstrip() + "…"


def _index(report: MeetingReport, cs: Compact) -> Table:
    widths = [5 * mm, 31 * mm, 20 * mm, 40 * mm, 13 * mm, 50 * mm, 15 * mm]
    heads = ("#", "Patient", "MRN", "Histology", "Levels", "Outcome", "Status")
    rows: list[list[Any]] = [[cell(h, cs.bold, w) for h, w in zip(heads, widths, strict=True)]]
    for c in report.cases:
        values = (
            str(c.position),
            c.patient.display_name,
            c.patient.mrn,
            c.histology_label,
            c.levels_text or "—",
            _outcome(c),
            _status(c),
        )
        rows.append([cell(v, cs.small, w) for v, w in zip(values, widths, strict=True)])
    t = Table(rows, colWidths=widths, repeatRows=1)
    style = _table_style(7, 8.5)
    style.add("FONTSIZE", (0, 0), (-1, 0), 7.8)
    for r, c in enumerate(report.cases, start=1):
        if c.urgency == "mscc":
            style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fde2e1"))
    t.setStyle(style)
    return t


# --- scores ------------------------------------------------------------------------


def _items_text(line: ScoreLine) -> str:
    """A score item by item (markup), as the appendix records it."""
    by = f"entered by {line.entered_by}, {_local(line.entered_at)}"
    if line.tool_id == staging.TOOL_ID:
        answers = dict(line.answers)
        stage = staging.STAGES.get(str(answers.get("enneking", "")))
        staged = staging.evaluate_staging(answers)
        layers = dict(staging.LAYERS)
        parts = [
            ("Enneking stage (§12.1)", stage.label if stage else "— not recorded —"),
            ("WBB zones (§12.2)", ", ".join(str(z) for z in answers.get("zones", [])) or "—"),
            ("WBB layers", "; ".join(f"{k} {layers[k]}" for k in answers.get("layers", [])) or "—"),
            ("En bloc resection", dict(staging.EN_BLOC).get(str(answers.get("en_bloc")), "—")),
            ("Typical reading (support)", "; or ".join(staged.readings) or "—"),
        ]
        if answers.get("note"):
            parts.append(("Note", str(answers["note"])))
        parts.extend(("Check", w) for w in staged.warnings)
        parts.append(("Staging systems", staging.CITATION))
        title = "Primary-tumour staging" + (f" ({line.subject})" if line.subject else "")
        body = " · ".join(f"{esc(k)}: {esc(v)}" for k, v in parts)
        return f"<b>{esc(title)}</b> <font color='#5b6b80'>{esc(by)}</font> — {body}"
    tool = TOOLS.get(line.tool_id)
    title = (tool.label if tool else line.tool_id) + (f" ({line.subject})" if line.subject else "")
    if tool is None:
        return f"<b>{esc(title)}</b>: {esc(dict(line.answers))}"
    try:
        points = dict(evaluate(line.tool_id, line.answers).item_points)
    except ValueError:
        points = {}
    items = []
    for item in tool.items:
        answer = answer_text(item, line.answers.get(item.key))
        shown = points.get(item.key)
        items.append(f"{esc(item.label)}: {esc(answer)}" + ("" if shown is None else f" → {shown}"))
    if line.complete:
        total = f"Total {line.total} — " if line.total is not None else ""
        result = f"{total}{describe_band(line.tool_id, line.band)}"
        if note := conversion_note(line.tool_id, line.total):
            result += f" ({note})"
    else:
        result = "Incomplete"
    return (
        f"<b>{esc(title)}</b> <font color='#5b6b80'>{esc(by)}</font> — "
        + " · ".join(items)
        + f" · <b>Result:</b> {esc(result)}"
    )


# --- a case ------------------------------------------------------------------------


def _biopsy(c: CaseReport) -> str:
    if c.pathology_available:
        return (
            f"Pathology available ({c.pathology_date:%d/%m/%Y})"
            if c.pathology_date
            else "Pathology available"
        )
    if c.biopsy_deferral_rationale:
        return f"Biopsy deferred after MDT discussion: {c.biopsy_deferral_rationale}"
    return "Awaited"


def heading(c: CaseReport) -> str:
    return f"{c.position}. {c.patient.display_name} — MRN {c.patient.mrn}"


def _action_text(a: Any) -> str:
    due = a.due_date.strftime("%d/%m/%Y") if a.due_date else "—"
    return (
        f"{a.description} — Owner: {a.owner} · Due: {due} · "
        f"Done: {'yes' if a.done_at else 'not yet'}"
    )


def _decision_status(c: CaseReport) -> str:
    d = c.decision
    if d is None:
        return "Decision — none recorded"
    if d.status == "draft":
        return "Decision — DRAFT"
    if d.status == "amended":
        return f"Decision — revision {d.revision}, superseded"
    return "Decision — signed off" + (f", revision {d.revision}" if d.revision > 1 else "")


def decision_block(c: CaseReport, cs: Compact) -> list[Flowable]:
    d = c.decision
    if d is None:
        return [para("No decision recorded.", cs.st.warn)]
    data = d.data
    out: list[Flowable] = []
    if d.status == "draft":
        out.append(para("DRAFT — not signed off", cs.st.warn))
    mods = "\n".join(
        f"{n}. {treatments.describe_modality(m.kind, dict(m.details))}"
        for n, m in enumerate(data.modalities, start=1)
    )
    pathway: Field = (
        (
            "Primary-tumour pathway",
            "NOMS does not apply to a primary tumour (§9.4): Enneking stage and WBB zones "
            "recorded per lesion — decision support for the MDT",
        )
        if c.is_primary
        else ("NOMS suggestion", f"{_noms_label(data.noms_band)} — decision support for the MDT")
    )
    dissent = f"{data.dissent} ({data.dissent_by})" if data.dissent else "None recorded"
    rows: list[Row] = [
        ("Consensus plan", data.plan_text or "—"),
        *pair(
            ("Intent", _label(Intent, data.intent) or "—"),
            ("Patient informed", "Yes" if data.patient_informed else "Not yet"),
        ),
        ("Modalities", mods or "—"),
        ("Rationale", data.rationale or "—"),
        *pair(("Dissent", dissent), ("Clinical trial", data.clinical_trial or "—")),
        ("Patient preferences", data.patient_preferences or "—"),
        pathway,
        *((("Actions" if n == 0 else ""), _action_text(a)) for n, a in enumerate(data.actions)),
        ("Sign-off", _signoff_text(d)),
    ]
    out.append(grid(rows, cs, WIDTH))
    if d.quorate is False:
        out.append(para("Decision taken while the meeting was NOT QUORATE.", cs.st.warn))
    earlier = [r for r in c.revisions if r.id != d.id]
    if earlier:
        out.append(para("Amendment history", cs.section))
        for r in earlier:
            out.append(
                para(
                    f"Revision {r.revision} ({r.status}), signed off by "
                    f"{r.signed_off_by or '—'} {_local(r.signed_off_at)}: {r.data.plan_text}",
                    cs.small,
                )
            )
        out.append(
            para(
                f"Current revision {d.revision}: amended by {d.signed_off_by} "
                f"{_local(d.signed_off_at)} — reason: {d.amendment_reason}",
                cs.small,
            )
        )
    return out


def facts_block(c: CaseReport, cs: Compact, today: date) -> list[Flowable]:
    p = c.patient
    fields: list[Row] = [
        ("Question for the MDT", c.question),
        ("Histology", f"{c.histology_label} ({c.disease_kind}, {c.compartment})"),
        *pair(
            ("Date of birth", f"{p.date_of_birth:%d/%m/%Y} (age {_age(p.date_of_birth, today)})"),
            ("National number", p.national_number or "—"),
        ),
        *pair(("Urgency", _label(Urgency, c.urgency)), ("Spinal levels", c.levels_text or "—")),
        *pair(("Biopsy / pathology", _biopsy(c)), ("Neurology", c.neuro_status or "not recorded")),
    ]
    if c.pathway is not None:
        fields.append(("MSCC clocks (QS56)", _clock_text(c.pathway)))

    # Beside the spine diagram the table cannot break across pages: long texts go below
    # it, full width, where they can.
    def long(row: Row) -> bool:
        return not isinstance(row[0], tuple) and len(str(row[1])) > LONG_FIELD

    beside = [r for r in fields if not long(r)]
    below = [r for r in fields if long(r)]
    first_score = len(beside)
    beside += [(score_key(s), score_value(s)) for s in ordered_scores(c.scores)]
    title = f"Key facts and scores <font size=7 color='#5b6b80'>· {esc(p.display_name)}</font>"
    left = [
        Paragraph(title, cs.section),
        grid(beside, cs, WIDTH - SPINE_W, rule_before=first_score),
    ]
    top = Table(
        [[left, SpineDiagram(c.levels, compact=True)]], colWidths=[WIDTH - SPINE_W, SPINE_W]
    )
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    out: list[Flowable] = [top]
    if below:
        out.append(grid(below, cs, WIDTH))
    return out


def _case_block(
    c: CaseReport, cs: Compact, today: date, lead: Sequence[Flowable] = ()
) -> list[Flowable]:
    """One case in two parts, each kept on one page when it fits: the heading with the
    decision, then the key facts and scores. A page may fall between the two parts,
    or between table rows of a part longer than a page, never inside a line."""
    head = Table(
        [[para(heading(c), cs.case), para(_decision_status(c), cs.status)]],
        colWidths=[WIDTH - 45 * mm, 45 * mm],
    )
    head.setStyle(_FLUSH)
    return [
        KeepTogether([*lead, head, *decision_block(c, cs)]),
        KeepTogether(facts_block(c, cs, today)),
    ]


def _appendix(cases: Sequence[CaseReport], cs: Compact) -> list[Flowable]:
    scored = [c for c in cases if c.scores]
    if not scored:
        return []
    story: list[Flowable] = []
    lead: list[Flowable] = [
        para("Appendix — scores item by item, as entered (for the record)", cs.h2),
        para("Each item: the answer recorded → its points.", cs.small),
    ]
    style = ParagraphStyle("ah", parent=cs.bold, spaceBefore=4, keepWithNext=1)
    for c in scored:
        first, *rest = [Paragraph(_items_text(s), cs.small) for s in ordered_scores(c.scores)]
        # the case's name stays with its first score; the rest may run on to a new page
        story += [KeepTogether([*lead, para(heading(c), style), first]), *rest]
        lead = []
    return story


def _reason_table(cases: Sequence[CaseReport], cs: Compact, empty: str) -> Flowable:
    if not cases:
        return para(empty, cs.cell)
    widths = [8 * mm, 60 * mm, 26 * mm, 80 * mm]
    rows: list[list[Any]] = [
        [
            cell(h, cs.bold, w)
            for h, w in zip(("#", "Patient", "Status", "Reason"), widths, strict=True)
        ]
    ]
    for c in cases:
        rows.append(
            [
                str(c.position),
                cell(f"{c.patient.display_name}, MRN {c.patient.mrn}", cs.cell, widths[1]),
                c.agenda_status if c.agenda_status != "listed" else "undiscussed",
                cell(c.agenda_reason or "not reached at the meeting", cs.cell, widths[3]),
            ]
        )
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(_table_style())
    return t


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
    cs = Compact(st)
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
    counts = (
        f"{len(discussed)} discussed, {len(deferred)} deferred or withdrawn, "
        f"{len(undiscussed)} undiscussed"
    )
    story: list[Flowable] = [
        para("MDT meeting outcome summary", st.title),
        _meeting_grid(report, counts, cs),
        para("Attendance", cs.h2),
        attendance_block(report.attendance, cs),
    ]
    if not report.quorum.quorate:
        story.append(para("The meeting was not quorate: decisions are flagged.", st.warn))
    story += [para(f"Cases ({len(report.cases)})", cs.h2), _index(report, cs)]
    total = len(discussed)
    for n, c in enumerate(discussed, start=1):
        lead = [para("Decisions, case by case", cs.h2)] if n == 1 else []
        story += [*checkpoint(cancelled), *_case_block(c, cs, today, lead), Spacer(1, 6)]
        if progress:
            progress(n, total)
    story += [
        para("Deferred and withdrawn cases", cs.section),
        _reason_table(deferred, cs, "No case was deferred or withdrawn."),
        para("Undiscussed cases", cs.section),
        _reason_table(undiscussed, cs, "Every listed case was discussed."),
        *_appendix(discussed, cs),
    ]
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
