"""NOMS decision support: the suggestion, its flags and a plain-language why.

Built on the rule table of ``evaluate("noms", ...)`` (reference/scores.md §9),
so there is one table. NOMS is a framework for spinal *metastases*: for a
primary tumour the case-level helper ``from_scores`` offers no band and names
the primary-tumour pathway instead (§9.4, D16). Always decision support for
the MDT: the team decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mdtboard.domain import histology
from mdtboard.domain.scores import TOOLS, evaluate, radiosensitivity_for_histology

DISCLAIMER = "Decision support for the MDT — not a treatment order."
INPUT_LABELS = {
    "neurologic": "neurologic (ESCC grade)",
    "oncologic": "oncologic (radiosensitivity of the histology)",
    "mechanical": "mechanical (SINS)",
    "systemic": "systemic (fitness for surgery)",
    "mechanical_pain_without_deformity": "axial mechanical pain without deformity",
}
REQUIRED = ("neurologic", "oncologic", "mechanical", "systemic")
PRIMARY_TUMOUR_PATHWAY = "primary_tumour_pathway"
DISEASE_KIND_UNCERTAIN = "disease_kind_uncertain"

#: §9.1: the row of the band table that fired, by its inputs
_BAND_RULES = {
    "radiosensitive": (
        "Rule (§9.1): a radiosensitive tumour → conventional radiotherapy (cEBRT), whatever "
        "the degree of compression."
    ),
    "low_grade": "Rule (§9.1): radioresistant tumour with low-grade compression → SBRT.",
    "borderline": (
        "Rule (§9.1): radioresistant tumour with borderline (1c) compression → SBRT, the band "
        "of low grade."
    ),
    "fit_for_surgery": (
        "Rule (§9.1): radioresistant tumour with high-grade compression in a patient fit for "
        "surgery → separation surgery, then SBRT."
    ),
    "not_fit_for_surgery": (
        "Rule (§9.1, D11): radioresistant tumour with high-grade compression in a patient not "
        "fit for surgery → conventional radiotherapy (cEBRT), flagged not fit for surgery; "
        "the MDT may still choose SBRT or best supportive care."
    ),
}
#: §9.2: what each flag asks of the MDT
FLAG_TEXTS = {
    "stabilisation": (
        "Mechanically unstable: stabilisation (open or percutaneous) is needed before or with "
        "radiation, whatever the band."
    ),
    "surgical_opinion": "Indeterminate stability: ask a spinal surgeon.",
    "cement_augmentation": (
        "Axial mechanical pain without gross instability: vertebroplasty or kyphoplasty may "
        "treat it (Bilsky 2009)."
    ),
    "borderline_compression": (
        "Borderline compression (ESCC 1c): the MDT must decide between radiation alone and "
        "surgery; the band follows low grade."
    ),
    "not_fit_for_surgery": "Not fit for surgery, as the MDT judged.",
    "surgical_candidate_high_grade": (
        "High-grade compression in a fit patient with a radiosensitive tumour: the band stays "
        "cEBRT, but above all with a neurological deficit, instability or failed earlier "
        "radiotherapy, decompressive surgery followed by radiotherapy beat radiotherapy alone "
        "(Patchell 2005; ASTRO 2024): ask a spinal surgeon before settling on radiotherapy "
        "alone."
    ),
    PRIMARY_TUMOUR_PATHWAY: "Primary tumour: NOMS does not apply (§9.4).",
    DISEASE_KIND_UNCERTAIN: (
        "Disease kind uncertain: NOMS is for metastases only; confirm the tumour is a "
        "metastasis before relying on this suggestion."
    ),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class NomsSuggestion:
    band: str | None
    band_label: str | None
    flags: tuple[str, ...]
    missing: tuple[str, ...]
    explanation: tuple[str, ...]


def suggest(
    neurologic: str | None = None,
    oncologic: str | None = None,
    mechanical: str | None = None,
    systemic: str | None = None,
    mechanical_pain_without_deformity: str | None = None,
    *,
    sources: Mapping[str, str] | None = None,
) -> NomsSuggestion:
    """The NOMS suggestion from its inputs. ``sources`` says where an input came from
    (e.g. ``{"neurologic": "ESCC 2"}``) so the explanation can name it (§9.3). As with
    ``evaluate``, there is a band only once every required input is known; until then
    ``missing`` names them."""
    answers = {
        "neurologic": neurologic,
        "oncologic": oncologic,
        "mechanical": mechanical,
        "systemic": systemic,
        "mechanical_pain_without_deformity": mechanical_pain_without_deformity,
    }
    result = evaluate("noms", answers)
    tool = TOOLS["noms"]
    lines: list[str] = []
    for key, value in answers.items():
        if value is None:
            if key in REQUIRED:
                lines.append(f"{_cap(INPUT_LABELS[key])}: not known.")
            continue
        item = tool.item(key)
        opt = item.option(value) if item else None
        shown = opt.label if opt else value
        source = (sources or {}).get(key)
        lines.append(
            f"{_cap(INPUT_LABELS[key])}: {source} → {shown[:1].lower()}{shown[1:]}."
            if source
            else f"{_cap(INPUT_LABELS[key])}: {shown}."
        )
    # §9.3 and rule 4: no band while a required input is missing — named, never guessed
    band = result.band
    if band is not None:
        rule_key = (
            "radiosensitive"
            if oncologic == "radiosensitive"
            else (systemic if neurologic == "high_grade" else neurologic)
        )
        lines.append(_BAND_RULES[str(rule_key)])
    lines.extend(FLAG_TEXTS[f] for f in result.flags)
    if band is None:
        lines.append(
            "No suggestion yet: missing " + ", ".join(INPUT_LABELS[m] for m in result.missing) + "."
        )
    lines.append(DISCLAIMER)
    label = tool.band(band).label if band else None  # type: ignore[union-attr]
    return NomsSuggestion(band, label, result.flags, result.missing, tuple(lines))


def _primary_pathway(histology_key: str | None) -> NomsSuggestion:
    """§9.4: no NOMS band for a primary tumour; the pathway the MDT follows instead."""
    h = histology.CATALOGUE.get(histology_key or "")
    lines = [
        "NOMS does not apply: it is a framework for metastatic spinal tumours (Laufer 2013), "
        "and this is a primary tumour.",
        "Primary-tumour pathway: record the Enneking stage and the WBB zones and layers of "
        "each lesion (§12); en bloc resection with wide margins where feasible for malignant "
        "(Enneking I–II) and aggressive benign (S3) tumours; high-dose (often particle) "
        "radiotherapy for chordoma and chondrosarcoma; multimodal chemotherapy-based plans "
        "for osteosarcoma and Ewing sarcoma; planned with a sarcoma service.",
    ]
    if h is not None:
        lines.append(f"Histology: {h.label}.")
        if h.radiosensitivity:
            lines.append(
                f"Radiosensitivity to conventional radiotherapy (§10, shown for the MDT): "
                f"{h.radiosensitivity}."
            )
    lines.append(DISCLAIMER)
    return NomsSuggestion(None, None, (PRIMARY_TUMOUR_PATHWAY,), (), tuple(lines))


def case_kind(disease_kind: str | None, histology_key: str | None) -> str | None:
    """The disease kind NOMS's scope rule uses: the case's own when recorded, else the
    kind of its catalogue histology (a chordoma is a primary tumour)."""
    if disease_kind:
        return disease_kind
    h = histology.CATALOGUE.get(histology_key or "")
    return h.kind if h is not None else None


def from_scores(
    escc_band: str | None,
    histology_key: str | None,
    sins_band: str | None,
    fit_for_surgery: bool | None,
    *,
    disease_kind: str | None = None,
    mechanical_pain_without_deformity: bool | None = None,
    oncologic: str | None = None,
    sources: Mapping[str, str] | None = None,
) -> NomsSuggestion:
    """The case-level NOMS suggestion (§9.4): from the ESCC and SINS bands, the histology
    (its radiosensitivity, §10, unless the MDT chose ``oncologic`` explicitly) and the
    MDT's judgement of fitness. A primary tumour gets no band and the single flag
    ``primary_tumour_pathway``; an uncertain disease kind adds ``disease_kind_uncertain``."""
    kind = case_kind(disease_kind, histology_key)
    if kind == "primary":
        return _primary_pathway(histology_key)
    if oncologic is None and histology_key:
        oncologic = radiosensitivity_for_histology(histology_key)
    systemic = (
        None
        if fit_for_surgery is None
        else ("fit_for_surgery" if fit_for_surgery else "not_fit_for_surgery")
    )
    pain = (
        None
        if mechanical_pain_without_deformity is None
        else ("yes" if mechanical_pain_without_deformity else "no")
    )
    s = suggest(escc_band, oncologic, sins_band, systemic, pain, sources=sources)
    if kind != "uncertain":
        return s
    flags = tuple(sorted((*s.flags, DISEASE_KIND_UNCERTAIN)))
    lines = (*s.explanation[:-1], FLAG_TEXTS[DISEASE_KIND_UNCERTAIN], s.explanation[-1])
    return NomsSuggestion(s.band, s.band_label, flags, s.missing, lines)


def mechanical_pain_from_sins(answers: Mapping[str, object]) -> bool | None:
    """§9 (D12): the optional NOMS item from the SINS answers — ``pain`` mechanical and
    ``alignment`` normal; None while either is unanswered."""
    pain, alignment = answers.get("pain"), answers.get("alignment")
    if (pain is not None and pain != "mechanical") or (
        alignment is not None and alignment != "normal"
    ):
        return False
    if pain is None or alignment is None:
        return None
    return True
