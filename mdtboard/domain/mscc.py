"""MSCC and urgency rules: red flags → suggested urgency; MSCC clocks; dexamethasone.

Recognition follows NICE NG234 §1.2 and the clocks QS56 (2023), as written in
reference/scores.md §11 (D14, D19); the surgery target is a local default that
settings may change. Decision support: the referrer and the MDT decide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mdtboard.domain.vocab import Urgency


@dataclass(frozen=True)
class RedFlag:
    key: str
    label: str
    group: str  # pain | neurology | systemic | history


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag("night_pain", "Pain worse at night or lying flat", "pain"),
    RedFlag("progressive_pain", "Progressive, constant pain not relieved by rest", "pain"),
    RedFlag("midline_tenderness", "Focal midline percussion tenderness", "pain"),
    RedFlag("band_like_pain", "Band-like thoracic (chest) pain", "pain"),
    RedFlag("mechanical_pain", "Mechanical pain (worse on movement or loading)", "pain"),
    RedFlag("radicular_pain", "Radicular pain", "neurology"),
    RedFlag("limb_weakness", "Limb weakness", "neurology"),
    RedFlag(
        "gait_disturbance", "Difficulty walking, gait disturbance or hand clumsiness", "neurology"
    ),
    RedFlag(
        "sensory_level", "Numbness, paraesthesia or sensory loss (a sensory level)", "neurology"
    ),
    RedFlag("saddle_anaesthesia", "Saddle anaesthesia", "neurology"),
    RedFlag("bladder_dysfunction", "Urinary retention or incontinence", "neurology"),
    RedFlag("bowel_dysfunction", "Bowel dysfunction", "neurology"),
    RedFlag("neuro_signs", "Neurological signs of cord or cauda equina compression", "neurology"),
    RedFlag("weight_loss", "Unexplained weight loss", "systemic"),
    RedFlag("fever", "Fever", "systemic"),
    RedFlag("night_sweats", "Night sweats", "systemic"),
    RedFlag("fatigue", "Fatigue", "systemic"),
    RedFlag("cancer_history", "Past or current cancer diagnosis", "history"),
)
_BY_KEY = {f.key: f for f in RED_FLAGS}
_ORDER = {f.key: n for n, f in enumerate(RED_FLAGS)}
#: spinal pain of the tumour type (DOMAIN.md §3); mechanical pain suggests instability
TUMOUR_PAIN = frozenset({"night_pain", "progressive_pain", "midline_tenderness", "band_like_pain"})
SPINAL_PAIN = TUMOUR_PAIN | {"mechanical_pain"}
#: NG234 §1.2: any of these with a cancer diagnosis is suspected MSCC (radicular pain too)
NEURO_SYMPTOMS = frozenset(f.key for f in RED_FLAGS if f.group == "neurology")
CAUDA_EQUINA = frozenset({"saddle_anaesthesia", "bladder_dysfunction", "bowel_dysfunction"})
#: a deficit on its own (no pain, no cancer) still needs urgent assessment
DEFICITS = NEURO_SYMPTOMS - {"radicular_pain"}
SYSTEMIC = frozenset({"weight_loss", "fever", "night_sweats", "fatigue"})


@dataclass(frozen=True)
class UrgencySuggestion:
    urgency: Urgency
    reasons: tuple[str, ...]


def _labels(keys: Iterable[str]) -> str:
    return ", ".join(_BY_KEY[k].label.lower() for k in sorted(keys, key=_ORDER.__getitem__))


def suggest_urgency(flags: Iterable[str]) -> UrgencySuggestion:
    """The urgency the red flags suggest, with its reasons (§11 "Recognising suspected
    MSCC", D19): the first reason names the rule, then every flag ticked."""
    given = set(flags)
    for key in sorted(given):
        if key not in _BY_KEY:
            raise ValueError(f"{key}: unknown red flag")
    ticked = tuple(_BY_KEY[k].label for k in sorted(given, key=_ORDER.__getitem__))
    neuro = given & NEURO_SYMPTOMS
    cancer = "cancer_history" in given
    tumour_pain = given & TUMOUR_PAIN
    if cancer and neuro:
        return UrgencySuggestion(
            Urgency.MSCC,
            (
                f"Past or current cancer with a neurological symptom ({_labels(neuro)}): "
                "suspected metastatic spinal cord compression (MSCC), an oncological emergency "
                "(NICE NG234 §1.2); spinal pain is "
                "not required. Whole-spine MRI and an agreed plan within 24 hours of the "
                "suspected diagnosis (QS56 statement 3).",
                *ticked,
            ),
        )
    if tumour_pain and neuro:
        return UrgencySuggestion(
            Urgency.MSCC,
            (
                f"Tumour-type spinal pain with a neurological symptom ({_labels(neuro)}): "
                "suspected metastatic spinal cord compression (MSCC) even without a known "
                "cancer (NICE NG234 §1.2) — emergency "
                "assessment the same day.",
                *ticked,
            ),
        )
    if given & CAUDA_EQUINA:
        return UrgencySuggestion(
            Urgency.MSCC,
            (
                f"Cauda equina symptoms ({_labels(given & CAUDA_EQUINA)}): suspected cord or "
                "cauda equina compression — emergency assessment the same day (NICE NG234 "
                "§1.2).",
                *ticked,
            ),
        )
    if cancer and tumour_pain:
        return UrgencySuggestion(
            Urgency.URGENT,
            (
                "Known cancer with tumour-type spinal pain and no neurological symptom: "
                "whole-spine MRI and a plan within 1 week (QS56 statement 2).",
                *ticked,
            ),
        )
    if cancer and "mechanical_pain" in given:
        return UrgencySuggestion(
            Urgency.URGENT,
            (
                "Known cancer with mechanical spinal pain (possible unstable lesion) and no "
                "neurological symptom: whole-spine MRI and a plan within 1 week.",
                *ticked,
            ),
        )
    if given & SPINAL_PAIN and given & SYSTEMIC:
        return UrgencySuggestion(Urgency.URGENT, ("Spinal pain with systemic features.", *ticked))
    if given & DEFICITS:
        return UrgencySuggestion(Urgency.URGENT, ("Neurological deficit.", *ticked))
    return UrgencySuggestion(Urgency.ROUTINE, ticked or ("No red flags recorded.",))


def has_neurology(flags: Iterable[str], neuro_deficit: bool) -> bool:
    """Neurological symptoms or signs (which set the 24-hour clocks and the dexamethasone
    prompt): the recorded deficit, or any neurological red flag."""
    return neuro_deficit or bool(set(flags) & NEURO_SYMPTOMS)


def is_suspected_mscc(urgency: str, flags: Iterable[str]) -> bool:
    """An MSCC emergency as recorded, or as the red flags suggest (§11)."""
    return urgency == Urgency.MSCC or suggest_urgency(flags).urgency == Urgency.MSCC


def clocks_apply(urgency: str, flags: Iterable[str]) -> bool:
    """The QS56 clocks run for a suspected MSCC (statement 3) and for a known cancer with
    spinal pain suggesting metastases (statement 2, the 1-week standard)."""
    given = set(flags)
    return is_suspected_mscc(urgency, given) or (
        "cancer_history" in given and bool(given & SPINAL_PAIN)
    )


@dataclass(frozen=True)
class Standards:
    """QS56 (2023) time standards; ``surgery_after_decision`` is a local default."""

    with_neurology: timedelta = timedelta(hours=24)  # MRI and plan, QS56 statement 3
    without_neurology: timedelta = timedelta(weeks=1)  # MRI and plan, QS56 statement 2
    radiotherapy_after_decision: timedelta = timedelta(hours=24)  # QS56 statement 6
    surgery_after_decision: timedelta = timedelta(hours=24)  # local default (settings)


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    start: datetime | None
    end: datetime | None
    elapsed: timedelta | None
    target: timedelta
    state: str  # not_started | running | met | breached | overdue_running | out_of_order
    #: where the target comes from (the QS56 statement, or "local default")
    source: str = ""


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name}: times must carry a time zone")


def _clock(
    key: str,
    label: str,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    target: timedelta,
    source: str,
) -> Clock:
    """Exactly the target is met; a running clock is overdue only once past it."""
    if start is None:
        return Clock(key, label, None, end, None, target, "not_started", source)
    if end is None:
        elapsed = now - start
        state = "overdue_running" if elapsed > target else "running"
        return Clock(key, label, start, None, elapsed, target, state, source)
    if end < start:  # e.g. a scan dated before the suspicion: no claim either way
        return Clock(key, label, start, end, None, target, "out_of_order", source)
    elapsed = end - start
    state = "met" if elapsed <= target else "breached"
    return Clock(key, label, start, end, elapsed, target, state, source)


def mscc_clocks(
    suspected_at: datetime | None,
    mri_at: datetime | None,
    plan_at: datetime | None,
    treatment_at: datetime | None,
    now: datetime,
    neuro_deficit: bool,
    for_surgery: bool | None = None,
    standards: Standards = Standards(),
) -> tuple[Clock, ...]:
    """The three MSCC clocks of §11: ``suspicion_to_mri`` and ``suspicion_to_plan`` (24 h
    with neurological symptoms or signs, 1 week without, both from the suspected
    diagnosis) and ``decision_to_treatment`` (radiotherapy within 24 h of the decision
    when not for surgery; surgery against the local default). ``plan_at`` is the
    decision to treat."""
    for name, value in (
        ("suspected_at", suspected_at),
        ("mri_at", mri_at),
        ("plan_at", plan_at),
        ("treatment_at", treatment_at),
        ("now", now),
    ):
        _aware(name, value)
    if neuro_deficit:
        target, source = standards.with_neurology, "QS56 statement 3"
    else:
        target, source = standards.without_neurology, "QS56 statement 2"
    if for_surgery:
        treat_target, treat_label, treat_source = (
            standards.surgery_after_decision,
            "Decision → surgery",
            "local default",
        )
    else:
        treat_target, treat_label, treat_source = (
            standards.radiotherapy_after_decision,
            "Decision → radiotherapy",
            "QS56 statement 6",
        )
    return (
        _clock("suspicion_to_mri", "Suspicion → MRI", suspected_at, mri_at, now, target, source),
        _clock(
            "suspicion_to_plan",
            "Suspicion → agreed plan",
            suspected_at,
            plan_at,
            now,
            target,
            source,
        ),
        _clock(
            "decision_to_treatment",
            treat_label,
            plan_at,
            treatment_at,
            now,
            treat_target,
            treat_source,
        ),
    )


def duration_text(delta: timedelta) -> str:
    """ "20 h", or "3.5 days" from 48 hours on."""
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.1f} days"
    return f"{hours:.0f} h"


STATE_WORDS = {
    "not_started": "not started",
    "running": "running",
    "overdue_running": "OVERDUE",
    "met": "met",
    "breached": "BREACHED",
    "out_of_order": "times out of order",
}


def describe_clock(c: Clock) -> str:
    """ "Suspicion → MRI: 20 h of 24 h, met (QS56 statement 3)"."""
    standard = "1 week" if c.target == timedelta(weeks=1) else duration_text(c.target)
    if c.state == "not_started":
        body = f"not started (standard {standard})"
    elif c.elapsed is None:
        body = f"{STATE_WORDS[c.state]} (standard {standard})"
    else:
        body = f"{duration_text(c.elapsed)} of {standard}, {STATE_WORDS[c.state]}"
    return f"{c.label}: {body}" + (f" ({c.source})" if c.source else "")


@dataclass(frozen=True)
class MriToPlan:
    """Information only, never the standard (§11): time from the scan to the plan, and
    how much of the suspicion → plan target was left when the scan was done."""

    elapsed: timedelta | None
    left_after_scan: timedelta | None


def mri_to_plan(clocks: tuple[Clock, ...], now: datetime) -> MriToPlan:
    by_key = {c.key: c for c in clocks}
    scan, plan = by_key["suspicion_to_mri"], by_key["suspicion_to_plan"]
    if scan.end is None or scan.elapsed is None:
        return MriToPlan(None, None)
    end = plan.end if plan.end is not None else now
    elapsed = end - scan.end if end >= scan.end else None
    return MriToPlan(elapsed, plan.target - scan.elapsed)


def mscc_prompts(neurology: bool) -> tuple[str, ...]:
    """What the team is reminded of for a suspected MSCC (§11, NG234 §1.8, QS56)."""
    if neurology:
        return (
            "Whole-spine MRI and an agreed treatment plan within 24 hours of the suspected "
            "diagnosis (QS56 statement 3).",
            "Dexamethasone 16 mg (oral, or the parenteral equivalent) as soon as possible, "
            "then 16 mg daily until surgery or radiotherapy, unless contraindicated; record "
            "why if not (NG234 §1.8).",
            "Radiotherapy, when not for surgery, within 24 hours of the decision to treat "
            "(QS56 statement 6).",
            "Deficits present for under 24–48 hours are often reversible: speed matters.",
        )
    return (
        "Whole-spine MRI and an agreed treatment plan within 1 week of the suspected "
        "diagnosis (spinal pain without neurological symptoms or signs, QS56 statement 2).",
        "Tell the patient to seek help the same day if neurological symptoms appear.",
    )


#: reasons a team records for not giving dexamethasone (reference/scores.md §11)
DEXAMETHASONE_OMISSION_REASONS = (
    "contraindication",
    "suspected lymphoma awaiting biopsy",
    "patient choice",
)


def dexamethasone_problems(
    suspected_mscc: bool, neurology: bool, started_at: datetime | None, omitted_reason: str
) -> tuple[str, ...]:
    """NG234 §1.8: with neurological symptoms or signs, dexamethasone 16 mg is recorded
    with its time, or its omission with a reason."""
    if not suspected_mscc or not neurology:
        return ()
    if started_at is None and not omitted_reason.strip():
        return (
            "Suspected MSCC with neurological symptoms or signs: dexamethasone 16 mg not "
            "recorded and no reason given for omitting it",
        )
    return ()
