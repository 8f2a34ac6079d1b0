"""Import hygiene (issue 15, part 10): invisible characters, impossible dates, the same
file twice, the same row twice. All data is fictional."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mdtboard.services import referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.services.importer import AlreadyImported, ImportInvalid, import_referrals
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import Patient, Referral

HEADER = (
    "mrn,family_name,given_name,date_of_birth,received_at,referrer_name,urgency,"
    "disease_kind,histology,compartment,levels,question"
)


def row(
    mrn: str, family: str = "Fictional", born: str = "1950-01-01", question: str = "Plan?"
) -> str:
    return (
        f"{mrn},{family},Test,{born},2026-11-30T08:00:00Z,Dr Demo,routine,"
        f"metastatic,met_breast,extradural,T7,{question}"
    )


def errors_of(ctx: ServiceContext, text: str) -> dict[tuple[int, str], str]:
    with pytest.raises(ImportInvalid) as exc:
        import_referrals(ctx, text)
    return {(e.row, e.column): e.message for e in exc.value.report.errors}


def test_an_invisible_character_in_an_identifier_is_refused_with_the_field_named(
    ctx: ServiceContext,
) -> None:
    text = "\n".join(
        [
            HEADER,
            row("HYG\u200b0001"),  # zero-width space: a second patient that looks identical
            row("HYG0002\u202e"),  # a bidi override
            row("HYG\x1b[31m3"),  # an escape sequence
            row("HYG0004"),
        ]
    )
    problems = errors_of(ctx, text)
    assert set(problems) == {(1, "mrn"), (2, "mrn"), (3, "mrn")}
    assert "U+200B" in problems[(1, "mrn")] and "U+202E" in problems[(2, "mrn")]


def test_free_text_is_stored_nfc_without_invisible_or_control_characters(
    ctx: ServiceContext,
) -> None:
    text = "\n".join(
        [
            HEADER,
            row("HYG0101", family="Zoe\u0308lle\u202e", question="Plan\x1b[2J for T7\u200b?"),
        ]
    )
    assert import_referrals(ctx, text).imported == 1
    with ctx.db.reader() as s:
        family, question = s.execute(
            select(Patient.family_name, Referral.question)
            .join(Referral.patient)
            .where(Patient.mrn == "HYG0101")
        ).one()
    assert family == "Zo\u00eblle"  # composed ë, the override gone
    assert question == "Plan[2J for T7?"


def test_a_birth_after_the_referral_is_refused(ctx: ServiceContext) -> None:
    problems = errors_of(ctx, "\n".join([HEADER, row("HYG0201", born="2026-12-01")]))
    assert "after the referral date" in problems[(1, "date_of_birth")]


def test_the_same_file_twice_is_refused_unless_asked_for(ctx: ServiceContext) -> None:
    text = "\n".join([HEADER, row("HYG0301"), row("HYG0302")])
    assert import_referrals(ctx, text).imported == 2
    with ctx.db.reader() as s:
        before = s.execute(select(func.count()).select_from(Referral)).scalar_one()
    with pytest.raises(AlreadyImported, match="imported before"):
        import_referrals(ctx, text)
    with ctx.db.reader() as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == before
    assert import_referrals(ctx, text, allow_same_file=True).imported == 2


def test_identical_rows_in_one_file_are_reported(ctx: ServiceContext) -> None:
    problems = errors_of(ctx, "\n".join([HEADER, row("HYG0401"), row("HYG0402"), row("HYG0401")]))
    assert problems == {(3, ""): "the same as row 1"}


def test_the_form_refuses_an_invisible_character_in_an_mrn(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as exc:
        referrals.register_referral(
            ctx,
            PatientInput("FORM\u200b01", "Fictional", "Ann", date(1960, 1, 1), "female"),
            ReferralInput(
                received_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
                referrer_name="Dr Demo",
                urgency="routine",
                question="Plan?",
                disease_kind="metastatic",
                histology_key="met_breast",
                compartment="extradural",
                levels=("T7",),
            ),
        )
    assert "U+200B" in exc.value.problems["mrn"]
