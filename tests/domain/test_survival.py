"""Observed survival by score band (issue 19 part 3): Kaplan–Meier, Harrell's C, bands.

Every expected value below was worked out by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

import math

import pytest

from mdtboard.domain.survival import (
    DEFAULT_HORIZONS,
    HIGHER_IS_BETTER,
    PREDICTIONS,
    Prediction,
    band_survival,
    harrell_c,
    kaplan_meier,
)

# Eight patients (days, died?), sorted by time:
#   30 died | 60 died, 60 died | 90 died, 90 censored | 120 censored | 150 died | 200 censored
# Two deaths share day 60; a death and a censoring share day 90.
EIGHT_DURATIONS = [60, 200, 30, 90, 150, 60, 120, 90]
EIGHT_EVENTS = [True, False, True, True, True, True, False, False]


def test_kaplan_meier_hand_worked_steps() -> None:
    """Product-limit steps of the eight patients.

    day 30:  at risk 8, 1 death           S = 7/8                     = 0.875
    day 60:  at risk 7, 2 deaths          S = 7/8 × 5/7 = 5/8         = 0.625
    day 90:  at risk 5, 1 death, 1 cens.  S = 5/8 × 4/5 = 4/8         = 0.5
             (the one censored at 90 is still at risk at 90; 5 - 2 = 3 remain)
    day 120: 1 censored, no death: no step; 2 remain
    day 150: at risk 2, 1 death           S = 1/2 × 1/2               = 0.25
    day 200: 1 censored, no death: no step
    """
    curve = kaplan_meier(EIGHT_DURATIONS, EIGHT_EVENTS)

    assert curve.n == 8
    assert curve.deaths == 5
    assert curve.censored == 3
    assert curve.last_time == 200
    assert [s.time for s in curve.steps] == [30, 60, 90, 150]
    assert [s.at_risk for s in curve.steps] == [8, 7, 5, 2]
    assert [s.deaths for s in curve.steps] == [1, 2, 1, 1]
    assert [s.censored for s in curve.steps] == [0, 0, 1, 0]
    assert [s.survival for s in curve.steps] == pytest.approx([0.875, 0.625, 0.5, 0.25])


def test_kaplan_meier_greenwood_standard_error() -> None:
    """Greenwood: SE(t) = S(t) × sqrt(Σ d / (n (n - d))) over the steps up to t.

    day 30: 1/(8×7) = 1/56
    day 60: 1/56 + 2/(7×5) = 5/280 + 16/280 = 21/280 = 3/40 = 0.075
            SE = 0.625 × sqrt(0.075) = 0.625 × 0.2738613 = 0.1711633
    day 90: 3/40 + 1/(5×4) = 3/40 + 2/40 = 5/40 = 1/8
            SE = 0.5 × sqrt(0.125) = 0.5 × 0.3535534 = 0.1767767
    """
    steps = kaplan_meier(EIGHT_DURATIONS, EIGHT_EVENTS).steps

    assert steps[0].std_error == pytest.approx(0.875 * math.sqrt(1 / 56))
    assert steps[1].std_error == pytest.approx(0.1711633, abs=1e-7)
    assert steps[2].std_error == pytest.approx(0.1767767, abs=1e-7)


def test_survival_at_is_a_right_continuous_step_function() -> None:
    curve = kaplan_meier(EIGHT_DURATIONS, EIGHT_EVENTS)

    assert curve.survival_at(0) == 1.0  # starts at 1 at time 0
    assert curve.survival_at(29.9) == 1.0  # before the first death
    assert curve.survival_at(30) == pytest.approx(0.875)  # at a step: the value after it
    assert curve.survival_at(45) == pytest.approx(0.875)  # between steps
    assert curve.survival_at(59.99) == pytest.approx(0.875)
    assert curve.survival_at(100) == pytest.approx(0.5)
    assert curve.survival_at(120) == pytest.approx(0.5)  # a censoring is no step
    assert curve.survival_at(150) == pytest.approx(0.25)
    assert curve.survival_at(200) == pytest.approx(0.25)  # last follow-up: still defined
    assert curve.survival_at(200.5) is None  # nobody followed beyond day 200


def test_median_is_the_first_time_survival_reaches_one_half() -> None:
    # S falls to exactly 4/8 at day 90 (7/8 × 5/7 × 4/5)
    assert kaplan_meier(EIGHT_DURATIONS, EIGHT_EVENTS).median() == 90
    # 10 died, 20 and 30 censored: S(10) = 2/3 and never lower
    assert kaplan_meier([10, 20, 30], [True, False, False]).median() is None


def test_curve_that_reaches_zero() -> None:
    """10 died, 20 died, 20 died.

    day 10: at risk 3, 1 death  S = 2/3
    day 20: at risk 2, 2 deaths S = 2/3 × 0/2 = 0 (Greenwood undefined: SE reported 0)
    """
    curve = kaplan_meier([10, 20, 20], [True, True, True])

    assert [s.at_risk for s in curve.steps] == [3, 2]
    assert [s.survival for s in curve.steps] == pytest.approx([2 / 3, 0.0])
    assert curve.steps[-1].std_error == 0.0
    assert curve.survival_at(15) == pytest.approx(2 / 3)
    assert curve.survival_at(20) == 0.0
    assert curve.survival_at(1000) == 0.0  # beyond follow-up, but everyone has died
    assert curve.median() == 20


def test_death_on_day_zero_drops_the_curve_at_zero() -> None:
    # day 0: at risk 2, 1 death: S = 1/2; the other is censored at day 5
    curve = kaplan_meier([0, 5], [True, False])

    assert curve.survival_at(0) == pytest.approx(0.5)
    assert curve.survival_at(5) == pytest.approx(0.5)
    assert curve.survival_at(6) is None


def test_empty_input_gives_an_empty_curve() -> None:
    curve = kaplan_meier([], [])

    assert curve.steps == ()
    assert (curve.n, curve.deaths, curve.last_time) == (0, 0, 0.0)
    assert curve.survival_at(0) == 1.0
    assert curve.survival_at(1) is None
    assert curve.median() is None


# --- Harrell's C ----------------------------------------------------------------------------

# patient: days, died?, score
#   A: 10 died  2
#   B: 20 died  5
#   C: 20 cens  4   (same time as B: B died, C did not)
#   D: 30 cens  5   (same score as B)
#   E: 40 died  8
C_SCORES = [2, 5, 4, 5, 8]
C_DURATIONS = [10, 20, 20, 30, 40]
C_EVENTS = [True, True, False, False, True]


def test_harrell_c_hand_worked_higher_is_better() -> None:
    """All ten pairs, higher score = better:

    A–B  A shorter (10 < 20) and died: comparable; 2 < 5  concordant
    A–C  comparable; 2 < 4                               concordant
    A–D  comparable; 2 < 5                               concordant
    A–E  comparable; 2 < 8                               concordant
    B–C  same day 20, only B died: comparable, B shorter; 5 > 4  discordant
    B–D  B shorter (20 < 30) and died: comparable; 5 = 5  tied
    B–E  comparable; 5 < 8                               concordant
    C–D  C shorter but censored: not comparable
    C–E  C shorter but censored: not comparable
    D–E  D shorter but censored: not comparable

    comparable 7, concordant 5, tied 1, discordant 1: C = (5 + 0.5) / 7 = 0.7857143
    """
    result = harrell_c(C_SCORES, C_DURATIONS, C_EVENTS, higher_is_better=True)

    assert (result.comparable, result.concordant, result.tied) == (7, 5, 1)
    assert result.discordant == 1
    assert result.c == pytest.approx(5.5 / 7)


def test_harrell_c_lower_is_better_flips_the_pairs() -> None:
    # the same seven pairs; now only B–C (shorter B has the higher score) is concordant:
    # C = (1 + 0.5) / 7 = 0.2142857
    result = harrell_c(C_SCORES, C_DURATIONS, C_EVENTS, higher_is_better=False)

    assert (result.comparable, result.concordant, result.tied) == (7, 1, 1)
    assert result.c == pytest.approx(1.5 / 7)


def test_harrell_c_perfect_and_reversed() -> None:
    # four deaths at 10 < 20 < 30 < 40: all 6 pairs comparable
    days = [10, 20, 30, 40]
    died = [True] * 4

    perfect = harrell_c([1, 2, 3, 4], days, died, higher_is_better=True)
    reversed_ = harrell_c([4, 3, 2, 1], days, died, higher_is_better=True)

    assert (perfect.comparable, perfect.c) == (6, 1.0)
    assert (reversed_.comparable, reversed_.c) == (6, 0.0)
    assert harrell_c([4, 3, 2, 1], days, died, higher_is_better=False).c == 1.0


@pytest.mark.parametrize(
    ("durations", "events"),
    [
        ([10, 10], [True, True]),  # two deaths on the same day
        ([10, 10], [False, False]),  # two censored on the same day
        ([5, 9], [False, False]),  # two censored
        ([5, 9], [False, True]),  # the shorter one censored
        ([7], [True]),  # one patient, no pair
        ([], []),
    ],
)
def test_harrell_c_without_a_comparable_pair_is_none(
    durations: list[float], events: list[bool]
) -> None:
    scores = [1.0, 2.0][: len(durations)]
    result = harrell_c(scores, durations, events, higher_is_better=True)

    assert result.c is None
    assert result.comparable == 0


# --- survival by band -----------------------------------------------------------------------

# good: 100 died, 400 cens, 200 cens  -> day 100: at risk 3, 1 death: S = 2/3; followed to 400
# poor: 50 died, 150 died, 300 cens   -> day 50: 3 at risk: S = 2/3;
#                                        day 150: 2 at risk: S = 2/3 × 1/2 = 1/3; followed to 300
BAND_ROWS = [
    ("good", 100, True),
    ("poor", 50, True),
    ("good", 400, False),
    ("poor", 150, True),
    ("good", 200, False),
    ("poor", 300, False),
]


def test_band_survival_groups_in_first_seen_order() -> None:
    bands = band_survival(BAND_ROWS)

    assert [b.band for b in bands] == ["good", "poor"]
    good, poor = bands
    assert (good.n, good.deaths, poor.n, poor.deaths) == (3, 1, 3, 2)
    assert [s.at_risk for s in poor.curve.steps] == [3, 2]
    # 6 months = 182.625 days, 12 months = 365.25 days
    assert [s.days for s in good.shares] == [182.625, 365.25]
    assert [s.alive for s in good.shares] == pytest.approx([2 / 3, 2 / 3])
    # poor: 1/3 at 182.625; follow-up ends at 300 < 365.25, so no 12-month estimate
    assert poor.shares[0].alive == pytest.approx(1 / 3)
    assert poor.shares[1].alive is None
    for band in bands:
        for share in band.shares:
            assert share.alive == band.curve.survival_at(share.days)
    assert good.prediction is None


def test_band_survival_follows_a_given_order_and_predictions() -> None:
    rows = [*BAND_ROWS, ("unlisted", 10, True)]
    bands = band_survival(
        rows,
        horizons=(100.0,),
        order=("poor", "intermediate", "good"),
        predictions=PREDICTIONS["bauer_modified"],
    )

    assert [b.band for b in bands] == ["poor", "intermediate", "good", "unlisted"]
    poor, intermediate, good, unlisted = bands
    # a listed band with no cases: empty curve, nothing observed
    assert (intermediate.n, intermediate.curve.steps) == (0, ())
    assert intermediate.shares[0].alive is None
    # poor at day 100: after the day-50 step, S = 2/3; good at day 100: S = 2/3
    assert poor.shares[0].alive == pytest.approx(2 / 3)
    assert good.shares[0].alive == pytest.approx(2 / 3)
    # predictions: poor -> not alive at 6 months, good -> alive at 12 months
    assert poor.prediction == Prediction(6, False, "expected survival under 6 months")
    assert good.prediction is not None and good.prediction.months == 12
    assert unlisted.prediction is None
    # observed at the predicted horizon: poor at 182.625 days = 1/3, good at 365.25 = 2/3
    assert poor.observed_for_prediction() == pytest.approx(1 / 3)
    assert good.observed_for_prediction() == pytest.approx(2 / 3)
    assert unlisted.observed_for_prediction() is None


def test_default_horizons_are_six_and_twelve_months_in_days() -> None:
    # 365.25 / 2 and 365.25
    assert DEFAULT_HORIZONS == (182.625, 365.25)
    assert Prediction(6, True, "").days == 182.625
    assert Prediction(12, True, "").days == 365.25


def test_predictions_follow_the_reference() -> None:
    # scores.md §3 (Tokuhashi) and §5 (Bauer); §4 Tomita and §6 NESMS state no figure
    assert set(PREDICTIONS) == {"tokuhashi_revised", "bauer_modified"}
    tokuhashi = PREDICTIONS["tokuhashi_revised"]
    assert tokuhashi["lt_6_months"] == Prediction(6, False, "under 6 months")
    assert tokuhashi["ge_6_months"] == Prediction(6, True, "6 months or more")
    assert tokuhashi["ge_1_year"] == Prediction(12, True, "1 year or more")
    bauer = PREDICTIONS["bauer_modified"]
    assert bauer["intermediate"] == Prediction(6, True, "over 6 months")
    assert bauer["good"] == Prediction(12, True, "over 12 months")
    assert HIGHER_IS_BETTER == {
        "tokuhashi_revised": True,
        "tomita": False,
        "bauer_modified": True,
        "nesms": True,
    }


# --- validation -----------------------------------------------------------------------------


def test_mismatched_lengths_name_the_arguments() -> None:
    with pytest.raises(ValueError, match=r"durations and events .*same length"):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError, match=r"scores.*same length"):
        harrell_c([1], [1, 2], [True, False], higher_is_better=True)


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "5", True])
def test_bad_duration_names_the_argument(bad: object) -> None:
    with pytest.raises(ValueError, match=r"durations\[1\]"):
        kaplan_meier([3, bad], [True, False])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"durations\[1\]"):
        harrell_c([1, 2], [3, bad], [True, False], higher_is_better=True)  # type: ignore[list-item]


def test_bad_event_score_and_row_name_the_argument() -> None:
    with pytest.raises(ValueError, match=r"events\[0\]"):
        kaplan_meier([3, 4], [1, 0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"scores\[1\]"):
        harrell_c([1, math.nan], [3, 4], [True, False], higher_is_better=True)
    with pytest.raises(ValueError, match=r"rows\[1\] duration"):
        band_survival([("good", 10, True), ("good", -3, False)])
    with pytest.raises(ValueError, match=r"horizons\[0\]"):
        band_survival(BAND_ROWS, horizons=(-1.0,))
    with pytest.raises(ValueError, match=r"order"):
        band_survival(BAND_ROWS, order=("good", "good"))
    with pytest.raises(ValueError, match=r"\bt\b"):
        kaplan_meier([1], [True]).survival_at(-1)
