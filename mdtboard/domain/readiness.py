"""Is a case ready for the MDT? A traffic light with its reasons.

Pure rules over plain values, so the worklist, the referral form, the
agenda builder and the PDFs all agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DEFAULT_IMAGING_MAX_AGE_DAYS = 28

#: Scores expected before discussion, by case type (a subset of the relevant tools).
KEY_SCORES: dict[str, tuple[tuple[str, ...], ...]] = {
    # each inner tuple: any one of these satisfies the requirement
    "metastatic": (("sins",), ("escc",), ("kps", "ecog")),
    "intramedullary": (("mccormick",), ("kps", "ecog")),
    "primary": (("kps", "ecog"),),
    "uncertain": (("kps", "ecog"),),
}


class Light(StrEnum):
    GREEN = "green"  # ready
    AMBER = "amber"  # can be discussed, something worth chasing
    RED = "red"  # not ready: key information missing

    @property
    def label(self) -> str:
        return {"green": "Ready", "amber": "Nearly ready", "red": "Not ready"}[self.value]


@dataclass(frozen=True)
class Reason:
    light: Light
    field: str
    message: str


@dataclass(frozen=True)
class Readiness:
    light: Light
    reasons: tuple[Reason, ...]

    @property
    def ready(self) -> bool:
        return self.light == Light.GREEN

    def summary(self) -> str:
        if not self.reasons:
            return "Ready for discussion"
        return "; ".join(r.message for r in self.reasons)


@dataclass(frozen=True)
class CaseFacts:
    disease_kind: str
    compartment: str
    question: str
    neuro_status: str
    imaging_available: bool
    imaging_date: date | None
    pathology_available: bool
    histology_key: str
    biopsy_deferral_rationale: str
    score_tools: frozenset[str]


def _score_requirements(facts: CaseFacts) -> tuple[tuple[str, ...], ...]:
    if facts.compartment == "intramedullary":
        return KEY_SCORES["intramedullary"]
    return KEY_SCORES.get(facts.disease_kind, KEY_SCORES["primary"])


def assess(
    facts: CaseFacts,
    today: date,
    imaging_max_age_days: int = DEFAULT_IMAGING_MAX_AGE_DAYS,
) -> Readiness:
    reasons: list[Reason] = []
    if not facts.question.strip():
        reasons.append(Reason(Light.RED, "question", "No question for the MDT"))
    if not facts.imaging_available or facts.imaging_date is None:
        reasons.append(Reason(Light.RED, "imaging", "No imaging available"))
    else:
        age = (today - facts.imaging_date).days
        if age > imaging_max_age_days:
            reasons.append(
                Reason(
                    Light.AMBER,
                    "imaging",
                    f"Imaging is {age} days old (limit {imaging_max_age_days} days)",
                )
            )
    if not facts.pathology_available and not facts.biopsy_deferral_rationale.strip():
        reasons.append(
            Reason(Light.RED, "pathology", "No pathology and no recorded biopsy deferral")
        )
    if not facts.neuro_status.strip():
        reasons.append(Reason(Light.AMBER, "neurology", "Neurological status not recorded"))
    missing = [
        " or ".join(t.upper() for t in group)
        for group in _score_requirements(facts)
        if not facts.score_tools.intersection(group)
    ]
    if missing:
        reasons.append(Reason(Light.AMBER, "scores", "Scores missing: " + ", ".join(missing)))
    if any(r.light == Light.RED for r in reasons):
        light = Light.RED
    elif reasons:
        light = Light.AMBER
    else:
        light = Light.GREEN
    return Readiness(light, tuple(reasons))


def worst(lights: Iterable[Light]) -> Light:
    order = {Light.GREEN: 0, Light.AMBER: 1, Light.RED: 2}
    return max(lights, key=lambda light: order[light], default=Light.GREEN)
