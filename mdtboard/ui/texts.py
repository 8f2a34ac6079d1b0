"""Plain-text wording shared by forms, meeting mode and the presentation screen.

No Qt here (an import-linter contract keeps it so): these are the words, the
widgets that show them escape them.
"""

from __future__ import annotations

from mdtboard.domain import treatments
from mdtboard.domain.scores import TOOLS, ScoreResult, conversion_note, describe_band
from mdtboard.services.decisions import ModalityInput


def result_text(tool_id: str, result: ScoreResult | None) -> str:
    """A score's result in words: total, band, conversion note and flags."""
    if result is None:
        return "Not scored"
    if not result.complete:
        labels = {i.key: i.label for i in TOOLS[tool_id].items}
        return "Incomplete — missing: " + ", ".join(labels.get(m, m) for m in result.missing)
    total = f"Total {result.total} — " if result.total is not None else ""
    text = f"{total}{describe_band(tool_id, result.band)}"
    if note := conversion_note(tool_id, result.total):
        text += f"  ·  {note}"
    if result.flags:
        text += "  ·  flags: " + ", ".join(f.replace("_", " ") for f in result.flags)
    return text


def describe(m: ModalityInput) -> str:
    """One modality in words (its kind when its details cannot be described)."""
    try:
        return str(treatments.describe_modality(m.kind, dict(m.details)))
    except (ValueError, KeyError):
        return m.kind
