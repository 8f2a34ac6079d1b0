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


D = Driver
EXT, IDEM, IM = "extradural", "idem", "intramedullary"
RS, RR = RADIOSENSITIVE, RADIORESISTANT

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
        "diagnosis: image the whole neuraxis.",
    ),
    Histology(
        "myxopapillary_ependymoma",
        "Myxopapillary ependymoma",
        "primary",
        "glial (ependymal)",
        (IDEM,),
        ("2",),
        synonyms=("MPE", "filum ependymoma"),
        notes="Filum terminale / conus; en bloc resection.",
    ),
    Histology("subependymoma", "Subependymoma", "primary", "glial (ependymal)", (IM,), ("1",)),
    Histology(
        "astrocytoma",
        "Diffuse astrocytoma (spinal)",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("2", "3", "4"),
        synonyms=("astrocytoma", "glioma"),
        notes="Infiltrative; complete resection rarely possible; grade drives prognosis.",
    ),
    Histology(
        "pilocytic_astrocytoma",
        "Pilocytic astrocytoma",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("1",),
        synonyms=("JPA",),
    ),
    Histology(
        "diffuse_midline_glioma",
        "Diffuse midline glioma, H3 K27-altered",
        "primary",
        "glial (astrocytic)",
        (IM,),
        ("4",),
        synonyms=("DMG", "H3 K27M"),
    ),
    Histology(
        "haemangioblastoma",
        "Haemangioblastoma",
        "primary",
        "vascular",
        (IM, IDEM),
        ("1",),
        synonyms=("hemangioblastoma", "VHL"),
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
    ),
    Histology(
        "clear_cell_meningioma", "Clear-cell meningioma", "primary", "meningeal", (IDEM,), ("2",)
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
    ),
    Histology(
        "neurofibroma",
        "Neurofibroma",
        "primary",
        "nerve sheath",
        (IDEM, EXT),
        ("1",),
        synonyms=("NF1",),
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
    ),
    Histology(
        "chondrosarcoma", "Chondrosarcoma", "primary", "bone sarcoma", (EXT,), radiosensitivity=RR
    ),
    Histology(
        "osteosarcoma",
        "Osteosarcoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RR,
        notes="Multimodal: chemotherapy, surgery and radiotherapy planned together.",
    ),
    Histology(
        "ewing_sarcoma",
        "Ewing sarcoma",
        "primary",
        "bone sarcoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("Ewing's",),
    ),
    Histology(
        "giant_cell_tumour",
        "Giant cell tumour of bone",
        "primary",
        "bone",
        (EXT,),
        synonyms=("GCT", "giant cell tumor"),
    ),
    Histology(
        "aneurysmal_bone_cyst", "Aneurysmal bone cyst", "primary", "bone", (EXT,), synonyms=("ABC",)
    ),
    Histology(
        "plasmacytoma",
        "Solitary plasmacytoma",
        "primary",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("plasmacytoma",),
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
            D("kras_g12c", "KRAS G12C", ("KRAS G12C inhibitor",)),
        ),
    ),
    Histology(
        "met_lung_sclc",
        "Metastatic small-cell lung cancer",
        "metastatic",
        "neuroendocrine",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("SCLC", "small cell"),
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
    ),
    Histology(
        "met_thyroid",
        "Metastatic thyroid carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("thyroid", "follicular", "papillary thyroid"),
    ),
    Histology(
        "met_myeloma",
        "Multiple myeloma",
        "metastatic",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("myeloma", "MM"),
    ),
    Histology(
        "met_lymphoma",
        "Lymphoma",
        "metastatic",
        "haematological",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("lymphoma", "DLBCL", "NHL"),
    ),
    Histology(
        "met_colorectal",
        "Metastatic colorectal cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("colorectal", "colon", "rectal", "bowel"),
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
    ),
    Histology(
        "met_unknown_primary",
        "Cancer of unknown primary",
        "metastatic",
        "unknown",
        (EXT,),
        synonyms=("CUP", "unknown primary"),
    ),
    Histology(
        "met_ovarian",
        "Metastatic ovarian cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("ovary", "ovarian"),
    ),
    Histology(
        "met_seminoma",
        "Metastatic seminoma",
        "metastatic",
        "germ cell",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("seminoma", "germ cell"),
    ),
    Histology(
        "met_neuroendocrine",
        "Metastatic neuroendocrine tumour",
        "metastatic",
        "neuroendocrine",
        (EXT,),
        radiosensitivity=RS,
        synonyms=("NET", "carcinoid"),
    ),
    Histology(
        "met_hepatocellular",
        "Metastatic hepatocellular carcinoma",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("HCC", "liver"),
    ),
    Histology(
        "met_gastro_oesophageal",
        "Metastatic gastro-oesophageal cancer",
        "metastatic",
        "carcinoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("gastric", "stomach", "oesophageal", "esophageal"),
    ),
    Histology(
        "met_sarcoma",
        "Metastatic soft-tissue sarcoma",
        "metastatic",
        "sarcoma",
        (EXT,),
        radiosensitivity=RR,
        synonyms=("sarcoma",),
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
