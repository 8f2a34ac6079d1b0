"""Treatment catalogue (modality kinds declared as data) and plan validation."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mdtboard.domain import histology


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # choice | text | number | int | date | bool
    options: tuple[Choice, ...] = ()
    required: bool = False
    unit: str = ""
    help: str = ""


@dataclass(frozen=True)
class ModalityKind:
    key: str
    label: str
    group: str
    fields: tuple[Field, ...]
    help: str = ""
    supportive: bool = False


@dataclass(frozen=True)
class Regimen:
    dose_gy: float
    fractions: int

    @property
    def label(self) -> str:
        return (
            f"{self.dose_gy:g} Gy in {self.fractions} fraction{'s' if self.fractions > 1 else ''}"
        )


@dataclass(frozen=True)
class PlanProblem:
    severity: str  # "error" | "warning"
    modality_index: int | None
    field: str | None
    message: str


C = Choice
COMMON = (
    Field("sequence_note", "Sequence", "text", help="e.g. after separation surgery"),
    Field("notes", "Notes", "text"),
)
SURGERY_PROCEDURES = (
    C("decompression", "Decompression of cord / roots"),
    C("stabilisation", "Stabilisation (instrumented fixation, open or percutaneous)"),
    C("separation_surgery", "Separation surgery (before SBRT)"),
    C("en_bloc_resection", "En bloc / wide resection"),
    C("total_resection_intradural", "Total resection of intradural tumour"),
    C("vertebroplasty", "Vertebroplasty"),
    C("kyphoplasty", "Kyphoplasty"),
    C("open_biopsy", "Open biopsy"),
)
THERAPY_CLASSES = (
    C("chemotherapy", "Chemotherapy"),
    C("hormone_therapy", "Hormone therapy"),
    C("immunotherapy", "Immunotherapy"),
    C("targeted_therapy", "Targeted therapy"),
    C("bone_targeted", "Bone-targeted agent (denosumab, zoledronate)"),
    C("radionuclide", "Radionuclide therapy (radium-223, 177Lu-PSMA, radioiodine)"),
)
PARTICLES = (C("protons", "Protons"), C("carbon_ions", "Carbon ions"))
BIOPSY_ROUTES = (
    C("ct_guided_percutaneous", "CT-guided percutaneous needle biopsy"),
    C("open", "Open biopsy"),
    C("deferred_after_mdt", "Deferred after MDT discussion"),
)
DOSE = Field("dose_gy", "Total dose", "number", required=True, unit="Gy")
FRACTIONS = Field("fractions", "Fractions", "int", required=True)
#: particle doses are prescribed as RBE-weighted dose
DOSE_RBE = Field("dose_gy", "Total dose", "number", required=True, unit="Gy(RBE)")
#: NG234 §1.8: 16 mg daily while awaiting surgery or radiotherapy
DEXAMETHASONE_DAILY_MAX_MG = 16.0
#: D20: above this a "conventional" fraction is SBRT territory
CEBRT_MAX_GY_PER_FRACTION = 8.0
SBRT_MAX_GY_PER_FRACTION = 24.0

_KINDS = (
    ModalityKind(
        "surgery",
        "Surgery",
        "surgery",
        (
            Field("procedure", "Procedure", "choice", SURGERY_PROCEDURES, required=True),
            Field("approach", "Approach / levels", "text"),
            *COMMON,
        ),
    ),
    ModalityKind(
        "cebrt",
        "Conventional radiotherapy (cEBRT)",
        "radiotherapy",
        (DOSE, FRACTIONS, *COMMON),
        "1–45 fractions: palliative e.g. 8 Gy × 1, 20 Gy in 5, 30 Gy in 10; curative "
        "courses up to 45 fractions",
    ),
    ModalityKind(
        "sbrt",
        "SBRT / stereotactic radiosurgery",
        "radiotherapy",
        (DOSE, FRACTIONS, *COMMON),
        "Ablative dose in 1–5 fractions",
    ),
    ModalityKind(
        "particle_therapy",
        "Particle therapy (protons or carbon ions)",
        "radiotherapy",
        (
            Field("particle", "Particle", "choice", PARTICLES, required=True),
            DOSE_RBE,
            FRACTIONS,
            *COMMON,
        ),
        "Dose in Gy(RBE), 1–45 fractions, e.g. chordoma 70–74 Gy(RBE) in 1.8–2 Gy(RBE) fractions",
    ),
    ModalityKind(
        "systemic",
        "Systemic therapy",
        "systemic",
        (
            Field("therapy_class", "Class", "choice", THERAPY_CLASSES, required=True),
            Field(
                "driver",
                "Molecular driver",
                "text",
                help="Required for targeted therapy, or give a reason",
            ),
            Field("agent", "Drug / regimen", "text"),
            Field("no_driver_reason", "Reason if no driver", "text"),
            *COMMON,
        ),
    ),
    ModalityKind(
        "dexamethasone",
        "Dexamethasone",
        "supportive",
        (Field("dose_mg", "Daily dose", "number", required=True, unit="mg"), *COMMON),
        "16 mg daily for MSCC before definitive treatment",
        supportive=True,
    ),
    ModalityKind("palliative_care", "Palliative care", "supportive", COMMON, supportive=True),
    ModalityKind("rehabilitation", "Rehabilitation", "supportive", COMMON, supportive=True),
    ModalityKind(
        "psychological_support", "Psychological support", "supportive", COMMON, supportive=True
    ),
    ModalityKind(
        "observation",
        "Observation / surveillance imaging",
        "surveillance",
        (Field("interval", "Interval", "text", help="e.g. MRI in 6 months"), *COMMON),
        supportive=True,
    ),
    ModalityKind(
        "clinical_trial",
        "Clinical trial",
        "trial",
        (Field("trial_id", "Trial identifier", "text", required=True), *COMMON),
    ),
    ModalityKind(
        "biopsy",
        "Biopsy",
        "diagnosis",
        (
            Field("route", "Route", "choice", BIOPSY_ROUTES, required=True),
            Field("rationale", "MDT rationale (required when deferred)", "text"),
            *COMMON,
        ),
    ),
)
MODALITY_KINDS: Mapping[str, ModalityKind] = MappingProxyType({k.key: k for k in _KINDS})
CEBRT_REGIMENS = (Regimen(8, 1), Regimen(20, 5), Regimen(30, 10))
SBRT_REGIMENS = (
    Regimen(16, 1),
    Regimen(18, 1),
    Regimen(20, 1),
    Regimen(24, 1),
    Regimen(24, 2),
    Regimen(27, 3),
    Regimen(30, 4),
    Regimen(35, 5),
)
INTENTS = ("curative", "disease_control", "palliative")
#: D20: cEBRT and particle therapy allow curative primary-tumour courses
FRACTION_LIMITS = {"sbrt": (1, 5), "cebrt": (1, 45), "particle_therapy": (1, 45)}


def _number(value: Any) -> float | None:
    """A finite number, or None (not a number, NaN or infinite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def validate_plan(
    intent: str | None,
    modalities: Sequence[Mapping[str, Any]],
    recorded_drivers: Iterable[str] = (),
    histology_key: str | None = None,
) -> tuple[PlanProblem, ...]:
    """Every problem with a plan, each with a clear message naming the field."""
    out: list[PlanProblem] = []
    if intent is None or intent == "":
        out.append(PlanProblem("error", None, "intent", "Choose the intent of the plan."))
    elif intent not in INTENTS:
        out.append(PlanProblem("error", None, "intent", f"Unknown intent {intent!r}."))
    if not modalities:
        out.append(PlanProblem("error", None, "modalities", "Add at least one modality."))
    known_drivers = {d.strip().lower() for d in recorded_drivers}
    h = histology.CATALOGUE.get(histology_key or "")
    if h is not None:
        known_drivers |= {d.key for d in h.drivers} | {d.label.lower() for d in h.drivers}
    seen: set[str] = set()
    for n, m in enumerate(modalities):
        kind_key = str(m.get("kind", ""))
        details = dict(m.get("details") or {})
        kind = MODALITY_KINDS.get(kind_key)
        if kind is None:
            out.append(PlanProblem("error", n, "kind", f"Unknown modality {kind_key!r}."))
            continue
        signature = f"{kind_key}:{sorted(details.items())!r}"
        if signature in seen:
            out.append(PlanProblem("warning", n, None, f"{kind.label} is listed twice."))
        seen.add(signature)
        fields = {f.key: f for f in kind.fields}
        for key in details:
            if key not in fields:
                out.append(PlanProblem("error", n, key, f"{kind.label}: unknown field {key!r}."))
        for f in kind.fields:
            value = details.get(f.key)
            if f.required and (value is None or value == ""):
                out.append(PlanProblem("error", n, f.key, f"{kind.label}: {f.label} is required."))
            elif (
                value not in (None, "")
                and f.kind == "choice"
                and value not in {c.key for c in f.options}
            ):
                out.append(
                    PlanProblem(
                        "error", n, f.key, f"{kind.label}: {value!r} is not a valid {f.label}."
                    )
                )
        if kind_key in FRACTION_LIMITS:
            out.extend(_radiotherapy(n, kind, details))
        elif kind_key == "dexamethasone":
            dose = _number(details.get("dose_mg"))
            if details.get("dose_mg") is not None and (dose is None or dose <= 0):
                out.append(
                    PlanProblem("error", n, "dose_mg", "Dexamethasone dose must be positive.")
                )
            elif dose is not None and dose > DEXAMETHASONE_DAILY_MAX_MG:
                out.append(
                    PlanProblem(
                        "warning",
                        n,
                        "dose_mg",
                        f"Dexamethasone {dose:g} mg a day is above the 16 mg a day NICE "
                        "NG234 recommends for MSCC: check the dose.",
                    )
                )
        elif kind_key == "systemic" and details.get("therapy_class") == "targeted_therapy":
            driver = str(details.get("driver") or "").strip()
            reason = str(details.get("no_driver_reason") or "").strip()
            if not driver and not reason:
                out.append(
                    PlanProblem(
                        "error",
                        n,
                        "driver",
                        "Targeted therapy needs a molecular "
                        "driver, or a recorded reason why there is none.",
                    )
                )
            elif driver and known_drivers and driver.lower() not in known_drivers:
                out.append(
                    PlanProblem(
                        "warning",
                        n,
                        "driver",
                        f"Driver {driver!r} is not among "
                        "the drivers recorded or expected for this histology.",
                    )
                )
        elif (
            kind_key == "biopsy"
            and details.get("route") == "deferred_after_mdt"
            and not str(details.get("rationale") or "").strip()
        ):
            out.append(
                PlanProblem(
                    "error",
                    n,
                    "rationale",
                    "Deferring biopsy needs the MDT's recorded rationale.",
                )
            )
    if (
        intent == "curative"
        and modalities
        and all(
            (k := MODALITY_KINDS.get(str(m.get("kind", "")))) is not None and k.supportive
            for m in modalities
        )
    ):
        out.append(
            PlanProblem(
                "warning",
                None,
                "intent",
                "Curative intent with supportive care only: is the intent right?",
            )
        )
    return tuple(out)


def _radiotherapy(n: int, kind: ModalityKind, details: Mapping[str, Any]) -> list[PlanProblem]:
    out: list[PlanProblem] = []
    lo, hi = FRACTION_LIMITS[kind.key]
    dose = _number(details.get("dose_gy"))
    fractions_raw = details.get("fractions")
    if details.get("dose_gy") is not None and (dose is None or dose <= 0):
        out.append(PlanProblem("error", n, "dose_gy", f"{kind.label}: dose must be positive."))
    if fractions_raw is not None:
        if isinstance(fractions_raw, bool) or not isinstance(fractions_raw, int):
            out.append(
                PlanProblem(
                    "error", n, "fractions", f"{kind.label}: fractions must be a whole number."
                )
            )
        elif not lo <= fractions_raw <= hi:
            out.append(
                PlanProblem(
                    "error",
                    n,
                    "fractions",
                    f"{kind.label}: {lo}–{hi} fractions, not {fractions_raw}.",
                )
            )
        elif dose is not None and dose > 0:
            per_fraction = dose / fractions_raw
            if kind.key == "sbrt" and per_fraction > SBRT_MAX_GY_PER_FRACTION:
                out.append(
                    PlanProblem(
                        "warning",
                        n,
                        "dose_gy",
                        f"{kind.label}: more than 24 Gy per fraction — check the dose.",
                    )
                )
            elif kind.key == "cebrt" and per_fraction > CEBRT_MAX_GY_PER_FRACTION:
                out.append(
                    PlanProblem(
                        "warning",
                        n,
                        "dose_gy",
                        f"{kind.label}: {per_fraction:g} Gy per fraction is above 8 Gy — "
                        "that is SBRT territory: check the dose or the modality.",
                    )
                )
    return out


def describe_modality(kind_key: str, details: Mapping[str, Any]) -> str:
    kind = MODALITY_KINDS.get(kind_key)
    if kind is None:
        return kind_key
    d = dict(details)

    def choice_label(field_key: str) -> str:
        f = next((f for f in kind.fields if f.key == field_key), None)
        value = d.get(field_key)
        if f is None or value is None:
            return ""
        return next((c.label for c in f.options if c.key == value), str(value))

    if kind_key in FRACTION_LIMITS:
        short = {
            "cebrt": "cEBRT",
            "sbrt": "SBRT",
            "protons": "Proton therapy",
            "carbon_ions": "Carbon-ion therapy",
        }.get(kind_key if kind_key != "particle_therapy" else str(d.get("particle")), kind.label)
        unit = "Gy(RBE)" if kind_key == "particle_therapy" else "Gy"
        if d.get("dose_gy") is not None and d.get("fractions") is not None:
            fr = d["fractions"]
            text = f"{short} {d['dose_gy']:g} {unit} in {fr} fraction{'s' if fr != 1 else ''}"
        else:
            text = short
    elif kind_key == "surgery":
        text = f"Surgery: {choice_label('procedure') or 'procedure to be decided'}"
        if d.get("approach"):
            text += f" ({d['approach']})"
    elif kind_key == "systemic":
        text = f"Systemic therapy: {choice_label('therapy_class').lower() or 'to be decided'}"
        if d.get("driver"):
            text += f" ({d['driver']})"
        if d.get("agent"):
            text += f" — {d['agent']}"
    elif kind_key == "dexamethasone":
        text = f"Dexamethasone {d['dose_mg']:g} mg daily" if d.get("dose_mg") else "Dexamethasone"
    elif kind_key == "clinical_trial":
        text = f"Clinical trial {d.get('trial_id', '')}".strip()
    elif kind_key == "biopsy":
        text = f"Biopsy: {choice_label('route') or 'route to be decided'}"
    elif kind_key == "observation":
        text = "Observation" + (f": {d['interval']}" if d.get("interval") else "")
    else:
        text = kind.label
    if d.get("sequence_note"):
        text += f", {d['sequence_note']}"
    return text


def describe_plan(intent: str | None, modalities: Sequence[Mapping[str, Any]]) -> str:
    parts = [describe_modality(str(m.get("kind", "")), m.get("details") or {}) for m in modalities]
    if not parts:
        return ""
    intent_text = {
        "curative": "Curative intent",
        "disease_control": "Disease control intent",
        "palliative": "Palliative intent",
    }.get(intent or "", "")
    body = "; ".join(parts) + "."
    return f"{intent_text}: {body}" if intent_text else body


#: a dexamethasone start recorded on the referral becomes this modality (NG234 §1.8)
DEXAMETHASONE_SUGGESTED_MG = DEXAMETHASONE_DAILY_MAX_MG


def suggested_modalities(
    band: str | None, flags: Sequence[str] = (), dexamethasone_started: bool = False
) -> list[dict[str, Any]]:
    """The modalities the "Apply suggestion" action proposes (reference/scores.md §9.1,
    §9.2): the NOMS band's radiotherapy, separation surgery before SBRT, stabilisation
    when the spine is unstable, and dexamethasone already started. Doses and fractions
    are left for the MDT to choose (the plan validator asks for them). Decision support:
    the chair edits or removes any of them."""
    out: list[dict[str, Any]] = []
    if band == "separation_surgery_then_sbrt":
        notes = "with stabilisation (unstable spine)" if "stabilisation" in flags else ""
        out.append(
            {"kind": "surgery", "details": {"procedure": "separation_surgery", "notes": notes}}
        )
        out.append({"kind": "sbrt", "details": {"sequence_note": "after separation surgery"}})
    else:
        if "stabilisation" in flags:
            out.append({"kind": "surgery", "details": {"procedure": "stabilisation"}})
        if band in ("cebrt", "sbrt"):
            out.append({"kind": band, "details": {}})
    if dexamethasone_started:
        out.insert(0, {"kind": "dexamethasone", "details": {"dose_mg": DEXAMETHASONE_SUGGESTED_MG}})
    for m in out:
        m["details"] = {k: v for k, v in m["details"].items() if v != ""}
    return out
