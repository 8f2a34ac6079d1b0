"""Validated clinical scores, declared as data and evaluated by one engine.

``evaluate(tool_id, answers)`` implements reference/scores.md exactly; the
GUI and the PDFs render any tool from ``TOOLS``. Adding a tool is adding
data. Decision support only: scores inform the MDT, they never decide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from mdtboard.domain import histology, levels


class ScoreInputError(ValueError):
    """Bad answer for a tool; the message names the offending key."""


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    points: int | None = None
    help: str = ""


@dataclass(frozen=True)
class PointsRange:
    """Numeric items: values from ``low`` get ``points``; ranges ascend, and a value
    takes the points of the last range whose ``low`` it reaches (so "< 3.5" and
    "≥ 3.5" meet exactly at 3.5). The last range's ``high`` is the top."""

    low: float
    high: float
    points: int


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    help: str = ""
    kind: str = "choice"  # "choice" | "number"
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    #: numeric items: how a value becomes points (None: the value itself)
    points_ranges: tuple[PointsRange, ...] | None = None
    #: numeric items: another unit a form may accept, and the factor to this one
    #: (albumin in g/L: ("g/L", 0.1)); the engine only ever sees ``unit``
    alt_unit: tuple[str, float] | None = None

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    meaning: str = ""
    low: int | None = None
    high: int | None = None
    #: grade tools: the option keys this band covers
    grades: tuple[str, ...] = ()
    #: signals a result in this band raises (e.g. SINS ≥ 7: "surgical_consultation")
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tool:
    id: str
    label: str
    short_label: str
    description: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    citation: str
    kind: str = "sum"  # "sum" | "grade" | "rule"
    total_min: int | None = None
    total_max: int | None = None
    total_cap: int | None = None

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def band(self, band_id: str) -> Band | None:
        return next((b for b in self.bands if b.id == band_id), None)


@dataclass(frozen=True)
class ScoreResult:
    tool_id: str
    total: int | None
    band: str | None
    flags: tuple[str, ...]
    complete: bool
    missing: tuple[str, ...]
    item_points: Mapping[str, int] = field(default_factory=dict)


Opt = Option


def _choice(key: str, label: str, help_: str, *options: Option) -> Item:
    return Item(key, label, help_, "choice", tuple(options))


def _yes_no(key: str, label: str, help_: str = "") -> Item:
    return _choice(key, label, help_, Opt("yes", "Yes", 1), Opt("no", "No", 0))


def _grade_tool(
    tid: str, label: str, short: str, desc: str, cite: str, grades: tuple[tuple[str, str], ...]
) -> Tool:
    return Tool(
        tid,
        label,
        short,
        desc,
        (
            _choice(
                "grade", "Grade", desc, *(Opt(k, f"{k.upper()} — {m}", None) for k, m in grades)
            ),
        ),
        tuple(Band(k, k.upper(), m, grades=(k,)) for k, m in grades),
        cite,
        kind="grade",
    )


SINS = Tool(
    "sins",
    "Spinal Instability Neoplastic Score (SINS)",
    "SINS",
    "Mechanical stability of a neoplastic spinal lesion; one score per lesion.",
    (
        _choice(
            "location",
            "Location",
            "Spinal level of the lesion",
            Opt("junctional", "Junctional (occiput–C2, C7–T2, T11–L1, L5–S1)", 3),
            Opt("mobile", "Mobile spine (C3–C6, L2–L4)", 2),
            Opt("semi_rigid", "Semi-rigid (T3–T10)", 1),
            Opt("rigid", "Rigid (S2–S5)", 0),
        ),
        _choice(
            "pain",
            "Pain",
            "Pain relieved by recumbency or worse with movement = mechanical",
            Opt("mechanical", "Mechanical pain", 3),
            Opt("occasional_non_mechanical", "Occasional pain, not mechanical", 1),
            Opt("pain_free", "Pain-free lesion", 0),
        ),
        _choice(
            "bone_lesion",
            "Bone lesion",
            "Radiographic quality of the lesion",
            Opt("lytic", "Lytic", 2),
            Opt("mixed", "Mixed lytic/blastic", 1),
            Opt("blastic", "Blastic", 0),
        ),
        _choice(
            "alignment",
            "Radiographic spinal alignment",
            "",
            Opt("subluxation_translation", "Subluxation or translation present", 4),
            Opt("de_novo_deformity", "De novo deformity (kyphosis or scoliosis)", 2),
            Opt("normal", "Normal alignment", 0),
        ),
        _choice(
            "collapse",
            "Vertebral body collapse",
            "",
            Opt("over_50", "More than 50 % collapse", 3),
            Opt("under_50", "Less than 50 % collapse", 2),
            Opt("none_over_50_involved", "No collapse, more than 50 % of the body involved", 1),
            Opt("none", "None of the above", 0),
        ),
        _choice(
            "posterolateral",
            "Posterolateral involvement",
            "Facet, pedicle or costovertebral joint fracture or replacement with tumour",
            Opt("bilateral", "Bilateral", 3),
            Opt("unilateral", "Unilateral", 1),
            Opt("none", "None", 0),
        ),
    ),
    (
        Band("stable", "Stable", "0–6: stable", 0, 6),
        Band(
            "indeterminate",
            "Indeterminate (potentially unstable)",
            "7–12: potentially unstable; surgical consultation recommended",
            7,
            12,
            flags=("surgical_consultation",),
        ),
        Band(
            "unstable",
            "Unstable",
            "13–18: unstable; surgical consultation recommended",
            13,
            18,
            flags=("surgical_consultation",),
        ),
    ),
    "Fisher CG et al. Spine 2010;35(22):E1221–9 (SOSG).",
    total_min=0,
    total_max=18,
)

ESCC = Tool(
    "escc",
    "Epidural spinal cord compression (Bilsky) grade",
    "ESCC",
    "Axial T2 MRI at the level of most severe compression.",
    (
        _choice(
            "grade",
            "Grade",
            "Axial T2 MRI at the level of most severe compression",
            Opt("0", "0 — bone-only disease"),
            Opt("1a", "1a — epidural impingement, no deformation of the thecal sac"),
            Opt("1b", "1b — deformation of the thecal sac, no spinal cord abutment"),
            Opt("1c", "1c — deformation of the thecal sac with cord abutment, no compression"),
            Opt("2", "2 — cord compression, CSF visible around the cord"),
            Opt("3", "3 — cord compression, no CSF visible around the cord"),
        ),
    ),
    (
        Band("low_grade", "Low grade", "Grades 0, 1a, 1b", grades=("0", "1a", "1b")),
        Band(
            "borderline",
            "Borderline (1c)",
            "Grade 1c: grey zone some centres treat as high grade; MDT judgement",
            grades=("1c",),
        ),
        Band("high_grade", "High grade", "Grades 2 and 3: cord compression", grades=("2", "3")),
    ),
    "Bilsky MH et al. J Neurosurg Spine 2010;13(3):324–8.",
    kind="grade",
)

TOKUHASHI = Tool(
    "tokuhashi_revised",
    "Revised Tokuhashi score",
    "Tokuhashi",
    "Predicted survival in spinal metastases.",
    (
        Item(
            "kps",
            "Karnofsky performance status",
            "Entered as the real KPS value",
            "number",
            minimum=10,
            maximum=100,
            step=10,
            unit="%",
            points_ranges=(PointsRange(10, 40, 0), PointsRange(50, 70, 1), PointsRange(80, 100, 2)),
        ),
        _choice(
            "extraspinal_bone_mets",
            "Extraspinal bone metastases",
            "",
            Opt("three_or_more", "3 or more", 0),
            Opt("one_or_two", "1–2", 1),
            Opt("none", "None", 2),
        ),
        _choice(
            "vertebral_body_mets",
            "Metastases in the vertebral body",
            "",
            Opt("three_or_more", "3 or more", 0),
            Opt("two", "2", 1),
            Opt("one", "1", 2),
        ),
        _choice(
            "visceral_mets",
            "Metastases to major internal organs",
            "",
            Opt("unremovable", "Unremovable", 0),
            Opt("removable", "Removable", 1),
            Opt("none", "None", 2),
        ),
        _choice(
            "primary_site",
            "Primary site of the cancer",
            "",
            *(
                Opt(k, k.replace("_", " ").capitalize(), 0)
                for k in ("lung", "osteosarcoma", "stomach", "bladder", "oesophagus", "pancreas")
            ),
            *(Opt(k, k.capitalize(), 1) for k in ("liver", "gallbladder", "unidentified")),
            Opt("other", "Other", 2),
            *(Opt(k, k.capitalize(), 3) for k in ("kidney", "uterus")),
            Opt("rectum", "Rectum", 4),
            *(Opt(k, k.capitalize(), 5) for k in ("thyroid", "breast", "prostate", "carcinoid")),
        ),
        _choice(
            "palsy",
            "Palsy (Frankel grade)",
            "",
            Opt("a", "Frankel A (complete)", 0),
            Opt("b", "Frankel B (complete)", 0),
            Opt("c", "Frankel C (incomplete)", 1),
            Opt("d", "Frankel D (incomplete)", 1),
            Opt("e", "Frankel E (none)", 2),
        ),
    ),
    (
        Band(
            "lt_6_months",
            "Predicted survival < 6 months",
            "0–8: conservative or palliative treatment",
            0,
            8,
        ),
        Band(
            "ge_6_months",
            "Predicted survival ≥ 6 months",
            "9–11: palliative surgery; excisional if a single lesion without visceral metastases",
            9,
            11,
        ),
        Band("ge_1_year", "Predicted survival ≥ 1 year", "12–15: excisional surgery", 12, 15),
    ),
    "Tokuhashi Y et al. Spine 2005;30(19):2186–91.",
    total_min=0,
    total_max=15,
)

TOMITA = Tool(
    "tomita",
    "Tomita surgical strategy score",
    "Tomita",
    "Surgical strategy for spinal metastases.",
    (
        _choice(
            "primary_growth",
            "Primary tumour growth",
            "",
            Opt("slow", "Slow (e.g. breast, thyroid, prostate, testicular)", 1),
            Opt("moderate", "Moderate (e.g. kidney, uterus)", 2),
            Opt("rapid", "Rapid (e.g. lung, stomach, liver, colon, pancreas, unknown)", 4),
        ),
        _choice(
            "visceral_mets",
            "Visceral metastases",
            "",
            Opt("none", "None", 0),
            Opt("treatable", "Treatable", 2),
            Opt("untreatable", "Untreatable", 4),
        ),
        _choice(
            "bone_mets",
            "Bone metastases (including spine)",
            "",
            Opt("solitary", "Solitary or isolated", 1),
            Opt("multiple", "Multiple", 2),
        ),
    ),
    (
        Band(
            "wide_or_marginal_excision",
            "Wide or marginal excision",
            "2–3: long-term local control",
            2,
            3,
        ),
        Band(
            "marginal_or_intralesional_excision",
            "Marginal or intralesional excision",
            "4–5: middle-term local control",
            4,
            5,
        ),
        Band("palliative_surgery", "Palliative surgery", "6–7: short-term palliation", 6, 7),
        Band("supportive_care", "Supportive care", "8–10: non-operative supportive care", 8, 10),
    ),
    "Tomita K et al. Spine 2001;26(3):298–306.",
    total_min=2,
    total_max=10,
)

BAUER = Tool(
    "bauer_modified",
    "Modified Bauer score",
    "Bauer",
    "Prognosis in skeletal metastases (pathological fracture item removed).",
    (
        _yes_no("no_visceral_mets", "No visceral metastases"),
        _yes_no("primary_not_lung", "Primary tumour is not lung cancer"),
        _yes_no("primary_favourable", "Primary is breast, kidney, lymphoma or multiple myeloma"),
        _yes_no("solitary_skeletal_met", "Solitary skeletal metastasis"),
    ),
    (
        Band("poor", "Poor", "0–1", 0, 1),
        Band("intermediate", "Intermediate", "2", 2, 2),
        Band("good", "Good", "3–4", 3, 4),
    ),
    "Bauer HC & Wedin R. Acta Orthop Scand 1995;66:143–6; Leithner A et al. "
    "Eur Spine J 2008;17:1488–95.",
    total_min=0,
    total_max=4,
)

NESMS = Tool(
    "nesms",
    "New England Spinal Metastasis Score (NESMS)",
    "NESMS",
    "Survival in spinal metastases; higher is better. Total capped at 3.",
    (
        Item(
            "modified_bauer",
            "Modified Bauer score",
            "The bauer_modified total (0–4)",
            "number",
            minimum=0,
            maximum=4,
            step=1,
            points_ranges=(PointsRange(0, 2, 0), PointsRange(3, 4, 2)),
        ),
        _choice(
            "ambulation",
            "Ambulatory status",
            "",
            Opt("independent", "Independent", 1),
            Opt("dependent", "Needs assistance or non-ambulatory", 0),
        ),
        Item(
            "albumin_g_dl",
            "Serum albumin",
            "g/dL; a value in g/L is divided by 10 first",
            "number",
            minimum=1.0,
            maximum=6.0,
            unit="g/dL",
            points_ranges=(PointsRange(1.0, 3.5, 0), PointsRange(3.5, 6.0, 1)),  # < 3.5 → 0
            alt_unit=("g/L", 0.1),
        ),
    ),
    tuple(Band(f"nesms_{n}", f"NESMS {n}", f"Score {n} of 3", n, n) for n in range(4)),
    "Ghori AK et al. Spine J 2015;15(11):2345–50; Schoenfeld AJ et al. Spine J "
    "2016;16(4):482–90; Schoenfeld AJ et al. Spine J 2022;22(1):39–48.",
    total_min=0,
    total_max=3,
    total_cap=3,
)

KPS = Tool(
    "kps",
    "Karnofsky performance status",
    "KPS",
    "Performance status, 0–100.",
    (
        Item(
            "kps",
            "KPS",
            "0 (dead) to 100 (normal)",
            "number",
            minimum=0,
            maximum=100,
            step=10,
            unit="%",
        ),
    ),
    (
        Band("unable_self_care", "Unable to care for self", "0–40", 0, 40),
        Band("unable_to_work", "Unable to work; cares for self", "50–70", 50, 70),
        Band("normal_activity", "Normal activity", "80–100", 80, 100),
    ),
    "Karnofsky DA & Burchenal JH 1949.",
    total_min=0,
    total_max=100,
)

ECOG_GRADES = (
    ("0", "fully_active", "Fully active"),
    ("1", "restricted", "Restricted in strenuous activity"),
    ("2", "ambulatory_self_care", "Ambulatory, capable of self-care"),
    ("3", "limited_self_care", "Capable of only limited self-care"),
    ("4", "disabled", "Completely disabled"),
    ("5", "dead", "Dead"),
)
ECOG = Tool(
    "ecog",
    "ECOG performance status",
    "ECOG",
    "Performance status, grade 0–5.",
    (
        _choice(
            "grade",
            "ECOG grade",
            "",
            *(Opt(g, f"{g} — {label}", int(g)) for g, _, label in ECOG_GRADES),
        ),
    ),
    tuple(Band(b, label, f"ECOG {g}", int(g), int(g)) for g, b, label in ECOG_GRADES),
    "Oken MM et al. Am J Clin Oncol 1982;5:649–55.",
    total_min=0,
    total_max=5,
)

FRANKEL = _grade_tool(
    "frankel",
    "Frankel grade",
    "Frankel",
    "Neurological function below the level.",
    "Frankel HL et al. Paraplegia 1969.",
    (
        ("a", "complete: no motor or sensory function below the level"),
        ("b", "sensory only"),
        ("c", "motor present but useless"),
        ("d", "motor useful"),
        ("e", "normal"),
    ),
)
ASIA = _grade_tool(
    "asia",
    "ASIA Impairment Scale",
    "ASIA",
    "ISNCSCI impairment grade.",
    "ASIA Impairment Scale (ISNCSCI).",
    (
        ("a", "complete: no sensory or motor function in S4–S5"),
        ("b", "sensory incomplete"),
        ("c", "motor incomplete, most key muscles below the level < grade 3"),
        ("d", "motor incomplete, at least half of key muscles ≥ grade 3"),
        ("e", "normal"),
    ),
)
MCCORMICK = _grade_tool(
    "mccormick",
    "McCormick grade",
    "McCormick",
    "Function with intramedullary tumours.",
    "McCormick PC et al. J Neurosurg 1990;72:523–32.",
    (
        ("i", "normal or mild deficit, normal gait"),
        ("ii", "deficit affecting function, mild to moderate gait difficulty, independent"),
        ("iii", "needs cane or brace, or significant bilateral arm impairment"),
        (
            "iv",
            "severe deficit, wheelchair or aids with bilateral arm impairment, usually dependent",
        ),
    ),
)

NOMS_BANDS = (
    Band(
        "cebrt",
        "Conventional external beam radiotherapy (cEBRT)",
        "Radiosensitive tumour: cEBRT whatever the compression",
    ),
    Band(
        "sbrt",
        "Stereotactic body radiotherapy (SBRT)",
        "Radioresistant tumour with low-grade (or borderline) compression",
    ),
    Band(
        "separation_surgery_then_sbrt",
        "Separation surgery, then SBRT",
        "Radioresistant tumour, high-grade compression, fit for surgery",
    ),
    Band(
        "radiotherapy_alone",
        "Radiotherapy alone",
        "Radioresistant tumour, high-grade compression, not fit for surgery",
    ),
)
NOMS = Tool(
    "noms",
    "NOMS decision framework",
    "NOMS",
    "Neurologic, Oncologic, Mechanical, Systemic: decision support for the MDT.",
    (
        _choice(
            "neurologic",
            "Neurologic (ESCC band)",
            "",
            Opt("low_grade", "Low grade (ESCC 0–1b)"),
            Opt("borderline", "Borderline (ESCC 1c)"),
            Opt("high_grade", "High grade (ESCC 2–3)"),
        ),
        _choice(
            "oncologic",
            "Oncologic (radiosensitivity to cEBRT)",
            "",
            Opt("radiosensitive", "Radiosensitive"),
            Opt("radioresistant", "Radioresistant"),
        ),
        _choice(
            "mechanical",
            "Mechanical (SINS band)",
            "",
            Opt("stable", "Stable"),
            Opt("indeterminate", "Indeterminate"),
            Opt("unstable", "Unstable"),
        ),
        _choice(
            "systemic",
            "Systemic",
            "",
            Opt("fit_for_surgery", "Fit for surgery"),
            Opt("not_fit_for_surgery", "Not fit for surgery"),
        ),
    ),
    NOMS_BANDS,
    "Bilsky MH et al. Oncologist 2013;18:744–51; Laufer I et al. Oncologist 2013.",
    kind="rule",
)

TOOLS: Mapping[str, Tool] = MappingProxyType(
    {
        t.id: t
        for t in (
            SINS,
            ESCC,
            TOKUHASHI,
            TOMITA,
            BAUER,
            NESMS,
            KPS,
            ECOG,
            FRANKEL,
            ASIA,
            MCCORMICK,
            NOMS,
        )
    }
)


# --- engine -------------------------------------------------------------------


def _check_number(item: Item, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoreInputError(f"{item.key}: expected a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ScoreInputError(f"{item.key}: {value!r} is not a number")
    if item.minimum is not None and v < item.minimum - 1e-9:
        raise ScoreInputError(f"{item.key}: {value} is below the minimum {item.minimum:g}")
    if item.maximum is not None and v > item.maximum + 1e-9:
        raise ScoreInputError(f"{item.key}: {value} is above the maximum {item.maximum:g}")
    if item.step is not None:
        base = item.minimum if item.minimum is not None else 0.0
        steps = (v - base) / item.step
        if abs(steps - round(steps)) > 1e-6:
            raise ScoreInputError(f"{item.key}: {value} is not a multiple of {item.step:g}")
    return v


def _number_points(item: Item, v: float) -> int:
    if item.points_ranges is None:
        return int(v)
    reached = [r for r in item.points_ranges if r.low - 1e-9 <= v]
    if not reached or v > item.points_ranges[-1].high + 1e-9:
        raise ScoreInputError(f"{item.key}: {v:g} has no points in this tool")
    return reached[-1].points


def _validated(tool: Tool, answers: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in answers.items():
        item = tool.item(key)
        if item is None:
            raise ScoreInputError(f"{key}: unknown item for {tool.id}")
        if value is None:
            continue
        if item.kind == "number":
            out[key] = _check_number(item, value)
        else:
            if not isinstance(value, str):
                raise ScoreInputError(f"{key}: expected an option key (text), got {value!r}")
            if item.option(value) is None:
                raise ScoreInputError(f"{key}: unknown option {value!r}")
            out[key] = value
    return out


def _band_for_total(tool: Tool, total: int) -> str | None:
    for b in tool.bands:
        if b.low is not None and b.high is not None and b.low <= total <= b.high:
            return b.id
    return None


def _noms(answers: Mapping[str, object]) -> tuple[str | None, tuple[str, ...]]:
    neuro, onco = answers.get("neurologic"), answers.get("oncologic")
    mech, systemic = answers.get("mechanical"), answers.get("systemic")
    flags: set[str] = set()
    if mech == "unstable":
        flags.add("stabilisation")
    elif mech == "indeterminate":
        flags.add("surgical_opinion")
    if systemic == "not_fit_for_surgery":
        flags.add("not_fit_for_surgery")
    band: str | None = None
    if onco == "radiosensitive":
        band = "cebrt"
    elif onco == "radioresistant":
        if neuro == "low_grade":
            band = "sbrt"
        elif neuro == "borderline":
            band = "sbrt"
            flags.add("borderline_compression")
        elif neuro == "high_grade" and systemic is not None:
            band = (
                "separation_surgery_then_sbrt"
                if systemic == "fit_for_surgery"
                else "radiotherapy_alone"
            )
    if neuro == "borderline" and onco is None:
        pass
    return band, tuple(sorted(flags))


def evaluate(tool_id: str, answers: Mapping[str, object]) -> ScoreResult:
    """Score ``answers`` with the tool ``tool_id`` (see reference/scores.md)."""
    tool = TOOLS.get(tool_id)
    if tool is None:
        raise ScoreInputError(f"{tool_id}: unknown score tool")
    if not isinstance(answers, Mapping):
        raise ScoreInputError(f"{tool_id}: answers must be a mapping of item keys")
    given = _validated(tool, answers)
    missing = tuple(i.key for i in tool.items if i.key not in given)
    points: dict[str, int] = {}
    for item in tool.items:
        if item.key not in given:
            continue
        value = given[item.key]
        if item.kind == "number":
            points[item.key] = _number_points(item, float(value))  # type: ignore[arg-type]
        else:
            opt = item.option(str(value))
            if opt is not None and opt.points is not None:
                points[item.key] = opt.points
    complete = not missing
    if tool.kind == "rule":
        band, flags = _noms(given)
        return ScoreResult(
            tool.id,
            None,
            band if complete else None,
            flags,
            complete,
            missing,
            MappingProxyType(points),
        )
    flags_: tuple[str, ...] = ()
    if not complete:
        return ScoreResult(tool.id, None, None, flags_, False, missing, MappingProxyType(points))
    if tool.kind == "grade":
        grade = str(given[tool.items[0].key])
        band_id = next((b.id for b in tool.bands if grade in b.grades), None)
        return ScoreResult(tool.id, None, band_id, flags_, True, (), MappingProxyType(points))
    total = sum(points.values())
    if tool.total_cap is not None:
        total = min(tool.total_cap, total)
    band = _band_for_total(tool, total)
    declared = tool.band(band) if band is not None else None
    flags_ = declared.flags if declared is not None else ()
    return ScoreResult(tool.id, total, band, flags_, True, (), MappingProxyType(points))


def format_result(result: ScoreResult) -> str:
    tool = TOOLS[result.tool_id]
    if not result.complete:
        return f"{tool.short_label}: incomplete (missing {', '.join(result.missing)})"
    band = tool.band(result.band) if result.band else None
    label = band.label if band else (result.band or "")
    if result.total is None:
        return f"{tool.short_label} — {label}"
    return f"{tool.short_label} {result.total} — {label}"


# --- helpers ------------------------------------------------------------------

_SINS_LOCATION_POINTS = {o.key: o.points or 0 for o in SINS.items[0].options}


def sins_location_for_level(level: str) -> str:
    lv = levels.normalise(level)
    if lv in ("C1", "C2", "C7", "T1", "T2", "T11", "T12", "L1", "L5", "S1"):
        return "junctional"
    if lv in ("C3", "C4", "C5", "C6", "L2", "L3", "L4"):
        return "mobile"
    if lv.startswith("T"):
        return "semi_rigid"
    return "rigid"  # S2–S5 and coccyx


def sins_location_for_levels(lvls: Iterable[str]) -> str | None:
    """A lesion straddling a boundary takes the highest-scoring location."""
    locations = [sins_location_for_level(lv) for lv in lvls]
    if not locations:
        return None
    return max(locations, key=lambda loc: _SINS_LOCATION_POINTS[loc])


_KPS_TO_ECOG = {100: 0, 90: 0, 80: 1, 70: 1, 60: 2, 50: 2, 40: 3, 30: 3, 20: 4, 10: 4, 0: 5}
_ECOG_TO_KPS = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20), 5: (0, 0)}


def kps_to_ecog(kps: int) -> int:
    if isinstance(kps, bool) or kps not in _KPS_TO_ECOG:
        raise ScoreInputError(f"kps: {kps!r} is not a KPS value (0–100 in steps of 10)")
    return _KPS_TO_ECOG[kps]


def ecog_to_kps_range(grade: int) -> tuple[int, int]:
    if isinstance(grade, bool) or grade not in _ECOG_TO_KPS:
        raise ScoreInputError(f"grade: {grade!r} is not an ECOG grade (0–5)")
    return _ECOG_TO_KPS[grade]


def radiosensitivity_for_histology(key: str) -> str | None:
    h = histology.CATALOGUE.get(key)
    return h.radiosensitivity if h else None


def relevant_tools(disease_kind: str, compartment: str) -> tuple[str, ...]:
    """The tools the MDT is offered for a case type (any tool can still be added)."""
    performance_and_neuro = ("kps", "ecog", "frankel", "asia")
    if compartment == "intramedullary":
        return ("mccormick", *performance_and_neuro)
    if compartment == "idem":
        return ("mccormick", *performance_and_neuro)
    if disease_kind == "metastatic":
        return (
            "sins",
            "escc",
            "tokuhashi_revised",
            "tomita",
            "bauer_modified",
            "nesms",
            *performance_and_neuro,
        )
    return ("sins", "escc", *performance_and_neuro)


Evaluator = Callable[[str, Mapping[str, object]], ScoreResult]
