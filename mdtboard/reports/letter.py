"""The outcome letter: to the referrer, or the same letter as the GP's copy (issue 18).

It says what was decided, once, in plain words: the date it was signed off, the
meeting only when one was held, the facts the decision rests on in one
paragraph, the next steps with owners, the patient's preferences only when the
MDT recorded them, and the name and role of the clinician who signed it off on
behalf of the MDT. The referrer's letter is copied to the GP and any other
recipient on the referral; the GP's copy names the referrer in its "cc".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from reportlab.platypus import Flowable, KeepTogether, Spacer

from mdtboard.domain import treatments
from mdtboard.domain.names import salutation
from mdtboard.domain.vocab import Role
from mdtboard.reports.common import Styles, build_pdf, para
from mdtboard.reports.layout import _clock_text, ordered_scores, score_key, score_value
from mdtboard.services.summaries import CaseDocument, CaseReport, same_name

Recipient = Literal["referrer", "gp"]
RECIPIENTS: tuple[Recipient, ...] = ("referrer", "gp")

#: the scores a letter names: compression, stability, performance, neurology
LETTER_SCORES = ("escc", "sins", "kps", "ecog", "frankel", "asia")

PLAIN_INTENT = {
    "curative": "to cure the tumour",
    "disease_control": "to control the disease and prolong life",
    "palliative": "to relieve symptoms and maintain quality of life",
}


@dataclass(frozen=True)
class LetterSettings:
    letterhead_lines: tuple[str, ...] = ("Fictional Spine Centre", "Spine Oncology MDT")
    #: who signs a letter whose decision is not signed off yet (a draft)
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

    @property
    def team(self) -> str:
        """The MDT's name as "on behalf of …" prints it: the letterhead's second line."""
        name = self.letterhead_lines[1] if len(self.letterhead_lines) > 1 else "MDT"
        return name if name.lower().startswith("the ") else f"the {name}"


class LetterRefused(ValueError):
    """The letter cannot be written for this case (no decision, no GP recorded)."""


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def recipients(case: CaseReport, to: Recipient) -> tuple[list[str], list[str]]:
    """(address lines, cc lines) of the letter to ``to``."""
    referrer = ", ".join(x for x in (case.referrer_name, case.referrer_organisation) if x)
    gp = ", ".join(x for x in (case.gp_name, case.gp_practice) if x)
    others = [line.strip() for line in case.copy_to.splitlines() if line.strip()]
    if to == "gp":
        address = [case.gp_name, case.gp_practice]
        cc = [f"{referrer} (referrer)"] if not same_name(case.gp_name, case.referrer_name) else []
    else:
        address = [case.referrer_name, case.referrer_organisation]
        gp_is_referrer = same_name(case.gp_name, case.referrer_name)
        cc = [f"{gp} (GP)"] if case.gp_name and not gp_is_referrer else []
    return [x for x in address if x], cc + others


def facts_paragraph(case: CaseReport) -> str:
    """The diagnosis, levels, neurology and key scores in one paragraph."""
    site = f" (primary site: {case.primary_site})" if case.primary_site else ""
    parts = [f"Diagnosis: {case.histology_label}{site}"]
    if case.levels_text:
        parts.append(f"spinal levels {case.levels_text}")
    parts.append(f"neurology: {case.neuro_status or 'not recorded'}")
    text = "; ".join(parts) + "."
    key = [
        f"{score_key(s)} {score_value(s)}"
        for s in ordered_scores(case.scores)
        if s.tool_id in LETTER_SCORES and s.complete
    ]
    if key:
        text += " Key scores: " + "; ".join(key) + "."
    return text


def _signature(doc: CaseDocument, settings: LetterSettings) -> list[str]:
    d = doc.case.decision
    if d is None or not d.is_final or not d.signed_off_by:
        return [settings.signatory_name, settings.signatory_title]
    role = doc.member_role(d.signed_off_by)
    words = [Role(role).label] if role else []
    if doc.meeting is not None and same_name(doc.meeting.chair, d.signed_off_by):
        words.append("chair of the meeting")
    lines = [d.signed_off_by]
    if words:
        lines.append(", ".join(words))
    lines.append(f"on behalf of {settings.team}")
    return lines


def _opening(doc: CaseDocument, to: Recipient) -> str:
    case, meeting = doc.case, doc.meeting
    held = meeting is not None and meeting.status in ("in_progress", "closed")
    when = (
        f" at its meeting on {long_date(meeting.starts_at.astimezone().date())}"
        if held and meeting is not None
        else ""
    )
    team = "The spine oncology multidisciplinary team (MDT)"
    if to == "gp":
        who = ", ".join(x for x in (case.referrer_name, case.referrer_organisation) if x)
        return (
            f"This is your copy of the letter to {who}, who referred your patient. "
            f"{team} discussed the case{when}. The question for the MDT was: "
            f"“{case.question}”"
        )
    return (
        f"Thank you for referring this patient. {team} discussed the case{when}. "
        f"You asked: “{case.question}”"
    )


def letter_date(doc: CaseDocument) -> date:
    """The day of sign-off; a draft carries the day it is printed."""
    d = doc.case.decision
    if d is not None and d.is_final and d.signed_off_at is not None:
        return d.signed_off_at.astimezone().date()
    return datetime.now(UTC).astimezone().date()


def letter_story(doc: CaseDocument, settings: LetterSettings, to: Recipient) -> list[Flowable]:
    case = doc.case
    d = case.decision
    if d is None:
        raise LetterRefused(f"case {case.referral_id} has no MDT decision to report")
    if to == "gp" and not case.gp_name.strip():
        raise LetterRefused(
            f"case {case.referral_id} has no GP recorded: add the GP on the referral first"
        )
    st = Styles()
    p = case.patient
    data = d.data
    address, cc = recipients(case, to)
    greeting = case.gp_name if to == "gp" else case.referrer_name
    story: list[Flowable] = [
        para(line, st.h3 if i == 0 else st.body) for i, line in enumerate(settings.letterhead_lines)
    ]
    if d.status == "draft":
        story.insert(0, para("DRAFT — this decision has not been signed off", st.warn))
    story += [
        Spacer(1, 8),
        para("\n".join(address), st.body),
        Spacer(1, 6),
        para(long_date(letter_date(doc)), st.body),
        Spacer(1, 8),
        para(
            f"Re: {p.given_name} {p.family_name}, born {p.date_of_birth:%d/%m/%Y}, "
            f"hospital number {p.mrn}"
            + (f", national number {p.national_number}" if p.national_number else ""),
            st.h3,
        ),
        Spacer(1, 4),
        para(f"Dear {salutation(greeting)},", st.body),
        Spacer(1, 4),
        para(_opening(doc, to), st.body),
        Spacer(1, 4),
        para(facts_paragraph(case), st.body),
        para("What the MDT recommends", st.h3),
    ]
    if data.plan_text:
        story.append(para(data.plan_text, st.body))
    else:
        mods = [treatments.describe_modality(m.kind, dict(m.details)) for m in data.modalities]
        story.append(para("; ".join(mods) + "." if mods else "No treatment recorded.", st.body))
    if data.intent in PLAIN_INTENT:
        story.append(para(f"The aim of this plan is {PLAIN_INTENT[data.intent]}.", st.body))
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
            due = f" by {long_date(a.due_date)}" if a.due_date else ""
            story.append(para(f"• {a.description} — {a.owner}{due}", st.body))
    story.append(Spacer(1, 4))
    if data.patient_preferences.strip():
        story.append(
            para(
                f"The patient's preferences, as the MDT recorded them: {data.patient_preferences}",
                st.body,
            )
        )
    story += [
        para(
            "The patient has been told of this recommendation."
            if data.patient_informed
            else "The patient has not yet been told of this recommendation.",
            st.body,
        ),
        Spacer(1, 4),
        para(
            "This letter records the MDT's recommendation to the treating clinicians; it is "
            "not a treatment order. Please contact us with any questions.",
            st.body,
        ),
    ]
    signature = _signature(doc, settings)
    closing: list[Flowable] = [
        Spacer(1, 14),
        para("Yours sincerely,", st.body),
        Spacer(1, 16),
        para(signature[0], st.h3),
        *(para(line, st.body) for line in signature[1:]),
    ]
    if settings.contact:
        closing.append(para(settings.contact, st.small))
    if cc:
        closing += [Spacer(1, 8), para("cc: " + "\n      ".join(cc), st.body)]
    story.append(KeepTogether(closing))
    return story


def build_letter(
    doc: CaseDocument,
    settings: LetterSettings,
    out: Path,
    *,
    to: Recipient = "referrer",
) -> Path:
    """The outcome letter to the referrer, or (``to="gp"``) the GP's copy."""
    story = letter_story(doc, settings, to)
    case = doc.case
    p = case.patient
    copy = " (GP copy)" if to == "gp" else ""
    d = case.decision
    return build_pdf(
        out,
        title=f"Outcome letter{copy}: {p.display_name}",
        header=f"MDT outcome letter{copy} — {p.display_name} — MRN {p.mrn}",
        story=story,
        draft=d is not None and d.status == "draft",
    )
