"""Local validation of the prognostic scores (issue 19 part 3) against figures worked out
by hand on a small fictional fixture: cases signed off in January and February 2020 (a
period the demo data never touches), added to the demo database on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdtboard.domain.survival import SIX_MONTHS_DAYS, TWELVE_MONTHS_DAYS
from mdtboard.services import validation
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.store.models import (
    AgendaItem,
    Assessment,
    CaseOutcome,
    Decision,
    Meeting,
    Patient,
    Referral,
)

JAN, JAN_END, FEB_END = date(2020, 1, 1), date(2020, 1, 31), date(2020, 2, 29)


def at(month: int, day: int, hour: int = 12) -> datetime:
    # noon UTC is the same local date anywhere from UTC-11 to UTC+11
    return datetime(2020, month, day, hour, tzinfo=UTC)


SIGNED = at(1, 7)  # the first sign-off of every January case
SIGNED_ON = date(2020, 1, 7)


def build(ctx: ServiceContext) -> None:
    """Nine fictional cases. Tokuhashi (total, band, days from 7 Jan to the outcome):

    A  7 lt_6_months  30 died     (an earlier 3 and a later-entered 14 are not used)
    B  7 lt_6_months 100 died     (amended on 14 Jan; a 12 entered on 10 Jan is not used)
    C 11 ge_6_months 150 died
    D  9 ge_6_months 200 alive
    E 12 ge_1_year   380 died
    F 13 ge_1_year   400 alive
    G 10 ge_6_months, no outcome: left out
    H  outcome, but its only Tokuhashi was entered after the sign-off: left out
    I 12 ge_1_year, signed off 4 Feb, alive 10 days later: only in a period with February

    Tomita on A (8, supportive_care), C (6, palliative_surgery), E (4,
    marginal_or_intralesional_excision). No Bauer, no NESMS.
    """
    with ctx.db.unit_of_work() as s:
        jan = Meeting(starts_at=at(1, 7, 8), title="Validation fixture Jan", status="closed",
                      version=1)  # fmt: skip
        feb = Meeting(starts_at=at(2, 4, 8), title="Validation fixture Feb", status="closed",
                      version=1)  # fmt: skip
        s.add_all([jan, feb])
        s.flush()

        def case(n: int, meeting: Meeting, signed: datetime) -> tuple[Referral, AgendaItem]:
            p = Patient(mrn=f"VAL{n:07d}", family_name=f"Validation{n}", given_name="Fictional",
                        date_of_birth=date(1950, 1, n), sex="unknown", version=1)  # fmt: skip
            s.add(p)
            s.flush()
            r = Referral(patient_id=p.id, received_at=signed - timedelta(days=14),
                         referrer_name="Dr Fixture", urgency="routine", question="Plan?",
                         disease_kind="metastatic", histology_key="met_breast",
                         compartment="extradural", version=1)  # fmt: skip
            s.add(r)
            s.flush()
            i = AgendaItem(meeting_id=meeting.id, referral_id=r.id, patient_id=p.id,
                           position=n, status="discussed", version=1)  # fmt: skip
            s.add(i)
            s.flush()
            s.add(Decision(agenda_item_id=i.id, status="signed_off", plan_text="Fixture plan",
                           signed_off_by="Chair", signed_off_at=signed, version=1))  # fmt: skip
            s.flush()
            return r, i

        def score(r: Referral, tool: str, total: int, band: str, entered: datetime,
                  complete: bool = True) -> None:  # fmt: skip
            s.add(Assessment(referral_id=r.id, tool_id=tool, answers={}, total=total, band=band,
                             complete=complete, entered_by="fixture", entered_at=entered,
                             version=1))  # fmt: skip

        def outcome(r: Referral, vital: str, days: int, start: date = SIGNED_ON) -> None:
            s.add(CaseOutcome(referral_id=r.id, vital_status=vital,
                              status_on=start + timedelta(days=days), version=1))  # fmt: skip

        tok = "tokuhashi_revised"
        a, _ = case(1, jan, SIGNED)
        score(a, tok, 3, "lt_6_months", at(1, 2))
        score(a, tok, 7, "lt_6_months", at(1, 6))  # the latest before the sign-off
        score(a, tok, 14, "ge_1_year", at(1, 7, 13))  # entered after it: not used
        score(a, tok, 15, "ge_1_year", at(1, 7, 11), complete=False)  # incomplete
        score(a, "tomita", 8, "supportive_care", at(1, 6))
        outcome(a, "died", 30)
        b, b_item = case(2, jan, SIGNED)
        score(b, tok, 7, "lt_6_months", at(1, 6))
        score(b, tok, 12, "ge_1_year", at(1, 10))  # after the first sign-off
        s.flush()
        first = s.query(Decision).filter_by(agenda_item_id=b_item.id).one()
        first.status = "amended"  # amended on 14 Jan: the first sign-off still counts
        s.add(Decision(agenda_item_id=b_item.id, revision=2, supersedes_id=first.id,
                       status="signed_off", plan_text="Amended plan", signed_off_by="Chair",
                       signed_off_at=at(1, 14), version=1))  # fmt: skip
        outcome(b, "died", 100)
        c, _ = case(3, jan, SIGNED)
        score(c, tok, 11, "ge_6_months", at(1, 6))
        score(c, "tomita", 6, "palliative_surgery", at(1, 6))
        outcome(c, "died", 150)
        d, _ = case(4, jan, SIGNED)
        score(d, tok, 9, "ge_6_months", SIGNED)  # entered at the sign-off itself: used
        outcome(d, "alive", 200)
        e, _ = case(5, jan, SIGNED)
        score(e, tok, 12, "ge_1_year", at(1, 6))
        score(e, "tomita", 4, "marginal_or_intralesional_excision", at(1, 6))
        outcome(e, "died", 380)
        f, _ = case(6, jan, SIGNED)
        score(f, tok, 13, "ge_1_year", at(1, 6))
        outcome(f, "alive", 400)
        g, _ = case(7, jan, SIGNED)
        score(g, tok, 10, "ge_6_months", at(1, 6))  # no outcome
        h, _ = case(8, jan, SIGNED)
        score(h, tok, 5, "lt_6_months", at(1, 8))
        outcome(h, "died", 20)
        i, _ = case(9, feb, at(2, 4))
        score(i, tok, 12, "ge_1_year", at(2, 3))
        outcome(i, "alive", 10, date(2020, 2, 4))


def test_rows_take_the_latest_score_before_the_first_sign_off(ctx: ServiceContext) -> None:
    build(ctx)
    rows = validation.validation_rows(ctx.db, "tokuhashi_revised", start=JAN, end=JAN_END)
    assert rows == [
        ("lt_6_months", 30.0, True, 7.0),
        ("lt_6_months", 100.0, True, 7.0),
        ("ge_6_months", 150.0, True, 11.0),
        ("ge_6_months", 200.0, False, 9.0),
        ("ge_1_year", 380.0, True, 12.0),
        ("ge_1_year", 400.0, False, 13.0),
    ]
    with_feb = validation.validation_rows(ctx.db, "tokuhashi_revised", start=JAN, end=FEB_END)
    assert with_feb[-1] == ("ge_1_year", 10.0, False, 12.0)
    assert validation.validation_rows(ctx.db, "bauer_modified", start=JAN, end=FEB_END) == []
    with pytest.raises(ValidationError):
        validation.validation_rows(ctx.db, "sins")
    with pytest.raises(ValidationError):
        validation.validation_rows(ctx.db, "tomita", start=FEB_END, end=JAN)


def test_validation_worked_out_by_hand(ctx: ServiceContext) -> None:
    build(ctx)
    found = {v.tool_id: v for v in validation.validate(ctx.db, start=JAN, end=JAN_END)}
    assert list(found) == ["tokuhashi_revised", "tomita", "bauer_modified", "nesms"]

    tok = found["tokuhashi_revised"]
    assert (tok.label, tok.n, tok.deaths, tok.higher_is_better) == ("Tokuhashi", 6, 4, True)
    bands = {b.band: b for b in tok.bands}
    assert list(bands) == ["lt_6_months", "ge_6_months", "ge_1_year"]  # the score's order
    # lt_6_months: deaths at 30 (2 at risk → 1/2) and 100 (1 at risk → 0); 0 at 6 and 12
    # months (the curve reached 0, so it stays 0 past the last follow-up)
    lt6 = bands["lt_6_months"]
    assert [(st.time, st.at_risk, st.survival) for st in lt6.curve.steps] == [
        (30.0, 2, 0.5),
        (100.0, 1, 0.0),
    ]
    assert [h.alive for h in lt6.shares] == [0.0, 0.0]
    assert lt6.prediction is not None and lt6.prediction.text == "under 6 months"
    assert lt6.observed_for_prediction() == 0.0
    # ge_6_months: a death at 150 of 2 at risk → 1/2 at 6 months (182.6 d); nobody is
    # followed past 200 days, so the 12-month share is unknown
    ge6 = bands["ge_6_months"]
    assert [h.days for h in ge6.shares] == [SIX_MONTHS_DAYS, TWELVE_MONTHS_DAYS]
    assert [h.alive for h in ge6.shares] == [0.5, None]
    assert ge6.observed_for_prediction() == 0.5  # predicted alive at 6 months
    # ge_1_year: the death at 380 comes after both horizons → 1 and 1
    ge1 = bands["ge_1_year"]
    assert [h.alive for h in ge1.shares] == [1.0, 1.0]
    assert ge1.prediction is not None and ge1.prediction.months == 12
    # Harrell's C (higher is better), cases (score, days, died):
    # A(7,30,D) B(7,100,D) C(11,150,D) D(9,200,alive) E(12,380,D) F(13,400,alive)
    # shorter A: B tied, C D E F concordant (5 comparable); shorter B: C D E F concordant
    # (4); shorter C: D discordant (11 > 9), E F concordant (3); D censored: none;
    # shorter E: F concordant (1) → 13 comparable, 11 concordant, 1 tied, 1 discordant:
    # C = (11 + 0.5) / 13
    con = tok.concordance
    assert (con.comparable, con.concordant, con.tied, con.discordant) == (13, 11, 1, 1)
    assert tok.c == pytest.approx(11.5 / 13)

    tomita = found["tomita"]
    # lower is better: A(8,30) C(6,150) E(4,380), all died → every pair concordant
    assert (tomita.n, tomita.deaths, tomita.higher_is_better) == (3, 3, False)
    assert tomita.c == 1.0 and tomita.concordance.comparable == 3
    assert all(b.prediction is None for b in tomita.bands)  # Tomita states no survival
    assert [b.n for b in tomita.bands] == [0, 1, 1, 1]  # wide/marginal has no case

    for empty in (found["bauer_modified"], found["nesms"]):
        assert (empty.n, empty.deaths, empty.c) == (0, 0, None)
        assert all(b.n == 0 and all(h.alive is None for h in b.shares) for b in empty.bands)
    assert [b.band for b in found["bauer_modified"].bands] == ["poor", "intermediate", "good"]


def test_without_a_period_every_case_counts(ctx: ServiceContext) -> None:
    build(ctx)
    every = {v.tool_id: v.n for v in validation.validate(ctx.db)}
    # the demo data records no prognostic score: only the fixture's seven cases
    assert every == {"tokuhashi_revised": 7, "tomita": 3, "bauer_modified": 0, "nesms": 0}
