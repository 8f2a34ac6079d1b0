"""MSCC and urgency rules: red flags → suggested urgency; MSCC clocks; dexamethasone.

Standards from NICE NG234 / QS56 (reference/scores.md §11), editable.
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
    RedFlag("mechanical_pain", "Mechanical pain (worse on movement or loading)", "pain"),
    RedFlag("band_like_pain", "Band-like thoracic (chest) pain", "pain"),
    RedFlag("radicular_pain", "Radicular pain", "pain"),
    RedFlag("limb_weakness", "Limb weakness", "neurology"),
    RedFlag("sensory_level", "Sensory level", "neurology"),
    RedFlag("gait_disturbance", "Gait disturbance or hand clumsiness", "neurology"),
    RedFlag("saddle_anaesthesia", "Saddle anaesthesia", "neurology"),
    RedFlag("bladder_dysfunction", "Urinary retention or incontinence", "neurology"),
    RedFlag("bowel_dysfunction", "Bowel dysfunction", "neurology"),
    RedFlag("weight_loss", "Unexplained weight loss", "systemic"),
    RedFlag("fever", "Fever", "systemic"),
    RedFlag("night_sweats", "Night sweats", "systemic"),
    RedFlag("fatigue", "Fatigue", "systemic"),
    RedFlag("cancer_history", "History of cancer", "history"),
)
_BY_KEY = {f.key: f for f in RED_FLAGS}
TUMOUR_PAIN = {
    "night_pain",
    "progressive_pain",
    "midline_tenderness",
    "band_like_pain",
    "mechanical_pain",
    "radicular_pain",
}
DEFICITS = {
    "limb_weakness",
    "sensory_level",
    "gait_disturbance",
    "saddle_anaesthesia",
    "bladder_dysfunction",
    "bowel_dysfunction",
}
CAUDA_EQUINA = {"saddle_anaesthesia", "bladder_dysfunction", "bowel_dysfunction"}
SYSTEMIC = {"weight_loss", "fever", "night_sweats", "fatigue"}

MSCC_PROMPTS: tuple[str, ...] = (
    "MRI of the whole spine within 24 hours (sooner with neurological deficit).",
    "Dexamethasone 16 mg started at once unless contraindicated (record why if not).",
    "Definitive treatment plan agreed within 24 hours of the MRI.",
    "Deficits present for under 24–48 hours are often reversible: speed matters.",
)


@dataclass(frozen=True)
class UrgencySuggestion:
    urgency: Urgency
    reasons: tuple[str, ...]


def suggest_urgency(flags: Iterable[str]) -> UrgencySuggestion:
    given = set(flags)
    for key in sorted(given):
        if key not in _BY_KEY:
            raise ValueError(f"{key}: unknown red flag")
    labels = [_BY_KEY[k].label for k in sorted(given, key=list(_BY_KEY).index)]
    pain = given & TUMOUR_PAIN
    deficit = given & DEFICITS
    cancer = "cancer_history" in given
    if cancer and pain and deficit:
        reasons = [
            "Known cancer with new spinal pain and a neurological deficit: suspected "
            "metastatic spinal cord compression — emergency MRI within 24 hours."
        ]
        if given & CAUDA_EQUINA:
            reasons.append("Cauda equina symptoms present.")
        return UrgencySuggestion(Urgency.MSCC, tuple(reasons + labels))
    if deficit and (given & CAUDA_EQUINA):
        return UrgencySuggestion(
            Urgency.MSCC, ("Cauda equina symptoms: emergency assessment.", *labels)
        )
    if cancer and pain:
        return UrgencySuggestion(
            Urgency.URGENT,
            ("Known cancer with tumour-type spinal pain: MRI within 1 week.", *labels),
        )
    if pain and (given & SYSTEMIC):
        return UrgencySuggestion(Urgency.URGENT, ("Spinal pain with systemic features.", *labels))
    if deficit:
        return UrgencySuggestion(Urgency.URGENT, ("Neurological deficit.", *labels))
    return UrgencySuggestion(Urgency.ROUTINE, tuple(labels) or ("No red flags recorded.",))


@dataclass(frozen=True)
class Standards:
    mri_with_neurology: timedelta = timedelta(hours=24)
    mri_pain_only: timedelta = timedelta(weeks=1)
    mri_to_plan: timedelta = timedelta(hours=24)
    plan_to_treatment: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    start: datetime | None
    end: datetime | None
    elapsed: timedelta | None
    target: timedelta
    state: str  # not_started | running | met | breached | overdue_running | out_of_order


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
) -> Clock:
    if start is None:
        return Clock(key, label, None, end, None, target, "not_started")
    if end is None:
        elapsed = now - start
        state = "overdue_running" if elapsed > target else "running"
        return Clock(key, label, start, None, elapsed, target, state)
    if end < start:  # e.g. a plan dated before its MRI: no claim either way
        return Clock(key, label, start, end, None, target, "out_of_order")
    elapsed = end - start
    return Clock(
        key, label, start, end, elapsed, target, "met" if elapsed <= target else "breached"
    )


def mscc_clocks(
    suspected_at: datetime | None,
    mri_at: datetime | None,
    plan_at: datetime | None,
    treatment_at: datetime | None,
    now: datetime,
    neuro_deficit: bool,
    standards: Standards = Standards(),
) -> tuple[Clock, ...]:
    for name, value in (
        ("suspected_at", suspected_at),
        ("mri_at", mri_at),
        ("plan_at", plan_at),
        ("treatment_at", treatment_at),
        ("now", now),
    ):
        _aware(name, value)
    mri_target = standards.mri_with_neurology if neuro_deficit else standards.mri_pain_only
    return (
        _clock("suspicion_to_mri", "Suspicion → MRI", suspected_at, mri_at, now, mri_target),
        _clock("mri_to_plan", "MRI → plan", mri_at, plan_at, now, standards.mri_to_plan),
        _clock(
            "plan_to_treatment",
            "Plan → treatment",
            plan_at,
            treatment_at,
            now,
            standards.plan_to_treatment,
        ),
    )


def dexamethasone_problems(
    urgency: str, neuro_deficit: bool, started_at: datetime | None, omitted_reason: str
) -> tuple[str, ...]:
    if urgency != Urgency.MSCC or not neuro_deficit:
        return ()
    if started_at is None and not omitted_reason.strip():
        return (
            "MSCC with neurological deficit: dexamethasone 16 mg not recorded and no "
            "reason given for omitting it",
        )
    return ()
