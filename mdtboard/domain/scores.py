"""Validated clinical scores, declared as data and evaluated by one engine.

``evaluate(tool_id, answers)`` implements reference/scores.md exactly; the
GUI and the PDFs render any tool from ``TOOLS``. Adding a tool is adding
data. Decision support only: scores inform the MDT, they never decide.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
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
    #: an optional item never makes a result incomplete (only NOMS has one, §9)
    required: bool = True

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
            Opt(
                "mechanical",
                "Mechanical pain",
                3,
                "Eased by lying down and/or provoked by movement or spinal loading",
            ),
            Opt(
                "occasional_non_mechanical",
                "Occasional pain, not mechanical",
                1,
                "Pain present at times, but not mechanical",
            ),
            Opt("pain_free", "Pain-free lesion", 0, "The lesion is painless"),
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
            Opt("subluxation_translation", "Subluxation or translation on imaging", 4),
            Opt("de_novo_deformity", "De novo deformity (kyphosis or scoliosis)", 2),
            Opt("normal", "Normal alignment", 0),
        ),
        _choice(
            "collapse",
            "Vertebral body collapse",
            "",
            Opt("over_50", "Collapse of more than half of the body", 3),
            Opt("under_50", "Collapse of less than half", 2),
            Opt("none_over_50_involved", "No collapse, tumour fills more than half of the body", 1),
            Opt("none", "None of the above", 0),
        ),
        _choice(
            "posterolateral",
            "Posterolateral involvement",
            "Facet, pedicle or costovertebral joint fracture or replacement with tumour",
            Opt("bilateral", "Bilateral", 3, "Fractured or replaced by tumour on both sides"),
            Opt("unilateral", "Unilateral", 1, "The same, one side"),
            Opt("none", "None", 0, "Neither side"),
        ),
    ),
    (
        Band("stable", "Stable", "0–6: stable", 0, 6),
        Band(
            "indeterminate",
            "Indeterminate (possibly impending) instability",
            "7–12: indeterminate (possibly impending) instability; a surgical opinion is "
            "advised (a referral, not a decision to operate)",
            7,
            12,
            flags=("surgical_consultation",),
        ),
        Band(
            "unstable",
            "Unstable",
            "13–18: unstable; a surgical opinion is advised (a referral, not a decision to "
            "operate)",
            13,
            18,
            flags=("surgical_consultation",),
        ),
    ),
    "Fisher CG, DiPaola CP, Ryken TC, et al. Spine 2010;35(22):E1221–E1229 (SOSG); "
    "Fourney DR et al. J Clin Oncol 2011;29(22):3072–3077.",
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
            Opt("0", "0 — disease confined to bone"),
            Opt("1a", "1a — epidural tumour without deformation of the thecal sac"),
            Opt("1b", "1b — thecal sac deformed, cord not touched"),
            Opt("1c", "1c — thecal sac deformed and tumour abuts the cord, no compression"),
            Opt("2", "2 — cord compressed, CSF still visible around it"),
            Opt("3", "3 — cord compressed, no CSF visible around it"),
        ),
    ),
    (
        Band("low_grade", "Low grade", "Grades 0, 1a, 1b", grades=("0", "1a", "1b")),
        Band(
            "borderline",
            "Borderline (1c)",
            "Grade 1c: sources differ on it; NOMS treats it like low grade and flags it so "
            "the MDT decides between radiation alone and surgery",
            grades=("1c",),
        ),
        Band("high_grade", "High grade", "Grades 2 and 3: cord compression", grades=("2", "3")),
    ),
    "Bilsky MH, Laufer I, Fourney DR, et al. J Neurosurg Spine 2010;13(3):324–328.",
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
            Opt("other", "Other (any site not named here, e.g. colon)", 2),
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
            "0–8: predicted survival under 6 months; the authors reported conservative / "
            "palliative care",
            0,
            8,
        ),
        Band(
            "ge_6_months",
            "Predicted survival ≥ 6 months",
            "9–11: predicted survival 6 months or more; the authors reported palliative "
            "surgery, excisional surgery only for a single lesion without major-organ "
            "metastases",
            9,
            11,
        ),
        Band(
            "ge_1_year",
            "Predicted survival ≥ 1 year",
            "12–15: predicted survival 1 year or more; the authors reported excisional surgery",
            12,
            15,
        ),
    ),
    "Tokuhashi Y, Matsuzaki H, Oda H, Oshima M, Ryu J. Spine 2005;30(19):2186–2191.",
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
            Opt(
                "rapid",
                "Rapid (e.g. lung, liver, stomach, colon, oesophagus, pancreas; unknown primary)",
                4,
            ),
        ),
        _choice(
            "visceral_mets",
            "Visceral metastases",
            "",
            Opt("none", "None", 0),
            Opt("treatable", "Treatable (amenable to treatment)", 2),
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
            "2–3: long-term local control: wide or marginal excision",
            2,
            3,
        ),
        Band(
            "marginal_or_intralesional_excision",
            "Marginal or intralesional excision",
            "4–5: middle-term local control: marginal or intralesional excision",
            4,
            5,
        ),
        Band(
            "palliative_surgery",
            "Palliative surgery",
            "6–7: short-term palliation: palliative surgery",
            6,
            7,
        ),
        Band(
            "supportive_care",
            "Supportive care",
            "8–10: terminal care: non-operative supportive care",
            8,
            10,
        ),
    ),
    "Tomita K, Kawahara N, Kobayashi T, Yoshida A, Murakami H, Akamaru T. Spine "
    "2001;26(3):298–306.",
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
        Band(
            "poor",
            "Poor",
            "0–1: expected survival under 6 months; non-operative care (Leithner 2008)",
            0,
            1,
        ),
        Band(
            "intermediate",
            "Intermediate",
            "2: expected survival over 6 months; palliative surgery (Leithner 2008)",
            2,
            2,
        ),
        Band(
            "good",
            "Good",
            "3–4: expected survival over 12 months; excisional surgery may be considered "
            "(Leithner 2008)",
            3,
            4,
        ),
    ),
    "Bauer HCF, Wedin R. Acta Orthop Scand 1995;66(2):143–146; Leithner A, Radl R, "
    "Gruber G, et al. Eur Spine J 2008;17(11):1488–1495.",
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
    (
        Band(
            "nesms_0",
            "NESMS 0",
            "0 of 3: the least favourable survival outlook of the score (higher is better)",
            0,
            0,
        ),
        Band("nesms_1", "NESMS 1", "1 of 3: higher is better; 3 is the best prognosis", 1, 1),
        Band("nesms_2", "NESMS 2", "2 of 3: higher is better; 3 is the best prognosis", 2, 2),
        Band("nesms_3", "NESMS 3", "3 of 3: the best prognosis of the score", 3, 3),
    ),
    "Ghori AK, Leonard DA, Schoenfeld AJ, et al. Spine J 2015;15(11):2345–2350; "
    "Schoenfeld AJ et al. Spine J 2016;16(4):482–490; Schoenfeld AJ et al. Spine J "
    "2021;21(1):28–36; Spine J 2022;22(1):39–48.",
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
        Band("dead", "Dead", "0: dead", 0, 0),
        Band(
            "unable_self_care",
            "Unable to care for self",
            "10–40: cannot care for self; needs institutional-level care; disease may "
            "progress rapidly",
            10,
            40,
        ),
        Band(
            "unable_to_work",
            "Unable to work",
            "50–70: cannot work; lives at home and manages most personal care, with varying help",
            50,
            70,
        ),
        Band(
            "normal_activity",
            "Normal activity",
            "80–100: carries on normal activity and work; no special care",
            80,
            100,
        ),
    ),
    "Karnofsky DA, Burchenal JH. In: MacLeod CM (ed). Evaluation of Chemotherapeutic "
    "Agents. Columbia University Press; 1949:191–205.",
    total_min=0,
    total_max=100,
)

#: (grade, band id, short label, meaning) — reference §7.2
ECOG_GRADES = (
    ("0", "fully_active", "Fully active", "fully active, no restriction"),
    (
        "1",
        "restricted",
        "Restricted",
        "restricted in strenuous activity; walks; light work possible",
    ),
    (
        "2",
        "ambulatory_self_care",
        "Ambulatory, self-care",
        "walks and cares for self, cannot work; up more than half of waking hours",
    ),
    (
        "3",
        "limited_self_care",
        "Limited self-care",
        "limited self-care; in bed or chair more than half of waking hours",
    ),
    (
        "4",
        "completely_disabled",
        "Completely disabled",
        "completely disabled; no self-care; confined to bed or chair",
    ),
    ("5", "dead", "Dead", "dead"),
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
            *(Opt(g, f"{g} — {label}", int(g), meaning) for g, _, label, meaning in ECOG_GRADES),
        ),
    ),
    tuple(
        Band(b, label, f"ECOG {g}: {meaning}", int(g), int(g))
        for g, b, label, meaning in ECOG_GRADES
    ),
    "Oken MM, Creech RH, Tormey DC, et al. Am J Clin Oncol 1982;5(6):649–655.",
    total_min=0,
    total_max=5,
)

FRANKEL = _grade_tool(
    "frankel",
    "Frankel grade",
    "Frankel",
    "Neurological function below the level.",
    "Frankel HL, Hancock DO, Hyslop G, et al. Paraplegia 1969;7(3):179–192.",
    (
        ("a", "complete: no motor or sensory function below the lesion"),
        ("b", "sensory only: some sensation below the lesion, no motor function"),
        ("c", "motor useless: some motor power below the lesion, of no practical use"),
        (
            "d",
            "motor useful: useful motor power below the lesion (walks, with or without aids)",
        ),
        ("e", "recovery: normal motor and sensory function (reflexes may be abnormal)"),
    ),
)
ASIA = _grade_tool(
    "asia",
    "ASIA Impairment Scale",
    "ASIA",
    "ISNCSCI impairment grade.",
    "Kirshblum SC, Burns SP, Biering-Sorensen F, et al. International standards for "
    "neurological classification of spinal cord injury (revised 2011). J Spinal Cord Med "
    "2011;34(6):535–546.",
    (
        (
            "a",
            "complete: neither sensation nor motor function is kept in the lowest sacral "
            "segments (S4–S5)",
        ),
        (
            "b",
            "sensory incomplete: some sensation survives below the neurological level (S4–S5 "
            "included) but no motor function, and none more than three levels below the "
            "motor level on either side",
        ),
        (
            "c",
            "motor incomplete: some motor function survives below the neurological level, "
            "but under half of the key muscles below the single neurological level reach "
            "grade 3",
        ),
        (
            "d",
            "motor incomplete: half or more of the key muscles below the single neurological "
            "level reach grade 3 or better",
        ),
        (
            "e",
            "sensation and motor function back to normal in someone who previously had a deficit",
        ),
    ),
)
MCCORMICK = _grade_tool(
    "mccormick",
    "McCormick grade",
    "McCormick",
    "Function with intramedullary tumours.",
    "McCormick PC, Torres R, Post KD, Stein BM. J Neurosurg 1990;72(4):523–532.",
    (
        (
            "i",
            "neurologically normal, or a mild focal deficit that leaves the limb's function "
            "intact; at most mild spasticity or a reflex change; gait normal",
        ),
        (
            "ii",
            "a sensory or motor deficit that impairs the affected limb, mildly to moderately "
            "impaired gait, or severe pain/dysaesthesia that lowers quality of life — but "
            "independent in daily function and walking",
        ),
        (
            "iii",
            "a heavier deficit: walks only with a cane or brace, or both arms are clearly "
            "impaired; independence variable",
        ),
        (
            "iv",
            "severe deficit: wheelchair user, or cane/brace together with impairment of both "
            "arms; usually dependent on others",
        ),
    ),
)

NOMS_BANDS = (
    Band(
        "cebrt",
        "Conventional external beam radiotherapy (cEBRT)",
        "Radiosensitive tumour, whatever the compression; or radioresistant tumour with "
        "high-grade compression in a patient not fit for surgery (flag not_fit_for_surgery)",
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
)
NOMS = Tool(
    "noms",
    "NOMS decision framework",
    "NOMS",
    "Neurologic, Oncologic, Mechanical, Systemic: decision support for the MDT, never an "
    "order. For metastatic spinal tumours only.",
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
        Item(
            "mechanical_pain_without_deformity",
            "Axial mechanical pain without deformity",
            "From the SINS answers: pain mechanical and alignment normal",
            "choice",
            (Opt("yes", "Yes"), Opt("no", "No")),
            required=False,
        ),
    ),
    NOMS_BANDS,
    "Laufer I, Rubin DG, Lis E, Cox BW, Stubblefield MD, Yamada Y, Bilsky MH. The NOMS "
    "framework: approach to the treatment of spinal metastatic tumors. Oncologist "
    "2013;18(6):744–751. Bilsky MH, Laufer I, Burch S. Spine 2009;34(22 Suppl):S101–S107.",
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
    # exact comparisons: the reference's bounds and steps are the rule (a form rounds a
    # converted unit before it reaches the engine)
    if item.minimum is not None and v < item.minimum:
        raise ScoreInputError(f"{item.key}: {value} is below the minimum {item.minimum:g}")
    if item.maximum is not None and v > item.maximum:
        raise ScoreInputError(f"{item.key}: {value} is above the maximum {item.maximum:g}")
    if item.step is not None:
        base = item.minimum if item.minimum is not None else 0.0
        steps = (v - base) / item.step
        if steps != round(steps):
            raise ScoreInputError(f"{item.key}: {value} is not a multiple of {item.step:g}")
    return v


def _number_points(item: Item, v: float) -> int:
    """Points of a validated value: the last range whose ``low`` it reaches (the ranges
    cover the item's whole minimum–maximum, so a validated value always has one)."""
    if item.points_ranges is None:
        return int(v)
    points = item.points_ranges[0].points
    for r in item.points_ranges:
        if r.low <= v:
            points = r.points
    return points


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


def _band_for_total(tool: Tool, total: int) -> str:
    """Every total a tool can reach lies in exactly one band (checked by the tests)."""
    return next(b.id for b in tool.bands if b.low is not None and b.low <= total <= (b.high or 0))


def _noms_band(neuro: object, onco: object, systemic: object) -> str:
    """§9.1, for complete answers (``mechanical`` never changes the band)."""
    if onco == "radiosensitive":
        return "cebrt"
    if neuro in ("low_grade", "borderline"):
        return "sbrt"
    return "separation_surgery_then_sbrt" if systemic == "fit_for_surgery" else "cebrt"


def _noms_flags(answers: Mapping[str, object]) -> tuple[str, ...]:
    """§9.2: each flag from the answers it depends on, so known inputs raise theirs."""
    neuro, onco = answers.get("neurologic"), answers.get("oncologic")
    mech, systemic = answers.get("mechanical"), answers.get("systemic")
    flags: set[str] = set()
    if mech == "unstable":
        flags.add("stabilisation")
    elif mech == "indeterminate":
        flags.add("surgical_opinion")
    if answers.get("mechanical_pain_without_deformity") == "yes" and mech in (
        "stable",
        "indeterminate",
    ):
        flags.add("cement_augmentation")
    if neuro == "borderline":
        flags.add("borderline_compression")
    if systemic == "not_fit_for_surgery":
        flags.add("not_fit_for_surgery")
    if onco == "radiosensitive" and neuro == "high_grade" and systemic == "fit_for_surgery":
        flags.add("surgical_candidate_high_grade")
    return tuple(sorted(flags))


def evaluate(tool_id: str, answers: Mapping[str, object]) -> ScoreResult:
    """Score ``answers`` with the tool ``tool_id`` (see reference/scores.md)."""
    tool = TOOLS.get(tool_id)
    if tool is None:
        raise ScoreInputError(f"{tool_id}: unknown score tool")
    if not isinstance(answers, Mapping):
        raise ScoreInputError(f"{tool_id}: answers must be a mapping of item keys")
    given = _validated(tool, answers)
    missing = tuple(i.key for i in tool.items if i.required and i.key not in given)
    points: dict[str, int] = {}
    for item in tool.items:
        value = given.get(item.key)
        if value is None:
            continue
        if item.kind == "number":
            points[item.key] = _number_points(item, float(value))  # type: ignore[arg-type]
        else:
            opt = item.option(str(value))
            if opt is not None and opt.points is not None:
                points[item.key] = opt.points
    item_points = MappingProxyType(points)
    complete = not missing
    if tool.kind == "rule":
        band = (
            _noms_band(given.get("neurologic"), given.get("oncologic"), given.get("systemic"))
            if complete
            else None
        )
        return ScoreResult(tool.id, None, band, _noms_flags(given), complete, missing, item_points)
    if not complete:
        return ScoreResult(tool.id, None, None, (), False, missing, item_points)
    if tool.kind == "grade":
        grade = str(given[tool.items[0].key])
        band_id = next(b.id for b in tool.bands if grade in b.grades)
        return ScoreResult(tool.id, None, band_id, (), True, (), item_points)
    total = sum(points.values())
    if tool.total_cap is not None:
        total = min(tool.total_cap, total)
    band_id = _band_for_total(tool, total)
    flags = next(b.flags for b in tool.bands if b.id == band_id)
    return ScoreResult(tool.id, total, band_id, flags, True, (), item_points)


# --- helpers ------------------------------------------------------------------

_SINS_LOCATION_POINTS = {o.key: o.points or 0 for o in SINS.items[0].options}
#: §1.1, level → SINS location; levels.normalise accepts exactly these levels
_SINS_LOCATION_OF_LEVEL: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("C0", "C1", "C2"), "junctional"),
        **dict.fromkeys(("C3", "C4", "C5", "C6"), "mobile"),
        **dict.fromkeys(("C7", "T1", "T2"), "junctional"),
        **dict.fromkeys((f"T{n}" for n in range(3, 11)), "semi_rigid"),
        **dict.fromkeys(("T11", "T12", "L1"), "junctional"),
        **dict.fromkeys(("L2", "L3", "L4"), "mobile"),
        **dict.fromkeys(("L5", "S1"), "junctional"),
        **dict.fromkeys(("S2", "S3", "S4", "S5", "Co"), "rigid"),
    }
)


#: §1.1: the names the helper accepts once trimmed and upper-cased, and nothing else
_REFERENCE_LEVEL = re.compile(r"C[0-7]|T(?:1[0-2]|[1-9])|L[1-5]|S[1-5]|OCCIPUT|COCCYX")
_REFERENCE_NAMES = {"OCCIPUT": "C0", "COCCYX": "Co"}


def sins_location_for_level(level: str) -> str:
    """§1.1: the SINS ``location`` of a spinal level. The level is trimmed and
    upper-cased; C1–C7, T1–T12, L1–L5, S1–S5, OCCIPUT/C0 and COCCYX are accepted, and
    anything else (T13, L6, "T 12") raises ValueError."""
    name = level.strip().upper() if isinstance(level, str) else ""
    if not _REFERENCE_LEVEL.fullmatch(name):
        raise levels.LevelError(f"unknown spinal level {level!r}")
    return _SINS_LOCATION_OF_LEVEL[_REFERENCE_NAMES.get(name, name)]


def sins_location_for_levels(lvls: Iterable[str]) -> str | None:
    """D1: a lesion straddling a boundary takes the highest-scoring location (the
    levels as the app stores them: "C0" … "Co")."""
    locations = [_SINS_LOCATION_OF_LEVEL[levels.normalise(lv)] for lv in lvls]
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


#: §7.3: the single KPS a form proposes for each ECOG grade (the user confirms it)
_ECOG_KPS_PROPOSAL = {0: 90, 1: 80, 2: 60, 3: 40, 4: 20, 5: 0}


def ecog_to_kps_proposal(grade: int) -> int:
    """§7.3: where one number is needed, ECOG 0–5 proposes KPS 90, 80, 60, 40, 20, 0."""
    ecog_to_kps_range(grade)  # the same validation
    return _ECOG_KPS_PROPOSAL[grade]


def conversion_note(tool_id: str, total: int | None) -> str:
    """The approximate KPS↔ECOG equivalent of a result (§7.3), labelled approximate."""
    if total is None:
        return ""
    if tool_id == "kps":
        return f"≈ ECOG {kps_to_ecog(total)} (approximate conversion)"
    if tool_id == "ecog":
        lo, hi = ecog_to_kps_range(total)
        shown = f"{lo}" if lo == hi else f"{lo}–{hi}"
        return f"≈ KPS {shown}, proposed {ecog_to_kps_proposal(total)} (approximate conversion)"
    return ""


#: tools whose bands carry a survival or treatment meaning the reader needs beside the label
PROGNOSTIC_TOOLS = ("tokuhashi_revised", "tomita", "bauer_modified", "nesms")


def describe_band(tool_id: str, band_id: str | None) -> str:
    """A band as screens and documents show it: its label, and for a prognostic score
    what the band means (e.g. modified Bauer "Intermediate — expected survival over 6
    months; palliative surgery (Leithner 2008)")."""
    tool = TOOLS.get(tool_id)
    band = tool.band(band_id) if tool is not None and band_id else None
    if band is None:
        return band_id or ""
    if tool_id not in PROGNOSTIC_TOOLS:
        return band.label
    meaning = band.meaning.split(": ", 1)[-1] if band.meaning[:1].isdigit() else band.meaning
    return f"{band.label} — {meaning}"


def radiosensitivity_for_histology(key: str) -> str | None:
    h = histology.CATALOGUE.get(key)
    return h.radiosensitivity if h else None


#: §3 (D6): the Tokuhashi primary-site option a catalogue histology maps to; a histology
#: whose site is ambiguous (colorectal: colon is ``other``, rectum scores 4) has none
_TOKUHASHI_SITE = {
    "met_lung_nsclc": "lung",
    "met_lung_sclc": "lung",
    "met_pancreatic": "pancreas",
    "met_hepatocellular": "liver",
    "met_unknown_primary": "unidentified",
    "met_renal": "kidney",
    "met_thyroid": "thyroid",
    "met_breast": "breast",
    "met_prostate": "prostate",
    "met_neuroendocrine": "carcinoid",
    **dict.fromkeys(
        (
            "met_melanoma",
            "met_myeloma",
            "met_lymphoma",
            "met_ovarian",
            "met_seminoma",
            "met_sarcoma",
        ),
        "other",
    ),
}
#: §4: the growth examples Tomita 2001 gives (unknown primary counts as rapid)
_TOMITA_GROWTH = {
    **dict.fromkeys(("met_breast", "met_thyroid", "met_prostate", "met_seminoma"), "slow"),
    "met_renal": "moderate",
    **dict.fromkeys(
        (
            "met_lung_nsclc",
            "met_lung_sclc",
            "met_hepatocellular",
            "met_gastro_oesophageal",
            "met_colorectal",
            "met_pancreatic",
            "met_unknown_primary",
        ),
        "rapid",
    ),
}
#: §5: breast, kidney, lymphoma and myeloma score "primary_favourable"
_BAUER_FAVOURABLE = frozenset({"met_breast", "met_renal", "met_lymphoma", "met_myeloma"})
_LUNG = frozenset({"met_lung_nsclc", "met_lung_sclc"})


def answers_from_histology(tool_id: str, histology_key: str | None) -> dict[str, str]:
    """Answers a score form may pre-fill from the recorded histology (the user can change
    them): Tokuhashi's primary site (§3), Tomita's growth rate (§4) and both primary items
    of the modified Bauer score (§5). An unknown primary pre-fills nothing for Bauer."""
    key = histology_key or ""
    if tool_id == "tokuhashi_revised" and key in _TOKUHASHI_SITE:
        return {"primary_site": _TOKUHASHI_SITE[key]}
    if tool_id == "tomita" and key in _TOMITA_GROWTH:
        return {"primary_growth": _TOMITA_GROWTH[key]}
    h = histology.CATALOGUE.get(key)
    if tool_id == "bauer_modified" and h is not None and h.kind == "metastatic":
        if key == "met_unknown_primary":
            return {}
        return {
            "primary_not_lung": "no" if key in _LUNG else "yes",
            "primary_favourable": "yes" if key in _BAUER_FAVOURABLE else "no",
        }
    return {}


def relevant_tools(disease_kind: str, compartment: str) -> tuple[str, ...]:
    """The tools the MDT is offered for a case type (any tool can still be added)."""
    performance_and_neuro = ("kps", "ecog", "frankel", "asia")
    if compartment in ("intramedullary", "idem"):
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
