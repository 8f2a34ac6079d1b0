"""Text both engines can store: a NUL character or text longer than its column is
refused with the field named, before anything is written (SQLite would store both;
PostgreSQL refuses them). Runs on SQLite and PostgreSQL (fictional data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, text

from mdtboard.services import auth, decisions, meetings, members, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import ActionInput, DecisionInput
from mdtboard.services.errors import ServiceUnavailable, ValidationError
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.models import AuditEvent, Patient
from tests.services.test_referrals import PATIENT, REFERRAL

LONG = "x" * 1000
NUL = "bad\x00value"


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count(AuditEvent.id))).scalar_one())


def listed_item(ctx: ServiceContext) -> int:
    m = meetings.create_meeting(ctx, title="Text test", starts_at=datetime.now(UTC))
    rid = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0].referral_id
    return meetings.list_case(ctx, m.id, rid).id


Setup = Callable[[ServiceContext], Any]
Act = Callable[[ServiceContext, Any, str], Any]


def nothing(_ctx: ServiceContext) -> None:
    return None


CASES: dict[str, tuple[str, Setup, Act]] = {
    "patient name": (
        "family_name",
        nothing,
        lambda c, _, v: referrals.register_referral(c, replace(PATIENT, family_name=v), REFERRAL),
    ),
    "MRN": (
        "mrn",
        nothing,
        lambda c, _, v: referrals.register_referral(c, replace(PATIENT, mrn=v), REFERRAL),
    ),
    "referrer": (
        "referrer_name",
        nothing,
        lambda c, _, v: referrals.register_referral(c, PATIENT, replace(REFERRAL, referrer_name=v)),
    ),
    "question": (
        "question",
        nothing,
        lambda c, _, v: referrals.register_referral(c, PATIENT, replace(REFERRAL, question=v)),
    ),
    "meeting title": (
        "title",
        nothing,
        lambda c, _, v: meetings.create_meeting(c, title=v, starts_at=datetime.now(UTC)),
    ),
    "meeting link": (
        "video_link",
        nothing,
        lambda c, _, v: meetings.create_meeting(
            c, title="MDT", starts_at=datetime.now(UTC), video_link=v
        ),
    ),
    "member": ("name", nothing, lambda c, _, v: members.add_member(c, v, "nurse_specialist")),
    "account": (
        "display_name",
        nothing,
        lambda c, _, v: auth.create_user(c, "fuzz.user", v, "coordinator", "fictional-pass-1"),
    ),
    "plan": (
        "plan_text",
        listed_item,
        lambda c, item, v: decisions.save_draft(c, item, DecisionInput(plan_text=v)),
    ),
    "dissent by": (
        "dissent_by",
        listed_item,
        lambda c, item, v: decisions.save_draft(c, item, DecisionInput(dissent_by=v)),
    ),
    "action owner": (
        "actions[0].owner",
        listed_item,
        lambda c, item, v: decisions.save_draft(
            c, item, DecisionInput(actions=(ActionInput("Book MRI", v),))
        ),
    ),
    "deferral reason": (
        "reason",
        listed_item,
        lambda c, item, v: meetings.set_item_status(c, item, meetings.AgendaStatus.DEFERRED, v),
    ),
}


@pytest.mark.parametrize("value", [NUL, LONG], ids=["nul", "too-long"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_unstorable_text_is_refused_with_the_field_named_and_nothing_written(
    ctx: ServiceContext, case: str, value: str
) -> None:
    field, setup, act = CASES[case]
    if value is LONG and field in ("question", "plan_text", "reason"):
        pytest.skip("a text column has no length limit")
    prepared = setup(ctx)
    before = audit_count(ctx)
    with pytest.raises(ValidationError) as exc:
        act(ctx, prepared, value)
    message = exc.value.problems[field]
    if value is NUL:
        assert "NUL character" in message
    else:
        assert "1000 characters" in message or "longer than" in message
    assert audit_count(ctx) == before  # every change is audited: none was made


def test_a_refused_value_writes_nothing(ctx: ServiceContext) -> None:
    before = audit_count(ctx)
    with ctx.db.reader() as s:
        patients = s.execute(select(func.count(Patient.id))).scalar_one()
    with pytest.raises(ValidationError):
        referrals.register_referral(ctx, replace(PATIENT, given_name=NUL), REFERRAL)
    assert audit_count(ctx) == before
    with ctx.db.reader() as s:
        assert s.execute(select(func.count(Patient.id))).scalar_one() == patients


def test_text_at_the_limit_is_stored_as_given(ctx: ServiceContext) -> None:
    name = "Ñ" * 100  # the column holds 100 characters
    case = referrals.register_referral(ctx, replace(PATIENT, family_name=name), REFERRAL)
    with ctx.db.reader() as s:
        assert s.get(Patient, case.patient.id).family_name == name  # type: ignore[union-attr]


def test_a_value_the_database_refuses_anyway_is_a_plain_error(ctx: ServiceContext) -> None:
    """Past the checks (here: written directly), the database's refusal becomes one plain
    sentence, without the value (it may be a patient's), and nothing is written."""
    if ctx.db.dialect != "postgresql":
        pytest.skip("SQLite stores any text: nothing for it to refuse")
    before = audit_count(ctx)
    with pytest.raises(ServiceUnavailable) as exc, ctx.unit_of_work() as s:
        ctx.audit(s, "create", "patient", 1, "about to fail")
        s.execute(text("UPDATE patients SET mrn = :v WHERE id = 1"), {"v": "SECRET" * 20})
    assert "refused a value" in str(exc.value) and "SECRET" not in str(exc.value)
    assert audit_count(ctx) == before


def test_searching_for_text_with_a_nul_finds_nothing_and_does_not_fail(
    ctx: ServiceContext,
) -> None:
    """PostgreSQL refuses a NUL even in a query: searches containing one find nothing."""
    from mdtboard.services import audit_log, worklist
    from mdtboard.services.audit_log import AuditFilter

    assert worklist.fetch_cases(ctx.db, CaseQuery(search="DEMO\x00"), 0, 10) == []
    assert worklist.count_cases(ctx.db, CaseQuery(search="a\x00")) == 0
    assert referrals.find_patient_by_mrn(ctx.db, "DEMO\x000001") is None
    assert referrals.likely_duplicates(ctx.db, "A\x00", "B", PATIENT.date_of_birth) == []  # type: ignore[arg-type]
    assert audit_log.fetch_events(ctx, AuditFilter(text="x\x00"), 0, 10) == []
    assert audit_log.count_events(ctx, AuditFilter(user="u\x00")) == 0


def test_possible_duplicates_ignore_case_in_any_alphabet(ctx: ServiceContext) -> None:
    """SQLite's lower() folds only A-Z: the comparison is made in Python, the same on
    both engines."""
    made = referrals.register_referral(
        ctx, replace(PATIENT, mrn="DUPE000001", family_name="Çelik", given_name="Ayşe"), REFERRAL
    )
    found = referrals.likely_duplicates(ctx.db, "ÇELIK", "AYŞE", PATIENT.date_of_birth)  # type: ignore[arg-type]
    assert [p.id for p in found] == [made.patient.id]
