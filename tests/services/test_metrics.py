"""Board metrics (issue 19 part 4) against figures worked out by hand on a small fictional
fixture: three meetings in January 2020, a month the demo data never touches, added to
the demo database on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdtboard.services import metrics
from mdtboard.services.context import ServiceContext
from mdtboard.store.models import (
    AgendaItem,
    Attendance,
    Decision,
    DiscussionTime,
    FollowUp,
    FollowUpItem,
    Meeting,
    Member,
    Modality,
    Patient,
    Referral,
)

JAN = date(2020, 1, 1)


def at(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2020, 1, day, hour, minute, tzinfo=UTC)


def build(ctx: ServiceContext) -> None:
    """Meeting A (7 Jan, closed, all five core roles present: quorate), B (14 Jan,
    closed, the radiologist sends apologies: not quorate), C (21 Jan, planned)."""
    with ctx.db.unit_of_work() as s:
        people = {
            role: Member(name=f"Fixture {role} (fictional)", role=role, version=1)
            for role in ("spine_surgeon", "medical_oncologist", "clinical_oncologist",
                         "radiologist", "pathologist")
        }  # fmt: skip
        s.add_all(people.values())
        a = Meeting(starts_at=at(7), title="Fixture A", status="closed", version=1)
        b = Meeting(starts_at=at(14), title="Fixture B", status="closed", version=1)
        c = Meeting(starts_at=at(21), title="Fixture C", status="planned", version=1)
        s.add_all([a, b, c])
        s.flush()
        for m in people.values():
            s.add(Attendance(meeting_id=a.id, member_id=m.id, status="present"))
            away = m.role == "radiologist"
            s.add(Attendance(meeting_id=b.id, member_id=m.id,
                             status="apologies" if away else "present"))  # fmt: skip

        def case(n: int, received: datetime, **extra: object) -> Referral:
            p = Patient(mrn=f"MET{n:07d}", family_name=f"Fixture{n}", given_name="Fictional",
                        date_of_birth=date(1960, 1, n), sex="unknown", version=1)  # fmt: skip
            s.add(p)
            s.flush()
            r = Referral(patient_id=p.id, received_at=received, referrer_name="Dr Fixture",
                         urgency=extra.pop("urgency", "routine"), question="Plan?",
                         disease_kind="metastatic", histology_key="met_breast",
                         compartment="extradural", version=1, **extra)  # fmt: skip
            s.add(r)
            s.flush()
            return r

        # received 10, 20 and 30 days before the meeting that discussed them
        r1 = case(1, at(7) - timedelta(days=10), urgency="mscc",
                  mscc_suspected_at=at(6, 8), mri_at=at(6, 20),  # MRI after 12 h: met
                  plan_agreed_at=at(7, 9),  # plan 25 h after the suspicion: missed
                  treatment_started_at=at(7, 15))  # 6 h after the plan: met  # fmt: skip
        r2 = case(2, at(7) - timedelta(days=20), treatment_started_at=at(1))  # before A
        r3 = case(3, at(14) - timedelta(days=30))
        r4, r5, r6 = (case(n, at(2)) for n in (4, 5, 6))

        def item(m: Meeting, r: Referral, pos: int, status: str, **kw: object) -> AgendaItem:
            i = AgendaItem(meeting_id=m.id, referral_id=r.id, patient_id=r.patient_id,
                           position=pos, status=status, version=1, **kw)  # fmt: skip
            s.add(i)
            s.flush()
            return i

        a1 = item(a, r1, 1, "discussed")
        a2 = item(a, r2, 2, "discussed")
        a3 = item(a, r3, 3, "deferred")
        b1 = item(b, r3, 1, "discussed", relisted_from_id=a3.id)
        item(b, r4, 2, "withdrawn")
        item(b, r5, 3, "listed")  # not reached at a meeting that was held
        item(c, r6, 1, "listed")  # a meeting not yet held: nothing was missed

        def decided(i: AgendaItem, signed: datetime, kinds: list[str]) -> list[Modality]:
            d = Decision(agenda_item_id=i.id, status="signed_off", plan_text="Fixture plan",
                         signed_off_by="Chair", signed_off_at=signed, version=1)  # fmt: skip
            s.add(d)
            s.flush()
            mods = [Modality(decision_id=d.id, sequence=k, kind=kind, details={})
                    for k, kind in enumerate(kinds, start=1)]  # fmt: skip
            s.add_all(mods)
            s.flush()
            return mods

        def followed(mods: list[Modality], *entries: FollowUpItem) -> None:
            f = FollowUp(decision_id=mods[0].decision_id, version=1)
            for m, e in zip(mods, entries, strict=False):
                e.modality_id = m.id
                f.items.append(e)
            s.add(f)

        m1 = decided(a1, at(7, 9), ["cebrt", "dexamethasone"])  # radiotherapy, no surgery
        followed(m1, FollowUpItem(status="completed", started_on=date(2020, 1, 10),
                                  completed_on=date(2020, 1, 11)),
                 FollowUpItem(status="started", started_on=date(2020, 1, 12)))  # fmt: skip
        m2 = decided(a2, at(7, 10), ["sbrt"])
        followed(m2, FollowUpItem(status="not_given", reason="patient_choice"))
        m3 = decided(b1, at(14, 9), ["cebrt", "systemic"])
        followed(m3, FollowUpItem(status="started", started_on=date(2020, 1, 15)))  # 2nd: none
        for i, seconds in ((a1, 300), (a2, 600), (b1, 900), (a3, 60)):
            s.add(DiscussionTime(agenda_item_id=i.id, seconds=seconds))


def test_figures_worked_out_by_hand(ctx: ServiceContext) -> None:
    build(ctx)
    m = metrics.compute(ctx.db, JAN, date(2020, 1, 31))
    assert (m.meetings, m.meetings_held, m.meetings_quorate) == (3, 2, 1)
    assert m.quorum_rate == 0.5
    # A: a1 a2 a3; B: b1 (relisting a3) b2 b3; C: c1
    assert (m.cases_listed, m.cases_new, m.cases_relisted) == (7, 6, 1)
    assert (m.discussed, m.deferred, m.withdrawn, m.not_reached) == (3, 1, 1, 1)
    assert m.discussed_rate == pytest.approx(3 / 7)
    assert m.prospective == 2  # r2 was treated before meeting A
    assert m.prospective_rate == pytest.approx(2 / 3)
    # d1: both given → implemented; d2: not given → not; d3: one of two recorded → pending
    assert (m.decisions_signed, m.implemented, m.partly_implemented) == (3, 1, 0)
    assert (m.not_implemented, m.implementation_pending) == (1, 1)
    assert m.implemented_rate == 0.5
    # referral → discussion: 10, 20, 30 days → median 20, nearest rank ceil(2.7) = 3rd: 30
    assert m.referral_to_discussion_days == metrics.Spread(3, pytest.approx(20), pytest.approx(30))
    # sign-off → first start: 10 Jan 00:00 − 7 Jan 09:00 = 2.625 d; 15 Jan − 14 Jan 09:00
    # = 0.625 d → median (0.625 + 2.625) / 2 = 1.625, p90 rank ceil(1.8) = 2nd: 2.625
    to_treatment = m.signoff_to_treatment_days
    assert to_treatment.n == 2
    assert to_treatment.median == pytest.approx(1.625, abs=1e-6)
    assert to_treatment.p90 == pytest.approx(2.625, abs=1e-6)
    # 60, 300, 600, 900 s → median 450, p90 rank ceil(3.6) = 4th: 900
    assert m.seconds_per_case == metrics.Spread(4, 450.0, 900.0)
    roles = {r.role: r for r in m.by_role}
    assert (roles["spine_surgeon"].expected, roles["spine_surgeon"].present) == (2, 2)
    radiology = roles["radiologist"]
    assert (radiology.expected, radiology.present, radiology.apologies) == (2, 1, 1)
    assert radiology.rate == 0.5 and radiology.meetings_with_role == 1
    assert roles["nurse_specialist"].expected == 0 and roles["nurse_specialist"].rate is None
    people = {p.name: p for p in m.by_person}
    assert people["Fixture radiologist (fictional)"].rate == 0.5
    # QS56 (scores.md §11): MRI 12 h after the suspicion: met; plan 25 h: missed;
    # radiotherapy without surgery 6 h after the plan (statement 6): met
    q = m.mscc
    assert (q.cases, q.mri_within_24h, q.mri_timed) == (1, 1, 1)
    assert (q.plan_within_24h, q.plan_timed, q.treatment_within_24h) == (0, 1, 1)
    assert (q.mri_rate, q.plan_rate, q.treatment_rate) == (1.0, 0.0, 1.0)


def test_json_rates_lie_between_0_and_1_and_an_empty_period_has_none(
    ctx: ServiceContext,
) -> None:
    build(ctx)
    j = metrics.compute(ctx.db, JAN, date(2020, 1, 31)).as_json()

    def rates(node: object) -> list[float | None]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k.endswith("rate")] + [
                x for v in node.values() for x in rates(v)
            ]
        if isinstance(node, list):
            return [x for v in node for x in rates(v)]
        return []

    found = rates(j)
    assert len(found) > 10 and all(r is None or 0 <= r <= 1 for r in found)
    empty = metrics.compute(ctx.db, date(2019, 6, 1), date(2019, 6, 30))
    assert empty.meetings == 0 and empty.quorum_rate is None
    assert empty.referral_to_discussion_days == metrics.Spread(0, None, None)
    with pytest.raises(metrics.ValidationError):
        metrics.compute(ctx.db, date(2020, 2, 1), JAN)


def test_qs56_statement_6_counts_radiotherapy_without_surgery_only(ctx: ServiceContext) -> None:
    """scores.md §11: statement 6 is radiotherapy within 24 h of the decision for MSCC not
    suitable for surgery; a plan with surgery is not measured by it."""
    from sqlalchemy import select

    build(ctx)
    with ctx.db.unit_of_work() as s:
        d = s.execute(
            select(Decision).join(AgendaItem).join(Referral).where(Referral.urgency == "mscc",
                                                                   Decision.signed_off_at < at(8))
        ).scalars().one()  # fmt: skip
        s.add(Modality(decision_id=d.id, sequence=3, kind="surgery", details={}))
    q = metrics.compute(ctx.db, JAN, date(2020, 1, 31)).mscc
    assert (q.treatment_within_24h, q.treatment_timed, q.treatment_rate) == (0, 0, None)
    assert (q.mri_within_24h, q.plan_timed) == (1, 1)  # statement 3 is unchanged
