"""Histology catalogue: primary spinal tumours and metastatic primaries.

Stable keys (stored in the database), labels, synonyms for search, typical
compartment, WHO CNS5 grade where it applies, radiosensitivity to
conventional radiotherapy (scores.md §10) and actionable drivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

AWAITING_BIOPSY = "awaiting_biopsy"
RADIOSENSITIVE = "radiosensitive"
RADIORESISTANT = "radioresistant"


class UnknownHistology(ValueError):
    pass


@dataclass(frozen=True)
class Driver:
    key: str
    label: str
    therapy_classes: tuple[str, ...]


@dataclass(frozen=True)
class Histology:
    key: str
    label: str
    kind: str  # "primary" | "metastatic"
    category: str
    typical_compartments: tuple[str, ...]
    who_grades: tuple[str, ...] = ()
    radiosensitivity: str | None = None
    drivers: tuple[Driver, ...] = ()
    synonyms: tuple[str, ...] = ()
    notes: str = ""
    #: where the entry comes from (every entry has one; a test checks it)
    source: str = ""


D = Driver
EXT, IDEM, IM = "extradural", "idem", "intramedullary"
RS, RR = RADIOSENSITIVE, RADIORESISTANT

# Sources named by the entries (short forms; the full references are in the documents):
SEED = "DOMAIN.md §2 (seed article)"
CNS5 = "WHO CNS5 grade: reference/scores.md §12.3 (Louis DN et al. Neuro Oncol 2021)"
RT_CLASS = "radiosensitivity: reference/scores.md §10"
NO_CLASS = "no default radiosensitivity class: reference/scores.md §10 (unlisted histology)"
WHO_BONE = "WHO Classification of Tumours, Soft Tissue and Bone Tumours, 5th ed. (2020)"
ESMO_NSCLC = (
    "drivers: DOMAIN.md §6; ESMO Clinical Practice Guideline, oncogene-addicted metastatic "
    "NSCLC (Hendriks LE et al. Ann Oncol 2023;34:339–357)"
)
ESMO_CRC = (
    "drivers: ESMO Clinical Practice Guideline, metastatic colorectal cancer (Cervantes A et "
    "al. Ann Oncol 2023;34:10–32)"
)
ESMO_THYROID = (
    "drivers: ESMO Clinical Practice Guideline, thyroid cancer (Filetti S et al. Ann Oncol "
    "2019;30:1856–1883)"
)
DRIVERS_SEED = "drivers: DOMAIN.md §6"

_ENTRIES: tuple[Histology, ...] = (
    # --- primary: intramedullary ---
    Histology(
        "ependymoma",
        "Spinal ependymoma",
        "primary",
        "glial (ependymal)",
        (IM,),
        ("2", "3"),
        synonyms=("ependymoma",),
        notes="Commonest adult primary cord tumour; well demarcated: gross total resection "
        "often curative.",
        source=f"{SEED}; {CNS5}",
    ),
    Histology(
        "ependymoma_mycn",
        "Spinal ependymoma, MYCN-amplified",
        "primary",
        "glial (ependymal)",
        (IM,),
        (),
        synonyms=("MYCN ependymoma", "SP-EPN-MYCN"),
        notes="Molecularly defined type in WHO CNS5; aggressive, often disseminated at "
        "diagnosis: image the whole neuraxis. Record the grade as the pathology report "
        "gives it.",
        source=f"{CNS5}; cIMPACT-NOW update 7 (Ellison DW et al. Brain Pathol 2020)",
    ),
    Histology(
        "myxopapillary_ependymoma",
        "Myxopapillary ependymoma",
        "primary",
        "glial (ependymal)",
        (IDEM,),
        ("2",),
        synonyms=("MPE", "filum ependymoma"),
        notes="Filum terminale / conus; en bloc resection. CNS WHO grade 2 (grade 1 in 2016).",
        source=f"{SEED}; {CNS5}",
    ),
    Histology(
        "subependymoma",
        "Subependymoma",
        "primary",
        "glial (ependymal)",
        (IM,),
        ("1",),
        source=CNS5,
    ),
    Histology(
        "astrocytoma",
        "Diffuse astrocytoma (spinal)",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("2", "3", "4"),
        synonyms=("astrocytoma", "glioma"),
        notes="Infiltrative; complete resection rarely possible; grade drives prognosis.",
        source=SEED,
    ),
    Histology(
        "pilocytic_astrocytoma",
        "Pilocytic astrocytoma",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("1",),
        synonyms=("JPA",),
        source=CNS5,
    ),
    Histology(
        "diffuse_midline_glioma",
        "Diffuse midline glioma, H3 K27-altered",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("4",),
        synonyms=("DMG", "H3 K27M"),
        source=CNS5,
    ),
    Histology(
        "haemangioblastoma",
        "Haemangioblastoma",
        "primary",
        "vascular",
        (IM, IDEM),
        ("1",),
        synonyms=("hemangioblastoma", "VHL"),
        notes="Von Hippel–Lindau disease in some patients.",
        source=f"{SEED}; {CNS5}",
    ),
    # --- primary: intradural extramedullary ---
    Histology(
        "meningioma",
        "Meningioma",
        "primary",
        "meningeal",
        (IDEM,),
        ("1", "2", "3"),
        notes="Mostly WHO grade 1; complete removal: excellent prognosis.",
        source=f"{SEED}; {CNS5}",
    ),
    Histology(
        "clear_cell_meningioma",
        "Clear-cell meningioma",
        "primary",
        "meningeal",
        (IDEM,),
        ("2",),
        notes="Relatively common in the spine; CNS WHO grade 2.",
        source=CNS5,
    ),
    Histology(
        "schwannoma",
        "Schwannoma",
        "primary",
        "nerve sheath",
        (IDEM, EXT),
        ("1",),
        synonyms=("neurilemmoma", "nerve sheath tumour"),
        notes="Nearly always benign; radicular pain; may be dumbbell.",
        source=f"{SEED}; {CNS5}",
    ),
    Histology(
        "neurofibroma",
        "Neurofibroma",
        "primary",
        "nerve sheath",
        (IDEM, EXT),
        ("1",),
        synonyms=("NF1",),
        source=f"{SEED}; {CNS5}",
    ),
    # --- primary: extradural bone ---
    Histology(
        "chordoma",
        "Chordoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("notochordal",),
        notes="Sacrum, clivus or mobile spine; en bloc resection and high-dose (particle) "
        "radiotherapy.",
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "chondrosarcoma",
        "Chondrosarcoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RR,
        notes="En bloc resection; high-dose (often particle) radiotherapy.",
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "osteosarcoma",
        "Osteosarcoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RR,
        notes="Multimodal: chemotherapy, surgery and radiotherapy planned together.",
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "ewing_sarcoma",
        "Ewing sarcoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("Ewing's",),
        notes="Radiosensitive (D18), but a primary tumour: outside NOMS. Multimodal: "
        "chemotherapy, surgery and radiotherapy planned together.",
        source=f"{SEED}; {RT_CLASS} (D18: Semin Radiat Oncol 1997;7:225)",
    ),
    Histology(
        "giant_cell_tumour",
        "Giant cell tumour of bone",
        "primary",
        "bone",
        (EXT,),
        synonyms=("GCT", "giant cell tumor"),
        source=SEED,
    ),
    Histology(
        "aneurysmal_bone_cyst",
        "Aneurysmal bone cyst",
        "primary",
        "bone",
        (EXT,),
        synonyms=("ABC",),
        source=SEED,
    ),
    Histology(
        "vertebral_haemangioma",
        "Vertebral haemangioma",
        "primary",
        "vascular (benign)",
        (EXT,),
        synonyms=("haemangioma", "hemangioma", "vertebral hemangioma"),
        notes="Benign; the commonest benign tumour of the vertebral body, mostly an "
        "incidental finding; an aggressive one may compress the cord.",
        source=WHO_BONE,
    ),
    Histology(
        "plasmacytoma",
        "Solitary plasmacytoma",
        "primary",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("plasmacytoma",),
        source=f"{SEED}; {RT_CLASS}",
    ),
    # --- metastatic ---
    Histology(
        "met_breast",
        "Metastatic breast carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("breast",),
        drivers=(
            D("her2", "HER2", ("anti-HER2 antibody", "HER2 antibody-drug conjugate", "HER2 TKI")),
            D("hormone_receptor", "Hormone receptor (ER/PR)", ("endocrine therapy",)),
            D("cdk46", "CDK4/6 (with endocrine therapy)", ("CDK4/6 inhibitor",)),
            D("pik3ca", "PIK3CA", ("PI3K inhibitor",)),
            D("brca", "BRCA1/2", ("PARP inhibitor",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {DRIVERS_SEED}",
    ),
    Histology(
        "met_lung_nsclc",
        "Metastatic non-small-cell lung cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("NSCLC", "lung adenocarcinoma", "lung"),
        drivers=(
            D("egfr", "EGFR", ("EGFR TKI",)),
            D("alk", "ALK", ("ALK inhibitor",)),
            D("ros1", "ROS1", ("ROS1 inhibitor",)),
            D("braf_v600e", "BRAF V600E", ("BRAF/MEK inhibitors",)),
            D("met_exon14", "MET exon 14 skipping", ("MET inhibitor",)),
            D("ret", "RET fusion", ("RET inhibitor",)),
            D("ntrk", "NTRK fusion", ("TRK inhibitor",)),
            D("her2", "HER2 (ERBB2) mutation", ("HER2 antibody-drug conjugate",)),
            D("kras_g12c", "KRAS G12C", ("KRAS G12C inhibitor",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {ESMO_NSCLC}",
    ),
    Histology(
        "met_lung_sclc",
        "Metastatic small-cell lung cancer",
        "metastatic",
        "neuroendocrine",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("SCLC", "small cell"),
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "met_prostate",
        "Metastatic prostate cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("prostate", "CRPC"),
        drivers=(
            D(
                "androgen_pathway",
                "Androgen pathway",
                ("androgen deprivation", "androgen receptor inhibitor"),
            ),
            D("hrr_brca", "BRCA / HRR", ("PARP inhibitor",)),
            D("psma", "PSMA-positive (PET)", ("177Lu-PSMA radioligand",)),
        ),
        source=(
            f"{SEED}; {RT_CLASS}; {DRIVERS_SEED}; PSMA: VISION trial (Sartor O et al. "
            "N Engl J Med 2021;385:1091–1103)"
        ),
    ),
    Histology(
        "met_renal",
        "Metastatic renal cell carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("RCC", "renal", "kidney"),
        drivers=(
            D("vegf", "VEGF pathway", ("VEGF TKI",)),
            D("immunotherapy", "Immune checkpoint", ("immune checkpoint inhibitor",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {DRIVERS_SEED}",
    ),
    Histology(
        "met_thyroid",
        "Metastatic thyroid carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("thyroid", "follicular", "papillary thyroid"),
        drivers=(
            D("ret", "RET (fusion or mutation)", ("RET inhibitor",)),
            D("braf", "BRAF V600E", ("BRAF/MEK inhibitors",)),
            D("ntrk", "NTRK fusion", ("TRK inhibitor",)),
            D("radioiodine_avid", "Radioiodine-avid", ("radioiodine",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {ESMO_THYROID}",
    ),
    Histology(
        "met_myeloma",
        "Multiple myeloma",
        "metastatic",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("myeloma", "MM"),
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "met_lymphoma",
        "Lymphoma",
        "metastatic",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("lymphoma", "DLBCL", "NHL"),
        source=f"{SEED}; {RT_CLASS}",
    ),
    Histology(
        "met_colorectal",
        "Metastatic colorectal cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("colorectal", "colon", "rectal", "bowel"),
        drivers=(
            D("kras_g12c", "KRAS G12C", ("KRAS G12C inhibitor",)),
            D("braf_v600e", "BRAF V600E", ("BRAF inhibitor with anti-EGFR antibody",)),
            D("her2", "HER2 amplification", ("anti-HER2 therapy",)),
            D("msi_high", "MSI-high / dMMR", ("immune checkpoint inhibitor",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {ESMO_CRC}",
    ),
    Histology(
        "met_melanoma",
        "Metastatic melanoma",
        "metastatic",
        "melanoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("melanoma",),
        drivers=(
            D("braf", "BRAF V600", ("BRAF/MEK inhibitors",)),
            D("immunotherapy", "Immune checkpoint", ("immune checkpoint inhibitor",)),
        ),
        source=f"{SEED}; {RT_CLASS}; {DRIVERS_SEED}",
    ),
    Histology(
        "met_unknown_primary",
        "Cancer of unknown primary",
        "metastatic",
        "unknown",
        (EXT,),
        synonyms=("CUP", "unknown primary"),
        notes="No default radiosensitivity: the MDT chooses the class for NOMS.",
        source=f"{SEED}; {NO_CLASS}",
    ),
    Histology(
        "met_ovarian",
        "Metastatic ovarian cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("ovary", "ovarian"),
        source=RT_CLASS,
    ),
    Histology(
        "met_seminoma",
        "Metastatic seminoma",
        "metastatic",
        "germ cell",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("seminoma", "germ cell"),
        source=RT_CLASS,
    ),
    Histology(
        "met_neuroendocrine",
        "Metastatic neuroendocrine tumour",
        "metastatic",
        "neuroendocrine",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("NET", "carcinoid"),
        source=RT_CLASS,
    ),
    Histology(
        "met_hepatocellular",
        "Metastatic hepatocellular carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("HCC", "liver"),
        source=RT_CLASS,
    ),
    Histology(
        "met_gastro_oesophageal",
        "Metastatic gastro-oesophageal cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("gastric", "stomach", "oesophageal", "esophageal"),
        source=RT_CLASS,
    ),
    Histology(
        "met_pancreatic",
        "Metastatic pancreatic cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("pancreas", "pancreatic", "PDAC"),
        source=RT_CLASS,
    ),
    Histology(
        "met_biliary",
        "Metastatic biliary tract cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("cholangiocarcinoma", "gallbladder", "biliary"),
        source=RT_CLASS,
    ),
    Histology(
        "met_urothelial",
        "Metastatic urothelial carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        synonyms=("bladder", "urothelial", "transitional cell"),
        notes="No default radiosensitivity: the MDT chooses the class for NOMS.",
        source=NO_CLASS,
    ),
    Histology(
        "met_cervical",
        "Metastatic cervical cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        synonyms=("cervix", "cervical cancer"),
        notes="No default radiosensitivity: the MDT chooses the class for NOMS.",
        source=NO_CLASS,
    ),
    Histology(
        "met_sarcoma",
        "Metastatic soft-tissue sarcoma",
        "metastatic",
        "sarcoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("sarcoma",),
        source=RT_CLASS,
    ),
)

CATALOGUE: Mapping[str, Histology] = MappingProxyType({h.key: h for h in _ENTRIES})


def get(key: str) -> Histology:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise UnknownHistology(f"unknown histology {key!r}") from None


def label_for(key: str) -> str:
    if key == AWAITING_BIOPSY:
        return "Awaiting biopsy"
    h = CATALOGUE.get(key)
    return h.label if h else key


def who_grade_text(key: str) -> str:
    """§12.3: grades as CNS5 writes them — "CNS WHO grade 2 or 3" (Arabic numerals); a
    molecularly defined type without a settled grade says to record the report's grade."""
    h = CATALOGUE.get(key)
    if h is None or h.kind != "primary" or not {IM, IDEM} & set(h.typical_compartments):
        return ""
    if not h.who_grades:
        return "CNS WHO grade: record it as the pathology report gives it"
    grades = list(h.who_grades)
    shown = grades[0] if len(grades) == 1 else ", ".join(grades[:-1]) + f" or {grades[-1]}"
    return f"CNS WHO grade {shown}"


def search(text: str) -> list[Histology]:
    """Entries whose label, key or synonym contains ``text``; prefix matches first."""
    t = text.strip().casefold()
    if not t:
        return []
    ranked: list[tuple[int, str, Histology]] = []
    for h in _ENTRIES:
        names = [h.label.casefold(), h.key.casefold(), *(s.casefold() for s in h.synonyms)]
        words = [w for n in names for w in n.replace("-", " ").split()]
        if any(n.startswith(t) for n in names) or any(w.startswith(t) for w in words):
            ranked.append((0, h.label, h))
        elif any(t in n for n in names):
            ranked.append((1, h.label, h))
    return [h for _, _, h in sorted(ranked, key=lambda x: (x[0], x[1]))]


def primaries() -> tuple[Histology, ...]:
    return tuple(h for h in _ENTRIES if h.kind == "primary")


def metastatic() -> tuple[Histology, ...]:
    return tuple(h for h in _ENTRIES if h.kind == "metastatic")
