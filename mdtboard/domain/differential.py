"""Differential diagnosis checklist (DOMAIN.md §8), recorded per referral."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ANSWERS = ("not_considered", "ruled_out", "possible", "confirmed")


@dataclass(frozen=True)
class Differential:
    key: str
    label: str
    features: str


DIFFERENTIALS: tuple[Differential, ...] = (
    Differential(
        "disc_herniation",
        "Disc bulge or herniation",
        "Mechanical pain, better with rest; no systemic features.",
    ),
    Differential(
        "sciatica",
        "Sciatica",
        "Tumour suspected if progressive weakness, bilateral symptoms, systemic "
        "features or a cancer history.",
    ),
    Differential(
        "spondylodiscitis",
        "Spondylodiscitis (infection)",
        "Crosses and involves the disc space (tumours usually spare it); fever, "
        "raised inflammatory markers.",
    ),
    Differential(
        "osteoporotic_fracture",
        "Osteoporotic (not pathological) fracture",
        "MRI signal, age, cancer history; biopsy when in doubt.",
    ),
)
_KEYS = {d.key for d in DIFFERENTIALS}


def validate_differential(answers: Mapping[str, str]) -> dict[str, str]:
    for key, value in answers.items():
        if key not in _KEYS:
            raise ValueError(f"{key}: unknown differential diagnosis")
        if value not in ANSWERS:
            raise ValueError(f"{key}: answer must be one of {', '.join(ANSWERS)}, not {value!r}")
    return {d.key: answers.get(d.key, "not_considered") for d in DIFFERENTIALS}
