"""The three documents: agenda, meeting outcome summary (in ``summary``), outcome letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from mdtboard.domain import treatments
from mdtboard.domain.vocab import Urgency
from mdtboard.reports.common import Cancelled, Progress, Styles, build_pdf, checkpoint, para
from mdtboard.reports.layout import (
    GRID,
    _age,
    _attendees,
    _clock_text,
    _kv,
    _label,
    _meeting_name,
    _meeting_rows,
    _noms_label,
)
from mdtboard.reports.summary import build_summary, is_draft
from mdtboard.services.meetings import MeetingSummary
from mdtboard.services.summaries import CaseReport, MeetingReport

__all__ = [
    "LetterSettings",
    "_noms_label",
    "build_agenda",
    "build_letter",
    "build_summary",
    "is_draft",
]


@dataclass(frozen=True)
class LetterSettings:
    letterhead_lines: tuple[str, ...] = ("Fictional Spine Centre", "Spine Oncology MDT")
    signatory_name: str = "MDT Chair"
    signatory_title: str = "Chair, Spine Oncology MDT"
    contact: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> LetterSettings:
        return cls(
            tuple(settings.letterhead),
            settings.signatory_name,
            settings.signatory_title,
            settings.contact,
        )


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
        para(f"Cases ({len(report.cases)})", st.h2),
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
    for n, c in enumerate(report.cases, start=1):
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


# --- letter ------------------------------------------------------------------------

PLAIN_INTENT = {
    "curative": "with the aim of curing the tumour",
    "disease_control": "to control the disease and prolong life",
    "palliative": "to relieve symptoms and maintain quality of life",
}


def build_letter(
    case: CaseReport,
    meeting: MeetingSummary | None,
    settings: LetterSettings,
    out: Path,
) -> Path:
    d = case.decision
    if d is None:
        raise ValueError(f"case {case.referral_id} has no MDT decision to report")
    st = Styles()
    p = case.patient
    data = d.data
    when = meeting.starts_at.astimezone().strftime("%d %B %Y") if meeting else "a recent meeting"
    mods = [treatments.describe_modality(m.kind, dict(m.details)) for m in data.modalities]
    story: list[Flowable] = [
        para(line, st.h3 if i == 0 else st.body) for i, line in enumerate(settings.letterhead_lines)
    ]
    story += [
        Spacer(1, 8),
        para(f"{case.referrer_name}\n{case.referrer_organisation}", st.body),
        Spacer(1, 6),
        para(date.today().strftime("%d %B %Y"), st.body),
        Spacer(1, 8),
        para(
            f"Re: {p.given_name} {p.family_name}, born {p.date_of_birth:%d/%m/%Y}, "
            f"hospital number {p.mrn}"
            + (f", national number {p.national_number}" if p.national_number else ""),
            st.h3,
        ),
        Spacer(1, 4),
        para(f"Dear {case.referrer_name},", st.body),
        Spacer(1, 4),
        para(
            f"Thank you for referring this patient. The spine oncology multidisciplinary team "
            f"(MDT) discussed the case at its meeting on {when}. You asked: "
            f"“{case.question}”",
            st.body,
        ),
        Spacer(1, 4),
        para("What the MDT recommends", st.h3),
        para(data.plan_text or "See the treatments below.", st.body),
    ]
    if mods:
        story.append(
            para(
                "The recommended treatment is "
                + PLAIN_INTENT.get(data.intent or "", "as follows")
                + ": "
                + "; ".join(mods)
                + ".",
                st.body,
            )
        )
    if data.rationale:
        story += [para("Why", st.h3), para(data.rationale, st.body)]
    if case.pathway is not None:
        story += [
            para("Metastatic spinal cord compression pathway (NICE QS56)", st.h3),
            para(_clock_text(case.pathway), st.body),
        ]
    if data.actions:
        story.append(para("Next steps", st.h3))
        for a in data.actions:
            due = f" by {a.due_date:%d %B %Y}" if a.due_date else ""
            story.append(para(f"• {a.description} — {a.owner}{due}", st.body))
    story += [
        Spacer(1, 4),
        para(
            "The patient's preferences were considered"
            + (f": {data.patient_preferences}" if data.patient_preferences else ".")
            + (
                " The patient has been informed of the discussion."
                if data.patient_informed
                else " The patient has not yet been told of this recommendation."
            ),
            st.body,
        ),
        Spacer(1, 4),
        para(
            "This letter records the MDT's recommendation to the treating clinicians; it is "
            "not a treatment order. Please contact us with any questions.",
            st.body,
        ),
        Spacer(1, 14),
        para("Yours sincerely,", st.body),
        Spacer(1, 16),
        para(settings.signatory_name, st.h3),
        para(settings.signatory_title, st.body),
    ]
    if settings.contact:
        story.append(para(settings.contact, st.small))
    if d.status == "draft":
        story.insert(0, para("DRAFT — this decision has not been signed off", st.warn))
    header = f"MDT outcome letter — {p.display_name} — MRN {p.mrn}"
    return build_pdf(
        out,
        title=f"Outcome letter: {p.display_name}",
        header=header,
        story=story,
        draft=d.status == "draft",
    )
