"""The one-page outcome form: the MDT's record of one discussion (issue 18, part 4).

As UK MDT proformas print it: the patient, the question, the key facts and the
scores one line each beside the spine diagram, the decision with its actions,
who attended, who signed it off and when, and the seal printed as a short code
(``seals.short_code``) so that a paper copy can be matched to the record it was
printed from (``mdtboard audit seal CODE``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from mdtboard.domain.vocab import AgendaStatus
from mdtboard.reports.common import Styles, build_pdf, para
from mdtboard.reports.layout import WIDTH, _local
from mdtboard.reports.letter import LetterRefused, LetterSettings
from mdtboard.reports.summary import (
    Compact,
    attendance_block,
    decision_block,
    facts_block,
    grid,
    pair,
)
from mdtboard.services.summaries import CaseDocument

SEAL_HINT = "matches this page to the signed record: mdtboard audit seal {code}"


def _seal_text(doc: CaseDocument) -> str:
    d = doc.case.decision
    if d is None or not d.is_final:
        return "none — the decision is a DRAFT, not signed off"
    if not d.seal_code:
        return "MISSING — this signed-off decision carries no seal; report it"
    return d.seal_code


def outcome_story(doc: CaseDocument, settings: LetterSettings) -> list[Flowable]:
    case = doc.case
    d = case.decision
    if d is None:
        raise LetterRefused(f"case {case.referral_id} has no MDT decision to record")
    st = Styles()
    cs = Compact(st)
    p = case.patient
    m = doc.meeting
    head = Table(
        [
            [
                para("MDT outcome record", st.title),
                para("\n".join(settings.letterhead_lines), cs.status),
            ]
        ],
        colWidths=[WIDTH - 70 * mm, 70 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
    referrer = ", ".join(x for x in (case.referrer_name, case.referrer_organisation) if x)
    gp = ", ".join(x for x in (case.gp_name, case.gp_practice) if x) or "not recorded"
    when = f"{m.title}, {_local(m.starts_at)}" if m else "no meeting"
    status = AgendaStatus(case.agenda_status).label if case.agenda_status else "—"
    story: list[Flowable] = [head]
    if d.status == "draft":
        story.append(para("DRAFT — this decision has not been signed off", st.warn))
    story += [
        grid(
            [
                *pair(("Patient", p.display_name), ("MRN", p.mrn)),
                *pair(("Referrer", referrer), ("GP", gp)),
                *pair(("Meeting", when), ("Discussion", status)),
            ],
            cs,
            WIDTH,
        ),
        Spacer(1, 3),
        *facts_block(case, cs, datetime.now(UTC).date()),
        para("Decision", cs.section),
        *decision_block(case, cs),
        para("Attendance", cs.section),
    ]
    if doc.quorum is not None:
        story.append(grid([("Quorum", doc.quorum.text())], cs, WIDTH))
    story += [
        attendance_block(doc.attendance, cs),
        Spacer(1, 4),
        grid([("Seal", _seal_text(doc))], cs, WIDTH),
    ]
    if d.seal_code:
        story.append(para("The seal code " + SEAL_HINT.format(code=d.seal_code), cs.small))
    return story


def build_outcome_form(doc: CaseDocument, settings: LetterSettings, out: Path) -> Path:
    story = outcome_story(doc, settings)
    case = doc.case
    p = case.patient
    d = case.decision
    return build_pdf(
        out,
        title=f"MDT outcome record: {p.display_name}",
        header=f"MDT outcome record — {p.display_name} — MRN {p.mrn}",
        story=story,
        draft=d is not None and d.status == "draft",
    )
