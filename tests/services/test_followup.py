"""Was the decision carried out (issue 19 parts 1-2, 6): follow-up per planned modality,
the follow-up due list, case outcomes, discussion time. All data is fictional."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mdtboard.domain.followup import (
    Implementation,
    ItemEntry,
    OutcomeEntry,
    implementation,
    item_problems,
    outcome_problems,
)
from mdtboard.services import discussion_time, followup, seals
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import Conflict, PermissionDenied, ValidationError
from mdtboard.store import audit
from mdtboard.store.models import AuditEvent, Decision, FollowUp

TODAY = date(2026, 12, 2)


def signed_decisions(ctx: ServiceContext) -> list[Decision]:
    """The demo's signed-off decisions with treatments and no follow-up recorded yet."""
    with ctx.db.reader() as s:
        rows = s.execute(
            select(Decision)
            .outerjoin(FollowUp, FollowUp.decision_id == Decision.id)
            .where(Decision.status == "signed_off", FollowUp.id.is_(None))
            .order_by(Decision.id)
        ).scalars()
        out = [d for d in rows if d.modalities]
        for d in out:
            _ = [m.id for m in d.modalities]
        s.expunge_all()
        return out


# --- the rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (ItemEntry("started"), "started_on", "date treatment started"),
        (ItemEntry("completed", date(2026, 11, 20)), "completed_on", "date treatment was"),
        (ItemEntry("not_given"), "reason", "say why"),
        (ItemEntry("not_given", reason="other"), "reason_text", "describe the other"),
        (ItemEntry("not_started", reason="not_fit"), "reason", "not given or changed"),
        (ItemEntry("not_started", started_on=date(2026, 11, 1)), "started_on", "no start date"),
        (ItemEntry("started", date(2026, 12, 3)), "started_on", "in the future"),
        (
            ItemEntry("completed", date(2026, 11, 20), date(2026, 11, 10)),
            "completed_on",
            "before it started",
        ),
        (ItemEntry("given"), "status", "unknown status"),
        (ItemEntry("not_given", reason="bored"), "reason", "unknown reason"),
    ],
)
def test_an_entry_that_cannot_be_stored_names_its_field(
    entry: ItemEntry, field: str, words: str
) -> None:
    problems = item_problems(entry, TODAY)
    assert field in problems and words in problems[field], problems


def test_entries_that_say_what_happened_are_accepted() -> None:
    for entry in (
        ItemEntry("not_started"),
        ItemEntry("started", date(2026, 11, 20)),
        ItemEntry("completed", date(2026, 11, 20), date(2026, 11, 25)),
        ItemEntry("not_given", reason="patient_choice"),
        ItemEntry("started", date(2026, 11, 20), reason="plan_changed"),  # given differently
        ItemEntry("not_given", reason="other", reason_text="Moved abroad (fictional)"),
    ):
        assert item_problems(entry, TODAY) == {}, entry


def test_a_decision_is_implemented_partly_or_not_from_its_modalities() -> None:
    assert implementation(["completed", "started"]) == Implementation.IMPLEMENTED
    assert implementation(["completed", "not_given"]) == Implementation.PARTLY
    assert implementation(["not_given", "not_given"]) == Implementation.NOT_IMPLEMENTED
    assert implementation(["completed", None]) == Implementation.PENDING
    assert implementation(["completed", "not_started"]) == Implementation.PENDING
    assert implementation([]) == Implementation.IMPLEMENTED  # nothing to carry out


def test_an_outcome_needs_its_dates_in_order() -> None:
    treated = date(2026, 9, 1)
    ok = OutcomeEntry("alive", date(2026, 12, 1), "ambulatory", "ambulatory")
    assert outcome_problems(ok, TODAY, treated) == {}
    early = OutcomeEntry("alive", date(2026, 9, 20), "ambulatory")
    assert "30 days" in outcome_problems(early, TODAY, treated)["ambulatory_30d"]
    relapse = OutcomeEntry("died", date(2026, 11, 1), local_recurrence=True)
    assert "date of the recurrence" in outcome_problems(relapse, TODAY)["recurrence_on"]
    late = OutcomeEntry("died", date(2026, 11, 1), retreated=True, retreated_on=date(2026, 11, 5))
    assert "after the date of the vital status" in outcome_problems(late, TODAY)["retreated_on"]
    assert (
        "in the future"
        in outcome_problems(OutcomeEntry("alive", date(2027, 1, 1)), TODAY)["status_on"]
    )
    assert (
        "before treatment"
        in outcome_problems(OutcomeEntry("alive", date(2026, 8, 1)), TODAY, treated)["status_on"]
    )


# --- the service --------------------------------------------------------------------


def test_follow_up_is_recorded_versioned_audited_and_leaves_the_seal_alone(
    ctx: ServiceContext,
) -> None:
    d = signed_decisions(ctx)[0]
    empty = followup.get_followup(ctx.db, d.id)
    assert empty.version == 0 and all(i.status is None for i in empty.items)
    assert empty.implementation == Implementation.PENDING
    first, *rest = [i.modality_id for i in empty.items]
    view = followup.record_followup(
        ctx,
        d.id,
        {first: ItemEntry("completed", date(2026, 11, 20), date(2026, 11, 27))},
        expected_version=0,
        today=TODAY,
    )
    assert view.version == 1 and view.items[0].status == "completed"
    assert view.implementation == (Implementation.PENDING if rest else Implementation.IMPLEMENTED)
    with pytest.raises(Conflict):  # another workstation saved first
        followup.record_followup(ctx, d.id, {}, expected_version=0, today=TODAY)
    again = followup.record_followup(
        ctx,
        d.id,
        {m: ItemEntry("not_given", reason="patient_choice") for m in rest},
        expected_version=1,
        bring_back=True,
        note="Patient declined further treatment (fictional)",
        today=TODAY,
    )
    assert again.items[0].status == "completed"  # kept
    assert again.bring_back and again.version == 2
    if rest:
        assert again.implementation == Implementation.PARTLY
    with ctx.db.reader() as s:
        events = (
            s.execute(
                select(AuditEvent.summary).where(
                    AuditEvent.action == "followup", AuditEvent.entity_id == str(d.id)
                )
            )
            .scalars()
            .all()
        )
        assert len(events) == 2 and "to bring back to the MDT" in events[-1]
        assert seals.verify(s, audit.load_key(create=False)).ok  # the decision is untouched


def test_bad_entries_write_nothing_and_name_the_treatment(ctx: ServiceContext) -> None:
    d = signed_decisions(ctx)[0]
    view = followup.get_followup(ctx.db, d.id)
    m = view.items[0]
    with pytest.raises(ValidationError) as e:
        followup.record_followup(
            ctx, d.id, {m.modality_id: ItemEntry("not_given")}, expected_version=0, today=TODAY
        )
    assert any(m.description in key and "reason" in key for key in e.value.problems)
    with pytest.raises(ValidationError, match="not part of this decision"):
        followup.record_followup(ctx, d.id, {10**6: ItemEntry("not_started")}, expected_version=0)
    assert followup.get_followup(ctx.db, d.id).version == 0


def test_a_read_only_user_may_not_record_follow_up(ctx: ServiceContext) -> None:
    d = signed_decisions(ctx)[0]
    viewer = ServiceContext(ctx.db, Actor("viewer", role="read_only"))
    with pytest.raises(PermissionDenied):
        followup.record_followup(viewer, d.id, {}, expected_version=0)


def test_the_due_list_holds_old_decisions_without_status_and_cases_to_bring_back(
    ctx: ServiceContext,
) -> None:
    decided = signed_decisions(ctx)
    assert len(decided) >= 3
    newest = max(d.signed_off_at for d in decided if d.signed_off_at)
    later = newest + timedelta(days=31)
    due = {x.decision_id: x for x in followup.followup_due(ctx.db, now=later, days=30)}
    assert {d.id for d in decided} <= set(due)
    assert all(due[d.id].reason == "no follow-up recorded" for d in decided)
    a, b, c = decided[:3]
    settle = {i.modality_id: ItemEntry("started", date(2026, 11, 25)) for i in
              followup.get_followup(ctx.db, a.id).items}  # fmt: skip
    followup.record_followup(ctx, a.id, settle, expected_version=0, today=TODAY)
    part = followup.get_followup(ctx.db, b.id)
    one = {part.items[0].modality_id: ItemEntry("not_started")}
    followup.record_followup(ctx, b.id, one, expected_version=0, today=TODAY)
    followup.record_followup(ctx, c.id, {}, expected_version=0, bring_back=True, today=TODAY)
    due = {x.decision_id: x for x in followup.followup_due(ctx.db, now=later, days=30)}
    assert a.id not in due  # every treatment has a status
    assert b.id in due and due[b.id].settled == 0  # "not started" is still awaited
    assert due[c.id].reason == "to bring back to the MDT"
    # before the days have passed only the cases to bring back are listed; they come first
    early = followup.followup_due(ctx.db, now=newest - timedelta(days=400), days=30)
    assert c.id in {x.decision_id for x in early}
    assert all(x.bring_back for x in early)
    listed = followup.followup_due(ctx.db, now=later, days=30)
    flags = [x.bring_back for x in listed]
    assert flags == sorted(flags, reverse=True) and c.id in {x.decision_id for x in listed}
    rest = [x.signed_off_at for x in listed if not x.bring_back]
    assert rest == sorted(rest)


def test_an_outcome_is_recorded_and_corrected_with_its_version(ctx: ServiceContext) -> None:
    d = signed_decisions(ctx)[0]
    with ctx.db.reader() as s:
        referral_id = s.get(Decision, d.id).agenda_item.referral_id  # type: ignore[union-attr]
    assert followup.get_outcome(ctx.db, referral_id).entry is None
    entry = OutcomeEntry("alive", date(2026, 11, 30))
    first = followup.record_outcome(ctx, referral_id, entry, expected_version=0, today=TODAY)
    assert first.version == 1 and first.entry == entry
    died = OutcomeEntry("died", date(2026, 12, 1))
    with pytest.raises(Conflict):
        followup.record_outcome(ctx, referral_id, died, expected_version=0, today=TODAY)
    second = followup.record_outcome(ctx, referral_id, died, expected_version=1, today=TODAY)
    assert second.entry is not None and second.entry.vital_status == "died"
    with pytest.raises(ValidationError, match="future"):
        followup.record_outcome(
            ctx, referral_id, OutcomeEntry("alive", date(2027, 5, 1)), expected_version=2,
            today=TODAY,
        )  # fmt: skip


def test_discussion_time_adds_up_per_case(ctx: ServiceContext) -> None:
    d = signed_decisions(ctx)[0]
    item = d.agenda_item_id
    with ctx.db.reader() as s:
        meeting_id = s.get(Decision, d.id).agenda_item.meeting_id  # type: ignore[union-attr]
    with ctx.db.reader() as s:
        events_before = len(s.execute(select(AuditEvent.id)).all())
    base = discussion_time.times_for(ctx.db, meeting_id).get(item, 0)  # the demo's minutes
    assert discussion_time.add_time(ctx, item, 65.4) == base + 65
    assert discussion_time.add_time(ctx, item, 0.4) == base + 65
    assert discussion_time.add_time(ctx, item, 120) == base + 185
    assert discussion_time.times_for(ctx.db, meeting_id)[item] == base + 185
    with pytest.raises(ValidationError):
        discussion_time.add_time(ctx, item, -1)
    with ctx.db.reader() as s:  # a clock, not a clinical record: no audit event
        assert len(s.execute(select(AuditEvent.id)).all()) == events_before


def test_the_case_history_says_whether_the_decision_was_carried_out(ctx: ServiceContext) -> None:
    from mdtboard.services import meetings

    d = next(x for x in signed_decisions(ctx) if len(x.modalities) >= 2)
    with ctx.db.reader() as s:
        patient_id = s.get(Decision, d.id).agenda_item.patient_id  # type: ignore[union-attr]

    def shown() -> str:
        return next(
            h.followup
            for h in meetings.patient_history(ctx.db, patient_id)
            if h.decision_status == "signed_off"
        )

    assert shown() == "Pending"
    first, second, *rest = [i.modality_id for i in followup.get_followup(ctx.db, d.id).items]
    entries = {first: ItemEntry("started", date(2026, 11, 25))}
    entries[second] = ItemEntry("not_given", reason="patient_choice")
    entries.update(
        {m: ItemEntry("completed", date(2026, 11, 20), date(2026, 11, 21)) for m in rest}
    )
    followup.record_followup(ctx, d.id, entries, expected_version=0, today=TODAY)
    assert shown() == "Partly implemented (patient choice)"
