"""NOMS decision support: the suggestion, its flags and a plain-language why.

Built on ``evaluate("noms", ...)`` so there is one rule table. Always
decision support for the MDT: the team decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdtboard.domain.scores import TOOLS, evaluate, radiosensitivity_for_histology

DISCLAIMER = "This is decision support for the MDT: the team decides, not the framework."
INPUT_LABELS = {
    "neurologic": "neurologic (ESCC grade)",
    "oncologic": "oncologic (radiosensitivity of the histology)",
    "mechanical": "mechanical (SINS)",
    "systemic": "systemic (fitness for surgery)",
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
) -> NomsSuggestion:
    answers = {
        "neurologic": neurologic,
        "oncologic": oncologic,
        "mechanical": mechanical,
        "systemic": systemic,
    }
    result = evaluate("noms", answers)
    tool = TOOLS["noms"]
    lines: list[str] = []
    for key, value in answers.items():
        if value is None:
            lines.append(f"{_cap(INPUT_LABELS[key])}: not known.")
        else:
            item = tool.item(key)
            opt = item.option(value) if item else None
            lines.append(f"{_cap(INPUT_LABELS[key])}: {opt.label if opt else value}.")
    # The rule that fired, or could not fire.
    if oncologic == "radiosensitive":
        lines.append(
            "Rule: a radiosensitive tumour is treated with conventional radiotherapy "
            "(cEBRT) whatever the degree of compression."
        )
    elif oncologic == "radioresistant":
        if neurologic == "low_grade":
            lines.append("Rule: radioresistant tumour with low-grade compression → SBRT.")
        elif neurologic == "borderline":
            lines.append(
                "Rule: radioresistant tumour with borderline (1c) compression → SBRT, "
                "flagged for MDT judgement (some centres treat 1c as high grade)."
            )
        elif neurologic == "high_grade":
            if systemic == "fit_for_surgery":
                lines.append(
                    "Rule: radioresistant tumour with high-grade compression in a "
                    "patient fit for surgery → separation surgery, then SBRT."
                )
            elif systemic == "not_fit_for_surgery":
                lines.append(
                    "Rule: radioresistant tumour with high-grade compression in a "
                    "patient not fit for surgery → radiotherapy alone."
                )
    if "stabilisation" in result.flags:
        lines.append("Mechanically unstable: stabilisation should be considered.")
    if "surgical_opinion" in result.flags:
        lines.append("Indeterminate stability: a surgical opinion is advised.")
    needed = _needed(neurologic, oncologic, systemic)
    missing = tuple(
        k
        for k in ("neurologic", "oncologic", "mechanical", "systemic")
        if answers[k] is None and (k in needed or k == "mechanical")
    )
    band = result.band if result.complete else _partial_band(neurologic, oncologic, systemic)
    if band is None and missing:
        lines.append(
            "No suggestion yet: missing " + ", ".join(INPUT_LABELS[m] for m in missing) + "."
        )
    lines.append(DISCLAIMER)
    band_decl = tool.band(band) if band else None
    label = band_decl.label if band_decl else None
    return NomsSuggestion(band, label, result.flags, missing, tuple(lines))


def _needed(neurologic: str | None, oncologic: str | None, systemic: str | None) -> set[str]:
    needed = {"oncologic"}
    if oncologic != "radiosensitive":
        needed.add("neurologic")
        if neurologic in (None, "high_grade"):
            needed.add("systemic")
    return needed


def _partial_band(
    neurologic: str | None, oncologic: str | None, systemic: str | None
) -> str | None:
    """The radiation/surgery suggestion can be known before every input is."""
    full = evaluate(
        "noms",
        {
            "neurologic": neurologic or "low_grade",
            "oncologic": oncologic,
            "mechanical": "stable",
            "systemic": systemic or "fit_for_surgery",
        },
    )
    if oncologic is None:
        return None
    if oncologic == "radiosensitive":
        return full.band
    if neurologic is None:
        return None
    if neurologic == "high_grade" and systemic is None:
        return None
    return full.band


def from_scores(
    escc_band: str | None,
    histology_key: str | None,
    sins_band: str | None,
    fit_for_surgery: bool | None,
) -> NomsSuggestion:
    oncologic = radiosensitivity_for_histology(histology_key) if histology_key else None
    systemic = (
        None
        if fit_for_surgery is None
        else ("fit_for_surgery" if fit_for_surgery else "not_fit_for_surgery")
    )
    return suggest(escc_band, oncologic, sins_band, systemic)
