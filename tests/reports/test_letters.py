"""The outcome letter, its GP copy and the one-page outcome record, read back with pypdf
(issue 18, parts 2-5). All names are fictional."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from mdtboard.reports import LetterRefused, LetterSettings, build_letter, build_outcome_form
from mdtboard.services import assessments, decisions, meetings, referrals, seals, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import ActionInput, DecisionInput, ModalityInput
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store import audit

SETTINGS = LetterSettings(("Fictional Spine Centre", "Spine Oncology MDT"), "Dr Draft Signer",
                          "Chair, Spine Oncology MDT", "MDT office 000 (fictional)")  # fmt: skip
PLAN = "Stereotactic radiotherapy to T5 after a surgical opinion (fictional plan)."
#: SINS items of reference/scores.md §1: semi_rigid 1 + mechanical 3 + lytic 2 + normal 0
#: + under_50 2 + unilateral 1 = 9, band "indeterminate" (7–12)
SINS_9 = {
    "location": "semi_rigid",
    "pain": "mechanical",
    "bone_lesion": "lytic",
    "alignment": "normal",
    "collapse": "under_50",
    "posterolateral": "unilateral",
}


def pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(pages(path)))


def planned_meeting(ctx: ServiceContext) -> int:
    return next(m.id for m in meetings.list_meetings(ctx.db) if m.status == "planned")


def a_case(
    ctx: ServiceContext,
    *,
    preferences: str = "",
    gp: tuple[str, str] = ("Dr Tamsin Oakridge", "Hollowmere Fictional Surgery"),
    copy_to: str = "",
    start: bool = True,
    sign: bool = True,
) -> tuple[int, str]:
    """A fictional breast-cancer case on the planned meeting, scored (ESCC 2, SINS 9,
    KPS 70) and decided; returns (case id, the name it was signed off with)."""
    case = referrals.register_referral(
        ctx,
        PatientInput("LET0000001", "Fenwick", "Odile", date(1958, 3, 4), "female"),
        ReferralInput(
            received_at=datetime.now(UTC) - timedelta(days=2),
            referrer_name="Dr Olwen Pryce",
            referrer_organisation="Imaginary General Hospital — Oncology",
            gp_name=gp[0],
            gp_practice=gp[1],
            copy_to=copy_to,
            urgency="urgent",
            question="Is she a candidate for SBRT or does she need surgery first?",
            disease_kind="metastatic",
            histology_key="met_breast",
            primary_site="breast",
            compartment="extradural",
            levels=("T5",),
            neuro_status="No neurological deficit (fictional)",
        ),
    )
    assessments.record_assessment(ctx, case.id, "escc", {"grade": "2"})
    assessments.record_assessment(ctx, case.id, "sins", SINS_9, subject="T5")
    assessments.record_assessment(ctx, case.id, "kps", {"kps": 70})
    mid = planned_meeting(ctx)
    entry = meetings.list_case(ctx, mid, case.id)
    if start:
        decisions.start_meeting(ctx, mid)
        decisions.mark_everyone_present(ctx, mid)
    present = decisions.attendance(ctx.db, mid)
    signer = next(a.name for a in present if a.role == "clinical_oncologist")
    draft = decisions.save_draft(
        ctx,
        entry.id,
        DecisionInput(
            intent="palliative",
            plan_text=PLAN,
            rationale="Mechanical pain with an indeterminate SINS (fictional rationale).",
            patient_preferences=preferences,
            patient_informed=True,
            modalities=(ModalityInput("sbrt", {"dose_gy": 24, "fractions": 2}),),
            actions=(
                ActionInput(
                    "Book SBRT planning CT",
                    "Dr Felix Ormsby (fictional)",
                    date.today() + timedelta(days=7),
                ),
            ),
        ),
    )
    if sign:
        decisions.sign_off(ctx, entry.id, draft.version, signer)
    return case.id, signer


def test_letter_to_the_referrer_says_each_fact_once_and_signs_as_the_signer(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    case_id, signer = a_case(ctx)
    doc = summaries.case_document(ctx.db, case_id)
    t = text(build_letter(doc, SETTINGS, tmp_path / "letter.pdf"))
    assert "Dear Dr Pryce," in t
    assert "Dear Dr Olwen Pryce" not in t
    assert t.count(PLAN) == 1  # the recommendation once
    assert "preferences" not in t.lower()  # none were recorded
    assert doc.case.decision is not None and doc.case.decision.signed_off_at is not None
    signed = doc.case.decision.signed_off_at.astimezone().date()
    assert f"{signed.day} {signed:%B %Y}" in t  # dated the day of sign-off
    assert doc.meeting is not None
    held = doc.meeting.starts_at.astimezone().date()
    assert f"discussed the case at its meeting on {held.day} {held:%B %Y}" in t
    # the signer, their role from the attendance, on behalf of the MDT; not the settings'
    assert signer in t and "Clinical/radiation oncologist" in t
    assert "on behalf of the Spine Oncology MDT" in t
    assert "Dr Draft Signer" not in t and "MDT Chair" not in t
    # diagnosis, levels, neurology and the key scores in one paragraph
    facts = re.search(r"Diagnosis: .*?What the MDT recommends", t)
    assert facts is not None
    para = facts.group()
    assert "Metastatic breast" in para and "T5" in para and "No neurological deficit" in para
    assert re.search(r"ESCC[^;]*\b2\b[^;]*high", para, re.I)  # scores.md §2: 2 → high grade
    assert re.search(r"SINS[^;]*\b9\b[^;]*indeterminate", para, re.I)  # §1: 7–12
    assert re.search(r"KPS[^;]*\b70\b", para)  # §7.1
    # next steps with owners; the GP copied
    assert "Book SBRT planning CT — Dr Felix Ormsby (fictional)" in t
    assert "cc: Dr Tamsin Oakridge, Hollowmere Fictional Surgery (GP)" in t


def test_preferences_are_printed_in_the_words_recorded(ctx: ServiceContext, tmp_path: Path) -> None:
    words = "Would rather avoid an operation if there is a choice (fictional)."
    case_id, _ = a_case(ctx, preferences=words)
    t = text(build_letter(summaries.case_document(ctx.db, case_id), SETTINGS, tmp_path / "l.pdf"))
    assert words in t
    assert "preferences were considered" not in t


def test_a_meeting_not_yet_held_is_not_said_to_have_discussed_it(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    case_id, _ = a_case(ctx, start=False)
    doc = summaries.case_document(ctx.db, case_id)
    assert doc.meeting is not None and doc.meeting.status == "planned"
    t = text(build_letter(doc, SETTINGS, tmp_path / "l.pdf"))
    assert "discussed the case." in t
    assert "at its meeting on" not in t


def test_a_draft_is_marked_and_signed_by_the_settings_signatory(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    case_id, signer = a_case(ctx, sign=False)
    t = text(build_letter(summaries.case_document(ctx.db, case_id), SETTINGS, tmp_path / "d.pdf"))
    assert "DRAFT — this decision has not been signed off" in t
    assert "Dr Draft Signer" in t and signer not in t


def test_gp_copy_is_addressed_to_the_gp_and_copies_the_referrer(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    others = "Ms Wren Example, palliative care nurse (fictional)\nDr Ansel Test (fictional)"
    case_id, _ = a_case(ctx, copy_to=others)
    doc = summaries.case_document(ctx.db, case_id)
    t = text(build_letter(doc, SETTINGS, tmp_path / "gp.pdf", to="gp"))
    assert "Dear Dr Oakridge," in t
    assert "Hollowmere Fictional Surgery" in t
    assert "cc: Dr Olwen Pryce, Imaginary General Hospital — Oncology (referrer)" in t
    assert "Ms Wren Example, palliative care nurse (fictional)" in t
    assert "Dr Ansel Test (fictional)" in t
    assert "(GP)" not in t  # the GP is the addressee, not a copy
    assert t.count(PLAN) == 1
    referrer = text(build_letter(doc, SETTINGS, tmp_path / "r.pdf"))
    assert "Dr Ansel Test (fictional)" in referrer  # the other recipients on both


def test_gp_copy_without_a_gp_is_refused_and_writes_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    case_id, _ = a_case(ctx, gp=("", ""))
    doc = summaries.case_document(ctx.db, case_id)
    out = tmp_path / "gp.pdf"
    with pytest.raises(LetterRefused, match="no GP recorded"):
        build_letter(doc, SETTINGS, out, to="gp")
    assert not out.exists()
    t = text(build_letter(doc, SETTINGS, tmp_path / "r.pdf"))
    assert "cc:" not in t  # no GP, no one else: no cc line


def test_a_gp_who_referred_is_not_copied_to_themselves(ctx: ServiceContext, tmp_path: Path) -> None:
    case_id, _ = a_case(ctx, gp=("Dr Olwen Pryce", "Imaginary General Hospital — Oncology"))
    t = text(build_letter(summaries.case_document(ctx.db, case_id), SETTINGS, tmp_path / "r.pdf"))
    assert "cc:" not in t


def test_outcome_record_is_one_page_with_decision_attendance_and_seal(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    case_id, signer = a_case(ctx)
    doc = summaries.case_document(ctx.db, case_id)
    d = doc.case.decision
    assert d is not None and re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", d.seal_code)
    out = build_outcome_form(doc, SETTINGS, tmp_path / "record.pdf")
    assert len(PdfReader(out).pages) == 1
    t = text(out)
    for needed in (
        "MDT outcome record",
        "FENWICK, Odile",
        "LET0000001",
        "Is she a candidate for SBRT",
        PLAN,
        "Book SBRT planning CT",
        f"Signed off by {signer}",
        "Quorate",
        "Present (",
        d.seal_code,
        f"mdtboard audit seal {d.seal_code}",
    ):
        assert needed in t, needed
    assert "Dr Tamsin Oakridge" in t  # the GP


def test_the_printed_seal_code_finds_its_record_and_a_change_is_named(
    ctx: ServiceContext,
) -> None:
    from sqlalchemy import update

    from mdtboard.store.models import Decision

    case_id, signer = a_case(ctx)
    d = summaries.case_document(ctx.db, case_id).case.decision
    assert d is not None
    key = audit.load_key(create=False)
    with ctx.db.reader() as s:
        (match,) = seals.find_by_code(s, d.seal_code.lower().replace("-", " "), key)
    assert match.decision_id == d.id and match.signed_off_by == signer
    assert match.mrn == "LET0000001" and match.changed == ()
    with ctx.db.unit_of_work() as s:  # an edit behind the app's back
        s.execute(update(Decision).where(Decision.id == d.id).values(plan_text="Altered"))
    with ctx.db.reader() as s:
        (match,) = seals.find_by_code(s, d.seal_code, key)
    assert match.changed == ("decision",)
    with pytest.raises(ValueError, match="12 hexadecimal digits"):
        seals.normal_code("not-a-code")


def test_a_draft_record_has_no_seal(ctx: ServiceContext, tmp_path: Path) -> None:
    case_id, _ = a_case(ctx, sign=False)
    doc = summaries.case_document(ctx.db, case_id)
    t = text(build_outcome_form(doc, SETTINGS, tmp_path / "draft.pdf"))
    assert "DRAFT" in t and "audit seal" not in t


def test_salutation_reads_the_case_document_names(ctx: ServiceContext, tmp_path: Path) -> None:
    """A referrer written "Family, Given" with letters after it is still "Dr Family"."""
    case_id, _ = a_case(ctx)
    doc = summaries.case_document(ctx.db, case_id)
    doc = replace(doc, case=replace(doc.case, referrer_name="Pryce, Dr Olwen FRCR"))
    t = text(build_letter(doc, SETTINGS, tmp_path / "l.pdf"))
    assert "Dear Dr Pryce," in t
