"""Registering and editing referrals through the service layer (fictional data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mdtboard.services import referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, ValidationError
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import AuditEvent, Patient, Referral

PATIENT = PatientInput("TEST0001", "Imaginary", "Zoë", date(1961, 5, 17), "female")
REFERRAL = ReferralInput(
    received_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    referrer_name="Dr Test Referrer",
    urgency="urgent",
    question="Stabilise T11?",
    disease_kind="metastatic",
    histology_key="met_renal",
    compartment="extradural",
    levels=("T12", "T11"),
)


def count(ctx: ServiceContext, model: type) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_register_creates_patient_referral_levels_and_audit(ctx: ServiceContext) -> None:
    before = count(ctx, AuditEvent)
    case = referrals.register_referral(ctx, PATIENT, REFERRAL)
    assert case.data.levels == ("T11", "T12")  # spine order
    assert case.levels_text == "T11–T12"
    assert case.status == "new" and case.version == 1
    with ctx.db.reader() as s:
        row = s.get(Referral, case.id)
        assert row is not None and row.levels_text == "T11–T12"
        assert row.patient.mrn == "TEST0001"
    events = count(ctx, AuditEvent) - before
    assert events == 2  # patient created, referral created


def test_second_referral_reuses_the_patient(ctx: ServiceContext) -> None:
    first = referrals.register_referral(ctx, PATIENT, REFERRAL)
    second = referrals.register_referral(ctx, PATIENT, replace(REFERRAL, question="Follow-up?"))
    assert first.patient.id == second.patient.id


def test_mrn_of_someone_else_is_refused(ctx: ServiceContext) -> None:
    referrals.register_referral(ctx, PATIENT, REFERRAL)
    other = replace(PATIENT, family_name="Different", date_of_birth=date(1970, 1, 1))
    patients = count(ctx, Patient)
    with pytest.raises(ValidationError) as exc:
        referrals.register_referral(ctx, other, REFERRAL)
    assert "mrn" in exc.value.problems
    assert count(ctx, Patient) == patients


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"question": "  "}, "question"),
        ({"levels": ()}, "levels"),
        ({"levels": ("T13",)}, "levels"),
        ({"histology_key": "not_a_tumour"}, "histology_key"),
        ({"urgency": "whenever"}, "urgency"),
        ({"received_at": datetime.now(UTC) + timedelta(days=2)}, "received_at"),
        ({"received_at": datetime(2026, 1, 1)}, "received_at"),
        ({"imaging_available": True}, "imaging_date"),
        ({"referrer_name": ""}, "referrer_name"),
        ({"mri_at": datetime.now(UTC) + timedelta(hours=3)}, "mri_at"),
        ({"dexamethasone_started_at": datetime(2026, 1, 1, 8)}, "dexamethasone_started_at"),
    ],
)
def test_bad_referral_input_names_the_field_and_writes_nothing(
    ctx: ServiceContext, change: dict[str, object], field: str
) -> None:
    before = (count(ctx, Referral), count(ctx, AuditEvent))
    with pytest.raises(ValidationError) as exc:
        referrals.register_referral(ctx, PATIENT, replace(REFERRAL, **change))  # type: ignore[arg-type]
    assert field in exc.value.problems
    assert (count(ctx, Referral), count(ctx, AuditEvent)) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mrn": ""}, "mrn"),
        ({"family_name": " "}, "family_name"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"date_of_birth": date(2999, 1, 1)}, "date_of_birth"),
        ({"sex": "x"}, "sex"),
    ],
)
def test_bad_patient_input_names_the_field(
    ctx: ServiceContext, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        referrals.register_referral(ctx, replace(PATIENT, **change), REFERRAL)  # type: ignore[arg-type]
    assert field in exc.value.problems


def test_update_with_stale_version_is_a_conflict(ctx: ServiceContext) -> None:
    case = referrals.register_referral(ctx, PATIENT, REFERRAL)
    updated = referrals.update_referral(
        ctx, case.id, case.version, replace(case.data, question="A?")
    )
    assert updated.version == case.version + 1
    with pytest.raises(Conflict):
        referrals.update_referral(ctx, case.id, case.version, replace(case.data, question="B?"))
    assert referrals.get_case(ctx.db, case.id).data.question == "A?"


def test_likely_duplicates_same_name_and_dob(ctx: ServiceContext) -> None:
    referrals.register_referral(ctx, PATIENT, REFERRAL)
    dups = referrals.likely_duplicates(ctx.db, "imaginary", "ZOË", date(1961, 5, 17), "OTHER1")
    assert [d.mrn for d in dups] == ["TEST0001"]
    assert referrals.likely_duplicates(ctx.db, "Imaginary", "Zoë", date(1961, 5, 18)) == []


def test_differential_checklist_is_recorded_and_audited(ctx: ServiceContext) -> None:
    saved = referrals.record_differential(ctx, 1, {"spondylodiscitis": "ruled_out"})
    assert saved["spondylodiscitis"] == "ruled_out" and saved["sciatica"] == "not_considered"
    with ctx.db.reader() as s:
        row = s.get(Referral, 1)
        assert row is not None and row.differential == saved
    with pytest.raises(ValidationError, match="gout"):
        referrals.record_differential(ctx, 1, {"gout": "possible"})


def test_readiness_is_derived_when_read_never_stored(ctx: ServiceContext) -> None:
    """Issue 16 part 3: "ready" is the readiness light worked out when the case is
    read, so a case whose imaging ages out of date stops being shown as ready without
    anyone touching it (docs/clinical-rules.md: readiness, imaging age)."""
    from mdtboard.services import assessments, worklist

    today = datetime.now(UTC).date()
    primary = replace(
        REFERRAL,
        disease_kind="primary",
        histology_key="schwannoma",
        compartment="idem",
        neuro_status="Neurologically intact",
        imaging_available=True,
        imaging_date=today,
        pathology_available=True,
        pathology_date=today,
    )
    case = referrals.register_referral(ctx, PATIENT, primary)
    assert case.status == "new"  # no performance score yet: not ready
    assessments.record_assessment(ctx, case.id, "kps", {"kps": 80})
    case = referrals.get_case(ctx.db, case.id)
    assert case.status == "ready"
    with ctx.db.reader() as s:
        assert s.get(Referral, case.id).status == "new"  # the stored status
    max_age = worklist.CaseQuery().imaging_max_age_days

    def shown(on: date) -> str:
        """Its status in the worklist on a given day; the counts agree with the filter."""
        rows = worklist.fetch_cases(ctx.db, worklist.CaseQuery(today=on), 0, 100)
        ready = worklist.fetch_cases(
            ctx.db, worklist.CaseQuery(today=on, statuses=("ready",)), 0, 100
        )
        assert worklist.status_counts(ctx.db, today=on).get("ready", 0) == len(ready)
        assert {r.referral_id for r in ready} == {
            r.referral_id for r in rows if r.status == "ready"
        }
        return next(r.status for r in rows if r.referral_id == case.id)

    assert shown(today) == "ready"
    assert shown(today + timedelta(days=max_age + 1)) == "new"  # the same imaging, too old


def test_a_case_imported_from_csv_has_the_status_of_the_same_case_typed_in(
    ctx: ServiceContext,
) -> None:
    """Issue 16 part 3: one lifecycle for the form and the import, before and after the
    same score is recorded on each."""
    from mdtboard.services import assessments
    from mdtboard.services.importer import import_referrals

    today = datetime.now(UTC).date().isoformat()
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    typed = referrals.register_referral(
        ctx,
        replace(PATIENT, mrn="TYPED001"),
        replace(
            REFERRAL,
            received_at=datetime.now(UTC),
            disease_kind="primary",
            histology_key="schwannoma",
            compartment="idem",
            levels=("T7",),
            question="Plan?",
            neuro_status="Neurologically intact",
            imaging_available=True,
            imaging_date=date.fromisoformat(today),
            pathology_available=True,
            pathology_date=date.fromisoformat(today),
        ),
    )
    csv = (
        "mrn,family_name,given_name,date_of_birth,received_at,referrer_name,urgency,"
        "disease_kind,histology,compartment,levels,question,neuro_status,imaging_date,"
        "pathology_date\n"
        f"CSV00001,Fictional,Test,1950-01-01,{yesterday}T08:00:00Z,Dr Demo,urgent,primary,"
        f"schwannoma,idem,T7,Plan?,Neurologically intact,{today},{today}\n"
    )
    import_referrals(ctx, csv)
    with ctx.db.reader() as s:
        imported_id = s.execute(
            select(Referral.id).join(Patient).where(Patient.mrn == "CSV00001")
        ).scalar_one()
    ids = (typed.id, imported_id)
    assert [referrals.get_case(ctx.db, i).status for i in ids] == ["new", "new"]
    for i in ids:
        assessments.record_assessment(ctx, i, "kps", {"kps": 80})
    assert [referrals.get_case(ctx.db, i).status for i in ids] == ["ready", "ready"]
