"""Primary bone tumours of the spine: Enneking stage and WBB zones, recorded per lesion.

Classifications recorded without scoring (reference/scores.md §12.1, §12.2).
For a primary tumour they take the place of NOMS (§9.4): the team records
the stage, the zones and layers the tumour occupies, and whether en bloc
resection is feasible; the planning reading of §12.2 is shown as support.

One record per lesion is stored like a score (tool id ``primary_staging``,
the lesion's levels as its subject), so it is versioned, audited and kept
with a signed-off decision the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TOOL_ID = "primary_staging"
CITATION = (
    "Enneking WF, Spanier SS, Goodman MA. Clin Orthop Relat Res 1980;(153):106–120. "
    "Boriani S, Weinstein JN, Biagini R. Spine 1997;22(9):1036–1044."
)


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    meaning: str
    malignant: bool
    #: "intra" | "extra" | None (benign stages say nothing of the compartment)
    compartment: str | None


#: §12.1
ENNEKING: tuple[Stage, ...] = (
    Stage(
        "s1",
        "S1 — benign, latent",
        "inactive, well-encapsulated; often observation",
        False,
        None,
    ),
    Stage(
        "s2",
        "S2 — benign, active",
        "growing, thin capsule; intralesional excision usually enough",
        False,
        None,
    ),
    Stage(
        "s3",
        "S3 — benign, aggressive",
        "grows through its capsule into a reactive pseudocapsule; en bloc (marginal) "
        "excision preferred",
        False,
        None,
    ),
    Stage("ia", "IA — malignant, low grade, intracompartmental", "", True, "intra"),
    Stage("ib", "IB — malignant, low grade, extracompartmental", "", True, "extra"),
    Stage("iia", "IIA — malignant, high grade, intracompartmental", "", True, "intra"),
    Stage("iib", "IIB — malignant, high grade, extracompartmental", "", True, "extra"),
    Stage("iiia", "IIIA — any grade with metastases, intracompartmental", "", True, "intra"),
    Stage("iiib", "IIIB — any grade with metastases, extracompartmental", "", True, "extra"),
)
STAGES = {s.key: s for s in ENNEKING}

#: §12.2: 12 radial zones clockwise from the spinous process
ZONES: tuple[int, ...] = tuple(range(1, 13))
#: §12.2: the 5 layers, outside in
LAYERS: tuple[tuple[str, str], ...] = (
    ("a", "extraosseous paravertebral soft tissue"),
    ("b", "intraosseous superficial"),
    ("c", "intraosseous deep"),
    ("d", "extraosseous extradural (epidural)"),
    ("e", "extraosseous intradural"),
)
LAYER_KEYS = tuple(k for k, _ in LAYERS)
#: layers outside the bone: the vertebra is the compartment (§12.1)
EXTRAOSSEOUS = frozenset({"a", "d", "e"})
#: which part of the vertebra a zone belongs to (§12.2), for labels and the drawing
ZONE_PARTS: Mapping[int, str] = {
    **dict.fromkeys((4, 5, 6, 7, 8, 9), "vertebral body"),
    **dict.fromkeys((10, 11, 12, 1, 2, 3), "posterior arch"),
}
PEDICLE_ZONES = frozenset({3, 4, 9, 10})

EN_BLOC: tuple[tuple[str, str], ...] = (
    ("feasible", "En bloc resection feasible"),
    ("not_feasible", "En bloc resection not feasible"),
    ("undecided", "Not decided yet"),
)
EN_BLOC_KEYS = tuple(k for k, _ in EN_BLOC)

#: §12.2 typical planning reading: (zones, resection, the zones as the text writes them)
_READINGS: tuple[tuple[frozenset[int], str, str], ...] = (
    (frozenset(range(4, 9)), "vertebrectomy (en bloc body resection)", "4–8"),
    (frozenset(range(5, 10)), "vertebrectomy (en bloc body resection)", "5–9"),
    (frozenset({3, 4, 5}), "sagittal resection", "3–5"),
    (frozenset({8, 9, 10}), "sagittal resection", "8–10"),
    (frozenset({10, 11, 12, 1, 2, 3}), "posterior arch resection", "10–3"),
)

#: the answer keys of one record; ``cells`` ("4b": zone 4, layer b) is what the drawing
#: records, and the zones and layers (what §12.2 records) are read from it
ITEMS = ("enneking", "cells", "zones", "layers", "en_bloc", "note")
REQUIRED = ("enneking", "zones", "layers", "en_bloc")


class StagingError(ValueError):
    """A bad staging answer; the message names the key."""


@dataclass(frozen=True)
class StagingResult:
    band: str | None  # the Enneking stage, once the record is complete
    complete: bool
    missing: tuple[str, ...]
    readings: tuple[str, ...]
    warnings: tuple[str, ...]


def wbb_readings(zones: Iterable[int]) -> tuple[str, ...]:
    """The §12.2 readings whose zones hold every zone the tumour occupies, one line per
    resection ("vertebrectomy (en bloc body resection), zones 4–8 or 5–9")."""
    occupied = frozenset(zones)
    spans: dict[str, list[str]] = {}
    for span, resection, text in _READINGS:
        if occupied and occupied <= span:
            spans.setdefault(resection, []).append(text)
    return tuple(f"{r}, zones {' or '.join(t)}" for r, t in spans.items())


def cell_key(zone: int, layer: str) -> str:
    return f"{zone}{layer}"


def parse_cell(text: object) -> tuple[int, str]:
    """ "4b" → (4, "b"); StagingError naming ``cells`` for anything else."""
    if isinstance(text, str) and len(text) >= 2 and text[:-1].isdigit():
        zone, layer = int(text[:-1]), text[-1]
        if zone in ZONES and layer in LAYER_KEYS:
            return zone, layer
    raise StagingError(f"cells: {text!r} is not a zone 1–12 with a layer a–e (e.g. '4b')")


def _list(key: str, value: object) -> list[object]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise StagingError(f"{key}: expected a list")
    return list(value)


def clean(answers: Mapping[str, object]) -> dict[str, object]:
    """Validated answers in a stable form (cells and zones ascending, layers a–e); the
    zones and layers of recorded cells are read from them. Raises StagingError naming
    the key for anything else."""
    out: dict[str, object] = {}
    cells = answers.get("cells")
    if cells is not None:
        parsed = sorted({parse_cell(c) for c in _list("cells", cells)})
        out["cells"] = [cell_key(z, x) for z, x in parsed]
        derived = {
            "zones": sorted({z for z, _ in parsed}),
            "layers": [k for k in LAYER_KEYS if k in {x for _, x in parsed}],
        }
    for key, value in answers.items():
        if key not in ITEMS:
            raise StagingError(f"{key}: unknown item for {TOOL_ID}")
        if value is None or key == "cells":
            continue
        if key == "enneking":
            if not isinstance(value, str) or value not in STAGES:
                raise StagingError(f"enneking: unknown stage {value!r}")
            out[key] = value
        elif key == "zones":
            zones = _list(key, value)
            if any(isinstance(z, bool) or not isinstance(z, int) or z not in ZONES for z in zones):
                raise StagingError(f"zones: {zones!r} holds a zone outside 1–12")
            out[key] = sorted(set(zones))  # type: ignore[type-var]
        elif key == "layers":
            layers = _list(key, value)
            if any(not isinstance(x, str) or x not in LAYER_KEYS for x in layers):
                raise StagingError(f"layers: {layers!r} holds a layer outside a–e")
            out[key] = [k for k in LAYER_KEYS if k in set(layers)]
        elif key == "en_bloc":
            if not isinstance(value, str) or value not in EN_BLOC_KEYS:
                raise StagingError(f"en_bloc: unknown answer {value!r}")
            out[key] = value
        else:  # note
            if not isinstance(value, str):
                raise StagingError("note: expected text")
            if value.strip():
                out[key] = value.strip()
    if cells is not None:
        for key, value in derived.items():
            if key in out and out[key] != value:
                raise StagingError(f"{key}: {out[key]!r} does not match the cells drawn")
            out[key] = value
    return out


def evaluate_staging(answers: Mapping[str, object]) -> StagingResult:
    """Validate one lesion's record; the reading and consistency warnings as support."""
    given = clean(answers)
    missing = tuple(k for k in REQUIRED if not given.get(k))
    zones = given.get("zones") or []
    layers = set(given.get("layers") or [])  # type: ignore[call-overload]
    readings = wbb_readings(zones)  # type: ignore[arg-type]
    warnings: list[str] = []
    if zones and not readings:
        warnings.append(
            "The zones go beyond those of one typical en bloc resection (§12.2): the spinal "
            "surgeon judges feasibility."
        )
    stage = STAGES.get(str(given.get("enneking", "")))
    if stage is not None and stage.compartment == "intra" and layers & EXTRAOSSEOUS:
        outside = ", ".join(sorted(layers & EXTRAOSSEOUS))
        warnings.append(
            f"Layer {outside} lies outside the bone, which makes a tumour extracompartmental "
            f"(§12.1), but stage {stage.key.upper()} is intracompartmental: check the stage."
        )
    band = stage.key if stage is not None and not missing else None
    return StagingResult(band, not missing, missing, readings, tuple(warnings))


def describe(answers: Mapping[str, object]) -> str:
    """One line for lists and documents: "Enneking IIB; WBB zones 4–7, layers b–d; en
    bloc feasible"."""
    given = clean(answers)
    parts = []
    stage = STAGES.get(str(given.get("enneking", "")))
    parts.append(f"Enneking {stage.key.upper()}" if stage else "Enneking stage not recorded")
    zones = list(given.get("zones") or [])  # type: ignore[call-overload]
    layers = list(given.get("layers") or [])  # type: ignore[call-overload]
    if zones or layers:
        zone_text = ", ".join(str(z) for z in zones) or "—"
        layer_text = ", ".join(layers) or "—"
        parts.append(f"WBB zones {zone_text}; layers {layer_text}")
    else:
        parts.append("WBB zones not recorded")
    en_bloc = dict(EN_BLOC).get(str(given.get("en_bloc", "")))
    if en_bloc:
        parts.append(en_bloc[:1].lower() + en_bloc[1:])
    return "; ".join(parts)
