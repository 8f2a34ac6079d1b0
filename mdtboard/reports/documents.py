"""The documents: the agenda here; the meeting outcome summary (``summary``), the outcome
letter (``letter``) and the one-page outcome form (``outcome_form``) in their modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from mdtboard.domain.vocab import Urgency
from mdtboard.reports.common import Cancelled, Progress, Styles, build_pdf, checkpoint, para
from mdtboard.reports.layout import (
    GRID,
    _age,
    _attendees,
    _kv,
    _label,
    _meeting_name,
    _meeting_rows,
    _noms_label,
)
from mdtboard.reports.letter import LetterSettings, build_letter
from mdtboard.reports.summary import build_summary, is_draft
from mdtboard.services.summaries import MeetingReport

__all__ = [
    "LetterSettings",
    "_noms_label",
    "build_agenda",
    "build_letter",
    "build_summary",
    "is_draft",
]


def build_agenda(
    report: MeetingReport,
    out: Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    st = Styles()
    m = report.meeting
    story: list[Flowable] = [
        para("MDT agenda", st.title),
        _kv(_meeting_rows(m), st),
        para("Expected attendees", st.h2),
        _attendees(report, st, with_status=False),
        para(f"Cases ({sum(1 for c in report.cases if not c.protocol_title)})", st.h2),
    ]
    today = report.generated_at.date()
    rows: list[list[Any]] = [
        [
            para(h, st.cell_bold)
            for h in (
                "#",
                "Patient",
                "Urgency",
                "Histology / levels",
                "Question for the MDT",
                "Readiness",
            )
        ]
    ]
    mscc_rows = []
    total = len(report.cases)
    listed = [c for c in report.cases if not c.protocol_title]
    standard = [c for c in report.cases if c.protocol_title]
    for n, c in enumerate(listed, start=1):
        p = c.patient
        ready = c.readiness
        warn = (
            "Ready"
            if ready is None or ready.ready
            else (f"{ready.light.label}: " + "; ".join(r.message for r in ready.reasons))
        )
        rows.append(
            [
                para(c.position, st.cell),
                para(
                    f"{p.display_name}\nMRN {p.mrn}\nDOB {p.date_of_birth:%d/%m/%Y} "
                    f"(age {_age(p.date_of_birth, today)})",
                    st.cell,
                ),
                para(_label(Urgency, c.urgency), st.cell_bold if c.urgency == "mscc" else st.cell),
                para(f"{c.histology_label}\n{c.levels_text}", st.cell),
                para(c.question, st.cell),
                para(warn, st.cell),
            ]
        )
        if c.urgency == "mscc":
            mscc_rows.append(n)
        if progress:
            progress(n, total)
    t = Table(
        rows,
        colWidths=[8 * mm, 42 * mm, 22 * mm, 34 * mm, 40 * mm, 28 * mm],
        repeatRows=1,
        splitInRow=1,
    )
    style = TableStyle(GRID.getCommands())
    for r in mscc_rows:
        style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fde2e1"))
    t.setStyle(style)
    story += [t, *checkpoint(cancelled)]
    if standard:
        heading = f"Standard of care — listed and recorded, not discussed in full ({len(standard)})"
        story.append(para(heading, st.h2))
        soc_rows: list[list[Any]] = [
            [para(h, st.cell_bold) for h in ("#", "Patient", "Histology / levels", "Protocol")]
        ]
        for c in standard:
            p = c.patient
            soc_rows.append(
                [
                    para(c.position, st.cell),
                    para(f"{p.display_name}\nMRN {p.mrn}", st.cell),
                    para(f"{c.histology_label}\n{c.levels_text}", st.cell),
                    para(c.protocol_title, st.cell),
                ]
            )
        soc = Table(soc_rows, colWidths=[8 * mm, 50 * mm, 50 * mm, 66 * mm], repeatRows=1)
        soc.setStyle(TableStyle(GRID.getCommands()))
        story.append(soc)
    header = f"Agenda — {_meeting_name(m)}"
    return build_pdf(
        out,
        title=f"Agenda: {m.title}",
        header=header,
        story=story,
        draft=False,
        cancelled=cancelled,
        generated_at=report.generated_at,
    )
