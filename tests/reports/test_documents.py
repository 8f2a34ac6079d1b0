"""PDF documents read back with pypdf: every required field, page numbers, Unicode, DRAFT."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from mdtboard.reports import (
    LetterSettings,
    ReportCancelled,
    build_agenda,
    build_letter,
    build_summary,
)
from mdtboard.services import decisions, meetings, referrals, summaries
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.services.settings import get_settings

UNICODE_NAMES = ("Łukasiewicz-Ñúñez", "Zoë", "Ødegård", "Μαρία")


def pages(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", "\n".join(pages(path)))


def past_meeting(ctx: ServiceContext) -> int:
    return next(m.id for m in meetings.list_meetings(ctx.db) if m.status == "closed")


def planned_meeting(ctx: ServiceContext) -> int:
    return next(m.id for m in meetings.list_meetings(ctx.db) if m.status == "planned")


def assert_page_numbers(path: Path) -> None:
    texts = pages(path)
    n = len(texts)
    for i, t in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in t
        assert "CONFIDENTIAL" in t and "mdtboard 0.1.0" in t and "Generated" in t


def test_agenda_has_every_required_field(ctx: ServiceContext, tmp_path: Path) -> None:
    mid = planned_meeting(ctx)
    report = summaries.meeting_report(ctx.db, mid)
    out = build_agenda(report, tmp_path / "agenda.pdf")
    t = text(out)
    m = report.meeting
    for needed in (
        "MDT agenda",
        m.title,
        m.location,
        "Expected attendees",
        "Spine surgeon",
        "Pathologist",
        "Readiness",
    ):
        assert needed in t, needed
    for c in report.cases:
        assert c.patient.mrn in t and c.patient.family_name.upper() in t
        assert c.question[:20] in t
    assert "MSCC emergency" in t or all(c.urgency != "mscc" for c in report.cases)
    assert "DRAFT" not in t
    assert_page_numbers(out)


def test_summary_has_every_required_field(ctx: ServiceContext, tmp_path: Path) -> None:
    mid = past_meeting(ctx)
    report = summaries.meeting_report(ctx.db, mid)
    out = build_summary(report, tmp_path / "summary.pdf")
    t = text(out)
    for needed in (
        "outcome summary",
        "Attendance",
        "Quorum",
        "Decision",
        "Consensus plan",
        "Intent",
        "Rationale",
        "Dissent",
        "Sign-off",
        "Signed off by",
        "decision support for the MDT",
        "Send outcome letter to referrer",
        "Deferred and withdrawn cases",
        "Undiscussed cases",
        "Biopsy / pathology",
        "Spinal levels",
    ):
        assert needed in t, needed
    discussed = [c for c in report.cases if c.agenda_status == "discussed"]
    assert discussed
    for c in discussed:
        assert c.patient.mrn in t and c.levels_text in t
        for s in c.scores:
            if s.complete and s.total is not None:
                assert f"Total {s.total}" in t
        assert c.decision is not None and c.decision.data.plan_text[:25] in t
    assert "DRAFT" not in t
    assert len(pages(out)) > 2
    assert_page_numbers(out)


def register_meningioma(
    ctx: ServiceContext, patient: PatientInput, referrer: str
) -> referrals.CaseDetail:
    """A routine fictional referral with accents in its names."""
    return referrals.register_referral(
        ctx,
        patient,
        ReferralInput(
            received_at=datetime.now(UTC) - timedelta(days=1),
            referrer_name=referrer,
            urgency="routine",
            question="Résection?",
            disease_kind="primary",
            histology_key="meningioma",
            compartment="idem",
            levels=("T4",),
        ),
    )


def test_unicode_names_survive_and_fonts_are_embedded(ctx: ServiceContext, tmp_path: Path) -> None:
    mid = planned_meeting(ctx)
    for n, name in enumerate(UNICODE_NAMES):
        case = register_meningioma(
            ctx,
            PatientInput(f"UNI{n:07d}", name, "Ανδρέας" if n == 3 else "Zoë", date(1970, 1, n + 1)),
            "Dr Þórunn Test",
        )
        meetings.list_case(ctx, mid, case.id)
    out = build_agenda(summaries.meeting_report(ctx.db, mid), tmp_path / "u.pdf")
    t = text(out)
    for name in UNICODE_NAMES:
        assert name.upper() in t, name
    assert "Ανδρέας" in t
    fonts = set()
    for page in PdfReader(out).pages:
        for font in page["/Resources"]["/Font"].values():
            obj = font.get_object()
            descriptor = (
                obj["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if ("/DescendantFonts" in obj)
                else obj.get("/FontDescriptor")
            )
            if descriptor is not None:
                d = descriptor.get_object()
                assert "/FontFile2" in d, obj["/BaseFont"]
                fonts.add(str(obj["/BaseFont"]))
    assert any("DejaVu" in f for f in fonts)


def test_unsigned_decision_carries_draft(ctx: ServiceContext, tmp_path: Path) -> None:
    mid = planned_meeting(ctx)
    item = meetings.agenda(ctx.db, mid)[0]
    decisions.save_draft(
        ctx,
        item.id,
        DecisionInput(
            intent="palliative",
            plan_text="Draft plan under discussion",
            modalities=(ModalityInput("palliative_care", {}),),
        ),
    )
    report = summaries.meeting_report(ctx.db, mid)
    out = build_summary(report, tmp_path / "draft.pdf")
    every = pages(out)
    assert all("DRAFT" in p for p in every)
    assert "DRAFT — not signed off" in text(out)


def test_letter_plain_language_and_draft(ctx: ServiceContext, tmp_path: Path) -> None:
    mid = past_meeting(ctx)
    item = next(e for e in meetings.agenda(ctx.db, mid) if e.status == "discussed")
    doc = summaries.case_document(ctx.db, item.referral_id)
    case = doc.case
    settings = LetterSettings(
        ("Fictional Spine Centre", "Spine MDT"), "Dr Chair Person", "Chair", "Call 000"
    )
    out = build_letter(doc, settings, tmp_path / "letter.pdf")
    t = text(out)
    for needed in (
        "Fictional Spine Centre",
        case.referrer_name,
        case.patient.mrn,
        "What the MDT recommends",
        case.decision.signed_off_by if case.decision else "",
        "not a treatment order",
        "Page 1 of 1",
    ):
        assert needed in t, needed
    assert "DRAFT" not in t
    nocase = summaries.case_document(ctx.db, 40)
    if nocase.case.decision is None:
        with pytest.raises(ValueError, match="no MDT decision"):
            build_letter(nocase, settings, tmp_path / "none.pdf")
        assert not (tmp_path / "none.pdf").exists()


def test_cancelled_export_leaves_no_file(ctx: ServiceContext, tmp_path: Path) -> None:
    report = summaries.meeting_report(ctx.db, past_meeting(ctx))
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "cancel.pdf"
    with pytest.raises(ReportCancelled):
        build_summary(report, out, cancelled=lambda: True)
    assert list(folder.iterdir()) == []  # neither the PDF nor a partial file


def test_cli_export_on_a_fresh_demo_database(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    db = tmp_path / "x.db"
    env = {**os.environ, "MDTBOARD_DB": str(db)}
    assert (
        subprocess.run(
            [sys.executable, "-m", "mdtboard", "demo"], env=env, capture_output=True, timeout=120
        ).returncode
        == 0
    )
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "mdtboard",
            "export",
            "summary",
            "--meeting",
            "last",
            "--out",
            str(tmp_path / "s.pdf"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "sha256" in res.stdout and (tmp_path / "s.pdf").stat().st_size > 10_000
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "mdtboard",
            "export",
            "agenda",
            "--meeting",
            "999",
            "--out",
            str(tmp_path / "a.pdf"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "meeting 999 does not exist" in bad.stderr
    assert not (tmp_path / "a.pdf").exists()
    verify = subprocess.run(
        [sys.executable, "-m", "mdtboard", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr


def test_agenda_states_date_urgency_and_each_readiness_warning(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    from mdtboard.domain.vocab import Urgency

    mid = planned_meeting(ctx)
    report = summaries.meeting_report(ctx.db, mid)
    t = text(build_agenda(report, tmp_path / "agenda.pdf"))
    assert report.meeting.starts_at.astimezone().strftime("%d %b %Y") in t
    for c in report.cases:
        assert Urgency(c.urgency).label in t
        assert c.readiness is not None
        for reason in c.readiness.reasons:
            if not c.readiness.ready:
                assert reason.message[:30] in t, reason.message


def test_summary_states_chair_histology_noms_modalities_and_item_scores(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    from mdtboard.domain.scores import TOOLS
    from mdtboard.reports.documents import _noms_label
    from mdtboard.ui.modality_editor import describe

    report = summaries.meeting_report(ctx.db, past_meeting(ctx))
    t = text(build_summary(report, tmp_path / "summary.pdf"))
    assert report.meeting.chair and report.meeting.chair in t
    for c in (c for c in report.cases if c.agenda_status == "discussed"):
        assert c.histology_label in t
        assert c.decision is not None
        assert _noms_label(c.decision.data.noms_band) in t
        for mod in c.decision.data.modalities:
            assert describe(mod)[:30] in t, describe(mod)
        for s in c.scores:
            tool = TOOLS[s.tool_id]
            for key in s.answers:
                item = tool.item(key)
                assert item is not None and item.label in t, (s.tool_id, key)


def test_summary_flags_not_quorate_and_amendments_with_their_reason(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    mid = planned_meeting(ctx)
    item = meetings.agenda(ctx.db, mid)[0]
    plan = DecisionInput(
        intent="palliative",
        plan_text="Palliative radiotherapy first",
        modalities=(ModalityInput("cebrt", {"dose_gy": 8, "fractions": 1}),),
    )
    draft = decisions.save_draft(ctx, item.id, plan)
    signed = decisions.sign_off(ctx, item.id, draft.version, "Ms Chair (demo)")
    decisions.amend(
        ctx,
        item.id,
        signed.version,
        DecisionInput(
            intent="palliative",
            plan_text="Palliative radiotherapy 20 Gy in 5 fractions instead",
            modalities=(ModalityInput("cebrt", {"dose_gy": 20, "fractions": 5}),),
        ),
        "Dose corrected after the meeting",
    )
    t = text(build_summary(summaries.meeting_report(ctx.db, mid), tmp_path / "amended.pdf"))
    assert "Amendment history" in t
    assert "Dose corrected after the meeting" in t
    assert "Palliative radiotherapy first" in t  # the earlier version is still there
    assert "NOT QUORATE" in t  # the demo meeting's attendance is incomplete


def test_non_ascii_names_survive_in_the_summary_and_the_letter(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    mid = planned_meeting(ctx)
    case = register_meningioma(
        ctx,
        PatientInput("UNI9000001", "Łukasiewicz-Ñúñez", "Zoë", date(1970, 1, 2)),
        "Dr Ødegård Μαρία",
    )
    entry = meetings.list_case(ctx, mid, case.id)
    draft = decisions.save_draft(
        ctx,
        entry.id,
        DecisionInput(
            intent="curative",
            plan_text="Resection by the spinal team",
            modalities=(ModalityInput("surgery", {"procedure": "total_resection_intradural"}),),
        ),
    )
    decisions.sign_off(ctx, entry.id, draft.version, "Ms Chair (demo)")
    summary = text(build_summary(summaries.meeting_report(ctx.db, mid), tmp_path / "s.pdf"))
    assert "ŁUKASIEWICZ-ÑÚÑEZ" in summary and "Zoë" in summary
    one = summaries.case_document(ctx.db, case.id)
    from mdtboard.services.settings import get_settings

    letter = text(
        build_letter(one, LetterSettings.from_settings(get_settings(ctx.db)), tmp_path / "l.pdf")
    )
    assert "Zoë" in letter and "Dr Ødegård Μαρία" in letter


def test_letter_takes_letterhead_from_the_settings_and_is_signed_by_the_signer(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    from mdtboard.services import settings

    settings.update_settings(
        ctx,
        letterhead=("Imaginary Royal Infirmary", "Spinal Tumour Board"),
        signatory_name="Prof Quill Example",
        signatory_title="Chair, Spinal Tumour Board",
    )
    item = next(e for e in meetings.agenda(ctx.db, past_meeting(ctx)) if e.status == "discussed")
    doc = summaries.case_document(ctx.db, item.referral_id)
    letter_settings = LetterSettings.from_settings(settings.get_settings(ctx.db))
    t = text(build_letter(doc, letter_settings, tmp_path / "letter.pdf"))
    assert doc.case.decision is not None
    for needed in (
        "Imaginary Royal Infirmary",
        "Spinal Tumour Board",
        doc.case.decision.signed_off_by,
        "on behalf of the Spinal Tumour Board",
    ):
        assert needed in t, needed
    # the settings' signatory signs only a draft (tests/reports/test_letters.py)
    assert "Prof Quill Example" not in t


def test_a_very_long_question_and_plan_run_across_pages(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    """Table cells split across pages: a long referral question (agenda) or a long plan
    (summary) used to stop the document with "Flowable too large"."""
    question = " ".join(f"Q{n} question words for the fictional MDT." for n in range(400))
    plan = " ".join(f"P{n} plan line for the fictional MDT." for n in range(1500))
    case = referrals.register_referral(
        ctx,
        PatientInput("LONG000001", "Lengthy", "Fictional", date(1960, 1, 2), "female"),
        ReferralInput(
            received_at=datetime.now(UTC) - timedelta(days=1),
            referrer_name="Dr Example (fictional)",
            urgency="routine",
            question=question,
            disease_kind="metastatic",
            histology_key="met_renal",
            compartment="extradural",
            levels=("T9",),
        ),
    )
    m = meetings.create_meeting(ctx, title="Long text MDT", starts_at=datetime.now(UTC))
    item = meetings.list_case(ctx, m.id, case.id)
    decisions.save_draft(ctx, item.id, DecisionInput(intent="palliative", plan_text=plan))
    report = summaries.meeting_report(ctx.db, m.id)
    agenda = text(build_agenda(report, tmp_path / "agenda.pdf"))
    summary_path = build_summary(report, tmp_path / "summary.pdf")
    assert "Q399 question words" in agenda  # the end of the question is there
    assert "P1499 plan line" in text(summary_path) and len(pages(summary_path)) > 2


def meeting_with(
    ctx: ServiceContext, wanted: Callable[[summaries.CaseReport], bool]
) -> tuple[summaries.MeetingReport, list[summaries.CaseReport]]:
    """The first meeting with a decided case of this kind, and those cases."""
    for m in meetings.list_meetings(ctx.db):
        report = summaries.meeting_report(ctx.db, m.id)
        found = [c for c in report.cases if c.decision and wanted(c)]
        if found:
            return report, found
    pytest.fail("the demo data has no such decided case")


def test_s9_4_primary_tumour_documents_show_the_pathway_never_a_noms_suggestion(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    """reference/scores.md §9.4 (D16) and §12: a chordoma's summary shows its staging and
    the primary-tumour pathway; a metastasis keeps its NOMS suggestion."""
    report, _ = meeting_with(ctx, lambda c: c.histology_key == "chordoma")
    out = build_summary(report, tmp_path / "summary.pdf")
    blocks = text(out).split(" — MRN ")
    chordoma = next(b for b in blocks if "Chordoma (primary" in b)
    assert "Primary-tumour pathway" in chordoma and "NOMS does not apply" in chordoma
    assert "NOMS suggestion" not in chordoma
    assert "Enneking stage (§12.1) IB" in chordoma and "WBB zones (§12.2) 5, 6, 7" in chordoma
    assert "vertebrectomy" in chordoma  # the §12.2 reading, as support
    assert "Proton therapy 74 Gy(RBE) in 37 fractions" in chordoma
    first = summaries.meeting_report(ctx.db, past_meeting(ctx))
    assert any(c.disease_kind == "metastatic" for c in first.cases)
    others = text(build_summary(first, tmp_path / "first.pdf")).split(" — MRN ")
    metastases = [b for b in others if "(metastatic," in b]
    assert metastases and all("NOMS suggestion" in b for b in metastases)


def test_s11_mscc_clocks_in_the_summary_and_the_letter(ctx: ServiceContext, tmp_path: Path) -> None:
    """reference/scores.md §11: the QS56 clocks, counted from the suspicion, in documents."""
    report, emergencies = meeting_with(ctx, lambda c: c.urgency == "mscc")
    out = build_summary(report, tmp_path / "summary.pdf")
    t = text(out)
    assert "MSCC clocks (QS56)" in t
    for needed in ("Suspicion → MRI:", "Suspicion → agreed plan:", "Decision → radiotherapy:"):
        assert needed in t, needed
    assert "QS56 statement 3" in t and "QS56 statement 6" in t and "information only" in t
    doc = summaries.case_document(ctx.db, emergencies[0].referral_id)
    case = doc.case
    assert case.pathway is not None and case.pathway.suspected_mscc
    letter = build_letter(
        doc, LetterSettings.from_settings(get_settings(ctx.db)), tmp_path / "l.pdf"
    )
    lt = text(letter)
    assert "Metastatic spinal cord compression pathway (NICE QS56)" in lt
    assert "Suspicion → agreed plan:" in lt
