"""Scores saved with the referral form (issue 16 part 5): the referral and its changed
scores are one transaction with one audit event — or nothing at all (fictional data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from mdtboard.domain.readiness import Light
from mdtboard.services import assessments, referrals
from mdtboard.services.assessments import ScoreChange
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import (
    Conflict,
    PermissionDenied,
    ServiceUnavailable,
    ValidationError,
)
from mdtboard.services.readiness import readiness_of
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import Assessment, AuditEvent, Patient, Referral

PATIENT = PatientInput("DEMO-RS-0101", "Marchbanks", "Elowen", date(1972, 1, 30), "female")


def _referral() -> ReferralInput:
    today = datetime.now(UTC).date()
    return ReferralInput(
        received_at=datetime.now(UTC) - timedelta(hours=1),
        referrer_name="Dr Orrin Vale (demo)",
        urgency="routine",
        question="Surgery for the L4 lesion?",
        disease_kind="primary",
        histology_key="chordoma",
        compartment="extradural",
        levels=("L4",),
        neuro_status="Intact",
        imaging_available=True,
        imaging_date=today,
        pathology_available=True,
        pathology_date=today,
    )


def _counts(ctx: ServiceContext) -> dict[str, Any]:
    with ctx.db.reader() as s:
        return {
            "audit": s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            "patients": s.execute(select(func.count()).select_from(Patient)).scalar_one(),
            "assessments": s.execute(
                select(Assessment.id, Assessment.version, Assessment.answers).order_by(
                    Assessment.id
                )
            ).all(),
            "referrals": s.execute(
                select(Referral.id, Referral.version, Referral.question).order_by(Referral.id)
            ).all(),
        }


def _events_since(ctx: ServiceContext, before: int) -> list[AuditEvent]:
    with ctx.db.reader() as s:
        return list(s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all())[before:]


@pytest.fixture
def case(ctx: ServiceContext) -> referrals.CaseDetail:
    return referrals.register_referral(ctx, PATIENT, _referral())


def test_update_saves_the_referral_and_its_scores_with_one_audit_event(
    ctx: ServiceContext, case: referrals.CaseDetail
) -> None:
    assert readiness_of(ctx.db, case.id).light == Light.AMBER  # KPS or ECOG missing
    before = _counts(ctx)["audit"]
    saved = referrals.update_referral(
        ctx,
        case.id,
        case.version,
        replace(case.data, question="Surgery or radiotherapy?"),
        [ScoreChange("kps", {"kps": 70}), ScoreChange("ecog", {"grade": "1"})],
    )
    assert saved.data.question == "Surgery or radiotherapy?" and saved.status == "ready"
    stored = {a.tool_id: a for a in assessments.list_assessments(ctx.db, case.id)}
    assert stored["kps"].total == 70 and stored["kps"].entered_by == "test.user"
    assert stored["ecog"].complete
    assert readiness_of(ctx.db, case.id).light == Light.GREEN
    events = _events_since(ctx, before)
    assert len(events) == 1 and events[0].entity == "referral"
    assert "changed: question" in events[0].summary
    assert "create kps" in events[0].summary and "create ecog" in events[0].summary


def test_scores_alone_are_one_audit_event_of_the_referral(
    ctx: ServiceContext, case: referrals.CaseDetail
) -> None:
    kps = assessments.record_assessment(ctx, case.id, "kps", {"kps": 80})
    current = referrals.get_case(ctx.db, case.id)
    before = _counts(ctx)["audit"]
    referrals.update_referral(
        ctx,
        case.id,
        current.version,
        current.data,
        [ScoreChange("kps", {"kps": 50}, assessment_id=kps.id, expected_version=kps.version)],
    )
    (event,) = _events_since(ctx, before)
    assert event.summary.startswith("scores: update kps") and "changed" not in event.summary
    assert assessments.list_assessments(ctx.db, case.id)[0].total == 50


def test_register_saves_the_scores_entered_with_the_new_referral(ctx: ServiceContext) -> None:
    before = _counts(ctx)["audit"]
    saved = referrals.register_referral(
        ctx, PATIENT, _referral(), [ScoreChange("kps", {"kps": 90})]
    )
    (kps,) = assessments.list_assessments(ctx.db, saved.id)
    assert kps.tool_id == "kps" and kps.total == 90 and kps.entered_by == "test.user"
    assert saved.status == "ready"
    events = _events_since(ctx, before)
    assert [e.entity for e in events] == ["patient", "referral"]
    assert "scores: create kps" in events[1].summary


def test_a_stale_score_version_saves_nothing_of_the_referral_either(
    ctx: ServiceContext, case: referrals.CaseDetail
) -> None:
    kps = assessments.record_assessment(ctx, case.id, "kps", {"kps": 80})
    current = referrals.get_case(ctx.db, case.id)
    assessments.record_assessment(  # another workstation, meanwhile
        ctx, case.id, "kps", {"kps": 60}, assessment_id=kps.id, expected_version=kps.version
    )
    before = _counts(ctx)
    with pytest.raises(Conflict) as raised:
        referrals.update_referral(
            ctx,
            case.id,
            current.version,
            replace(current.data, question="mine"),
            [
                ScoreChange("frankel", {"grade": "e"}),
                ScoreChange("kps", {"kps": 30}, assessment_id=kps.id, expected_version=kps.version),
            ],
        )
    assert raised.value.entity == "assessment" and raised.value.entity_id == kps.id
    assert _counts(ctx) == before


def test_a_failure_at_the_second_score_rolls_back_the_whole_save(
    ctx: ServiceContext, case: referrals.CaseDetail, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = assessments.record_in
    calls: list[str] = []

    def second_fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[3])
        if len(calls) == 2:
            raise ServiceUnavailable("injected failure of the second score")
        return real(*args, **kwargs)

    monkeypatch.setattr(assessments, "record_in", second_fails)
    before = _counts(ctx)
    with pytest.raises(ServiceUnavailable, match="injected"):
        referrals.update_referral(
            ctx,
            case.id,
            case.version,
            replace(case.data, question="changed"),
            [ScoreChange("kps", {"kps": 70}), ScoreChange("ecog", {"grade": "1"})],
        )
    assert calls == ["kps", "ecog"] and _counts(ctx) == before
    calls.clear()
    with pytest.raises(ServiceUnavailable, match="injected"):
        referrals.register_referral(
            ctx,
            replace(PATIENT, mrn="DEMO-RS-0102"),
            _referral(),
            [ScoreChange("kps", {"kps": 70}), ScoreChange("ecog", {"grade": "1"})],
        )
    assert _counts(ctx) == before  # no patient, no referral, no score


def test_a_coordinator_may_enter_scores_and_a_reader_nothing(
    ctx: ServiceContext, case: referrals.CaseDetail
) -> None:
    """Issue 16 part 5: "a clinician or coordinator can enter scores on the referral"."""
    reader = ServiceContext(ctx.db, Actor("reader.r", "read_only"))
    before = _counts(ctx)
    with pytest.raises(PermissionDenied):
        referrals.update_referral(
            reader, case.id, case.version, case.data, [ScoreChange("kps", {"kps": 70})]
        )
    assert _counts(ctx) == before
    coordinator = ServiceContext(ctx.db, Actor("coord.c", "coordinator"))
    referrals.update_referral(
        coordinator, case.id, case.version, case.data, [ScoreChange("kps", {"kps": 70})]
    )
    assert _counts(ctx) != before


def test_a_score_the_engine_refuses_names_its_tool_and_stores_nothing(
    ctx: ServiceContext,
) -> None:
    before = _counts(ctx)
    with pytest.raises(ValidationError) as raised:
        referrals.register_referral(
            ctx, PATIENT, _referral(), [ScoreChange("kps", {"kps": 75})]
        )  # KPS is in steps of 10
    assert "kps" in raised.value.problems
    assert _counts(ctx) == before
