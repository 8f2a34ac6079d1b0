"""Observed survival for local validation of the prognostic scores (issue 19 part 3).

For cases with follow-up: a Kaplan–Meier curve per band of a score, the share alive at
6 and 12 months beside what the band predicts, and Harrell's C per score. Durations
are in days from the score's date to death or last contact; an event is True when the
patient died and False when they were censored (alive at last contact).

Months become days with the mean Julian year: 1 month = 365.25 / 12 = 30.4375 days, so
6 months = 182.625 days and 12 months = 365.25 days.

Decision support only: an observed curve describes this unit's cases; it does not
re-derive or replace a published score.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

#: days in one month (mean Julian year / 12)
DAYS_PER_MONTH = 365.25 / 12
#: the default horizons of ``band_survival``: 6 and 12 months, in days
SIX_MONTHS_DAYS = 6 * DAYS_PER_MONTH
TWELVE_MONTHS_DAYS = 12 * DAYS_PER_MONTH
DEFAULT_HORIZONS: tuple[float, ...] = (SIX_MONTHS_DAYS, TWELVE_MONTHS_DAYS)

#: a survival at or below 0.5 + this counts as "≤ 0.5" for the median (rounding in
#: the product of fractions must not hide an exact half)
_HALF_TOLERANCE = 1e-12


# --- validation -----------------------------------------------------------------------------


def _number(value: object, name: str) -> float:
    """``value`` as a finite float; ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _duration(value: object, name: str) -> float:
    """A duration in days: a finite, non-negative number."""
    days = _number(value, name)
    if days < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return days


def _event(value: object, name: str) -> bool:
    """An event flag: exactly True (died) or False (censored)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True (died) or False (censored), got {value!r}")
    return value


def _same_length(**columns: Sequence[object]) -> int:
    """The common length of the named columns; ValueError naming them when they differ."""
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same length ({listed})")
    return next(iter(lengths.values()), 0)


# --- Kaplan–Meier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One time with at least one death.

    ``at_risk`` is the number still under follow-up just before ``time`` (those censored
    at ``time`` included); ``censored`` counts censorings at exactly ``time``;
    ``survival`` is the product-limit estimate just after the step and ``std_error``
    its Greenwood standard error (0.0 once survival is 0, where Greenwood is undefined).
    """

    time: float
    at_risk: int
    deaths: int
    censored: int
    survival: float
    std_error: float


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: its steps in time order, n, deaths and the longest follow-up.

    ``last_time`` is the largest duration observed (death or censoring); 0.0 for an empty
    curve, which has no steps and survival 1.0 at time 0.
    """

    steps: tuple[Step, ...]
    n: int
    deaths: int
    last_time: float

    @property
    def censored(self) -> int:
        """Patients alive at last contact."""
        return self.n - self.deaths

    def survival_at(self, t: float) -> float | None:
        """The estimate at day ``t``: a right-continuous step function, 1.0 before the first death.

        At a death time the value is the survival after that step. Beyond ``last_time``
        nobody is under follow-up, so the estimate is not defined and this returns None,
        unless the curve already reached 0 (then 0.0). ``t`` must be a non-negative number.
        """
        t = _duration(t, "t")
        if t > self.last_time:
            if self.steps and self.steps[-1].survival == 0.0:
                return 0.0
            return None
        index = bisect.bisect_right([s.time for s in self.steps], t)
        return 1.0 if index == 0 else self.steps[index - 1].survival

    def median(self) -> float | None:
        """The smallest step time at which survival is ≤ 0.5; None when it never gets there."""
        for step in self.steps:
            if step.survival <= 0.5 + _HALF_TOLERANCE:
                return step.time
        return None


def kaplan_meier(durations: Sequence[float], events: Sequence[bool]) -> Curve:
    """The product-limit (Kaplan–Meier) curve of ``durations`` (days) and ``events``.

    ``events[i]`` is True when patient i died at ``durations[i]`` and False when they were
    censored then. Survival is 1.0 at time 0 and drops only at death times; a death at
    day 0 gives a step at 0. A patient censored at the same time as a death is counted
    at risk at that time (deaths come before censorings). Each step's survival is the
    previous one times (at_risk - deaths) / at_risk; its Greenwood standard error is
    survival × sqrt(Σ deaths / (at_risk × (at_risk - deaths))) over the steps so far.

    Empty input gives an empty curve (no steps, n 0, survival 1.0 at time 0). Raises
    ValueError naming the argument when the lengths differ, a duration is negative, NaN,
    infinite or not a number, or an event is not a bool.
    """
    count = _same_length(durations=durations, events=events)
    times = [_duration(d, f"durations[{i}]") for i, d in enumerate(durations)]
    died = [_event(e, f"events[{i}]") for i, e in enumerate(events)]

    deaths_at: dict[float, int] = {}
    censored_at: dict[float, int] = {}
    for time, dead in zip(times, died, strict=True):
        tally = deaths_at if dead else censored_at
        tally[time] = tally.get(time, 0) + 1

    steps: list[Step] = []
    at_risk = count
    survival = 1.0
    greenwood_sum = 0.0
    for time in sorted(set(times)):
        deaths = deaths_at.get(time, 0)
        censored = censored_at.get(time, 0)
        if deaths:
            survival *= (at_risk - deaths) / at_risk
            if at_risk > deaths:
                greenwood_sum += deaths / (at_risk * (at_risk - deaths))
                std_error = survival * math.sqrt(greenwood_sum)
            else:
                survival = 0.0
                std_error = 0.0
            steps.append(Step(time, at_risk, deaths, censored, survival, std_error))
        at_risk -= deaths + censored

    return Curve(
        steps=tuple(steps),
        n=count,
        deaths=sum(died),
        last_time=max(times, default=0.0),
    )


# --- Harrell's C ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Concordance:
    """Harrell's C: (concordant + 0.5 × tied) / comparable; None when no pair is comparable.

    ``tied`` counts comparable pairs whose scores are equal; ``concordant`` excludes them.
    """

    c: float | None
    comparable: int
    concordant: int
    tied: int

    @property
    def discordant(self) -> int:
        """Comparable pairs in which the shorter survivor had the better score."""
        return self.comparable - self.concordant - self.tied


def harrell_c(
    scores: Sequence[float],
    durations: Sequence[float],
    events: Sequence[bool],
    *,
    higher_is_better: bool,
) -> Concordance:
    """Harrell's concordance index of ``scores`` against observed survival.

    A pair is comparable when the shorter duration ends in a death. With equal durations
    a pair is comparable only when exactly one of the two died (that one counts as the
    shorter); two deaths, or two censorings, at the same time are not comparable, and
    two censored patients never are. A comparable pair is concordant when the shorter
    survivor has the worse score: the lower one when ``higher_is_better``, the higher
    one otherwise; equal scores count 0.5.

    Every pair is examined (O(n²)), which is fine up to a few thousand cases. Raises
    ValueError naming the argument for mismatched lengths or a bad score, duration or
    event.
    """
    count = _same_length(scores=scores, durations=durations, events=events)
    values = [_number(s, f"scores[{i}]") for i, s in enumerate(scores)]
    times = [_duration(d, f"durations[{i}]") for i, d in enumerate(durations)]
    died = [_event(e, f"events[{i}]") for i, e in enumerate(events)]

    comparable = concordant = tied = 0
    for i in range(count):
        for j in range(i + 1, count):
            if times[i] < times[j] or (times[i] == times[j] and died[i] and not died[j]):
                shorter, longer = i, j
            elif times[j] < times[i] or (times[i] == times[j] and died[j] and not died[i]):
                shorter, longer = j, i
            else:
                continue
            if not died[shorter]:
                continue
            comparable += 1
            if values[shorter] == values[longer]:
                tied += 1
            elif (values[shorter] < values[longer]) == higher_is_better:
                concordant += 1

    c = (concordant + 0.5 * tied) / comparable if comparable else None
    return Concordance(c=c, comparable=comparable, concordant=concordant, tied=tied)


# --- what a band predicts -------------------------------------------------------------------


@dataclass(frozen=True)
class Prediction:
    """A band's stated survival, read as "alive at ``months`` months" being ``alive``.

    ``text`` is the reference's own wording, for printing beside the observed share.
    """

    months: int
    alive: bool
    text: str

    @property
    def days(self) -> float:
        """The horizon in days (``months`` × 30.4375)."""
        return self.months * DAYS_PER_MONTH


#: band predictions where scores.md states a survival figure, by tool id then band id.
#: Tomita (scores.md §4) and NESMS (§6) state none, so they are absent and are compared
#: by Harrell's C only.
PREDICTIONS: Mapping[str, Mapping[str, Prediction]] = MappingProxyType(
    {
        # scores.md §3, band table, "predicted survival"
        "tokuhashi_revised": MappingProxyType(
            {
                "lt_6_months": Prediction(6, False, "under 6 months"),
                "ge_6_months": Prediction(6, True, "6 months or more"),
                "ge_1_year": Prediction(12, True, "1 year or more"),
            }
        ),
        # scores.md §5, band table, "meaning (Leithner 2008)"
        "bauer_modified": MappingProxyType(
            {
                "poor": Prediction(6, False, "expected survival under 6 months"),
                "intermediate": Prediction(6, True, "over 6 months"),
                "good": Prediction(12, True, "over 12 months"),
            }
        ),
    }
)

#: which way each prognostic score points, for ``harrell_c``: "Higher is better" in
#: scores.md §3 (Tokuhashi), §5 (Bauer) and §6 (NESMS); "Lower is better" in §4 (Tomita)
HIGHER_IS_BETTER: Mapping[str, bool] = MappingProxyType(
    {
        "tokuhashi_revised": True,
        "tomita": False,
        "bauer_modified": True,
        "nesms": True,
    }
)


# --- survival by band -----------------------------------------------------------------------


@dataclass(frozen=True)
class HorizonShare:
    """The estimated share alive at ``days``; None when no one was followed that long."""

    days: float
    alive: float | None


@dataclass(frozen=True)
class BandSurvival:
    """Observed survival of one band, with the band's prediction when one was passed in."""

    band: str
    curve: Curve
    shares: tuple[HorizonShare, ...]
    prediction: Prediction | None = None

    @property
    def n(self) -> int:
        return self.curve.n

    @property
    def deaths(self) -> int:
        return self.curve.deaths

    def observed_for_prediction(self) -> float | None:
        """The share alive at the prediction's horizon; None without a prediction or follow-up."""
        if self.prediction is None:
            return None
        return self.curve.survival_at(self.prediction.days)


def band_survival(
    rows: Iterable[tuple[str, float, bool]],
    *,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
    order: Sequence[str] | None = None,
    predictions: Mapping[str, Prediction] | None = None,
) -> tuple[BandSurvival, ...]:
    """A Kaplan–Meier curve and horizon shares per band, from (band_id, days, died) rows.

    Bands come in first-seen order; with ``order``, the bands it lists come first in that
    order (a listed band without rows gets an empty curve, n 0 and None shares) and any
    others follow in first-seen order. Each share is ``curve.survival_at(horizon)``; the
    default horizons are 6 and 12 months (182.625 and 365.25 days). ``predictions`` maps
    band ids to what they predict (e.g. ``PREDICTIONS[tool_id]``); unlisted bands get None.
    Raises ValueError naming the row for a bad band id, duration or event, and naming
    ``horizons`` or ``order`` for a bad horizon or a repeated band.
    """
    days = tuple(_duration(h, f"horizons[{i}]") for i, h in enumerate(horizons))
    grouped: dict[str, tuple[list[float], list[bool]]] = {}
    if order is not None:
        for band in order:
            if band in grouped:
                raise ValueError(f"order lists band {band!r} twice")
            grouped[band] = ([], [])
    for k, row in enumerate(rows):
        band, duration, died = row
        if not isinstance(band, str):
            raise ValueError(f"rows[{k}] band id must be a str, got {band!r}")
        durations, events = grouped.setdefault(band, ([], []))
        durations.append(_duration(duration, f"rows[{k}] duration"))
        events.append(_event(died, f"rows[{k}] died"))

    result: list[BandSurvival] = []
    for band, (durations, events) in grouped.items():
        curve = kaplan_meier(durations, events)
        shares = tuple(HorizonShare(h, curve.survival_at(h)) for h in days)
        prediction = predictions.get(band) if predictions is not None else None
        result.append(BandSurvival(band, curve, shares, prediction))
    return tuple(result)
