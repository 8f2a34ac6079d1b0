"""NOMS, MSCC, plan validation, levels, histology, differential and readiness rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdtboard.domain import differential, histology, levels, treatments
from mdtboard.domain.readiness import CaseFacts, Light, assess

# --- plan validation -----------------------------------------------------------------


def plan(*mods: tuple[str, dict[str, object]]) -> list[dict[str, object]]:
    return [{"kind": k, "details": d} for k, d in mods]


def messages(intent: str | None, mods: list[dict[str, object]], **kw: object) -> list[str]:
    return [f"{p.severity}:{p.field}" for p in treatments.validate_plan(intent, mods, **kw)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("intent", "mods", "expected"),
    [
        ("palliative", plan(("cebrt", {"dose_gy": 20, "fractions": 5})), []),
        ("palliative", plan(("cebrt", {"dose_gy": 8, "fractions": 1})), []),
        ("palliative", plan(("cebrt", {"dose_gy": 30, "fractions": 46})), ["error:fractions"]),
        ("disease_control", plan(("sbrt", {"dose_gy": 27, "fractions": 3})), []),
        ("disease_control", plan(("sbrt", {"dose_gy": 30, "fractions": 10})), ["error:fractions"]),
        ("disease_control", plan(("sbrt", {"dose_gy": 0, "fractions": 1})), ["error:dose_gy"]),
        (
            "palliative",
            plan(("cebrt", {"dose_gy": float("nan"), "fractions": 5})),
            ["error:dose_gy"],
        ),
        (
            "palliative",
            plan(("dexamethasone", {"dose_mg": float("inf")})),
            ["error:dose_mg"],
        ),
        ("disease_control", plan(("sbrt", {"dose_gy": 30, "fractions": 1})), ["warning:dose_gy"]),
        ("disease_control", plan(("sbrt", {"dose_gy": 24, "fractions": 2.5})), ["error:fractions"]),
        ("disease_control", plan(("sbrt", {})), ["error:dose_gy", "error:fractions"]),
        (None, plan(("palliative_care", {})), ["error:intent"]),
        ("palliative", [], ["error:modalities"]),
        ("curative", plan(("palliative_care", {}), ("rehabilitation", {})), ["warning:intent"]),
        ("palliative", plan(("systemic", {"therapy_class": "targeted_therapy"})), ["error:driver"]),
        (
            "palliative",
            plan(
                (
                    "systemic",
                    {
                        "therapy_class": "targeted_therapy",
                        "no_driver_reason": "Empirical, no test possible",
                    },
                )
            ),
            [],
        ),
        ("palliative", plan(("clinical_trial", {})), ["error:trial_id"]),
        ("palliative", plan(("biopsy", {"route": "deferred_after_mdt"})), ["error:rationale"]),
        (
            "palliative",
            plan(
                (
                    "biopsy",
                    {"route": "deferred_after_mdt", "rationale": "Known primary, typical imaging"},
                )
            ),
            [],
        ),
        ("palliative", plan(("laser", {})), ["error:kind"]),
        ("palliative", plan(("surgery", {"procedure": "magic"})), ["error:procedure"]),
        (
            "palliative",
            plan(("surgery", {"procedure": "decompression", "colour": "x"})),
            ["error:colour"],
        ),
        ("palliative", plan(("palliative_care", {}), ("palliative_care", {})), ["warning:None"]),
        ("sometimes", plan(("palliative_care", {})), ["error:intent"]),
    ],
)
def test_plan_validator_rules(
    intent: str | None, mods: list[dict[str, object]], expected: list[str]
) -> None:
    assert sorted(messages(intent, mods)) == sorted(expected)


def test_targeted_driver_checked_against_histology() -> None:
    mods = plan(("systemic", {"therapy_class": "targeted_therapy", "driver": "egfr"}))
    assert messages("palliative", mods, histology_key="met_lung_nsclc") == []
    assert messages("palliative", mods, histology_key="met_breast") == ["warning:driver"]


def test_describe_modalities_and_plan() -> None:
    assert treatments.describe_modality("sbrt", {"dose_gy": 27, "fractions": 3}) == (
        "SBRT 27 Gy in 3 fractions"
    )
    assert treatments.describe_modality("cebrt", {"dose_gy": 8, "fractions": 1}) == (
        "cEBRT 8 Gy in 1 fraction"
    )
    text = treatments.describe_plan(
        "palliative",
        plan(("dexamethasone", {"dose_mg": 16}), ("surgery", {"procedure": "separation_surgery"})),
    )
    assert text.startswith("Palliative intent: Dexamethasone 16 mg daily; Surgery: Separation")
    assert all(r.fractions <= 5 for r in treatments.SBRT_REGIMENS)
    assert {(r.dose_gy, r.fractions) for r in treatments.CEBRT_REGIMENS} == {
        (8, 1),
        (20, 5),
        (30, 10),
    }


# --- levels ---------------------------------------------------------------------------


def test_levels_order_and_regions() -> None:
    assert len(levels.LEVELS) == 31  # occiput (C0), C1–C7, T1–T12, L1–L5, S1–S5, coccyx
    assert levels.LEVELS[0] == "C0" and levels.LEVELS[-1] == "Co"
    assert levels.region("C0") == "cervical" and levels.is_junctional("occiput")
    assert levels.region("T12") == "thoracic" and levels.region("co") == "coccygeal"
    assert levels.is_junctional("T12") and not levels.is_junctional("T6")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T4–T6, L2", ("T4", "T5", "T6", "L2")),
        ("t4-6", ("T4", "T5", "T6")),
        ("C7-T2", ("C7", "T1", "T2")),
        ("L5 to S1; coccyx", ("L5", "S1", "Co")),
        ("occiput-C2", ("C0", "C1", "C2")),
        ("C0", ("C0",)),
        ("T9, T9", ("T9",)),
        ("", ()),
    ],
)
def test_parse_levels(text: str, expected: tuple[str, ...]) -> None:
    assert levels.parse_levels(text) == expected


@pytest.mark.parametrize("text", ["T13", "T6-T4", "X1", "T4-T5-T6"])
def test_parse_levels_errors_name_the_token(text: str) -> None:
    with pytest.raises(ValueError):
        levels.parse_levels(text)


def test_format_and_contiguity() -> None:
    assert levels.format_levels(("T4", "T5", "T6", "L2")) == "T4–T6, L2"
    assert levels.format_levels(("T5", "T4")) == "T4–T5"
    assert levels.is_contiguous(("T12", "L1")) and not levels.is_contiguous(("T1", "T3"))


@given(st.sets(st.sampled_from(levels.LEVELS)))
def test_format_then_parse_round_trips(chosen: set[str]) -> None:
    ordered = tuple(sorted(chosen, key=levels.index))
    assert levels.parse_levels(levels.format_levels(ordered)) == ordered


# --- histology, differential ------------------------------------------------------------


def test_histology_catalogue_covers_the_domain_brief() -> None:
    for key in (
        "ependymoma",
        "ependymoma_mycn",
        "myxopapillary_ependymoma",
        "subependymoma",
        "astrocytoma",
        "meningioma",
        "schwannoma",
        "neurofibroma",
        "chordoma",
        "osteosarcoma",
        "chondrosarcoma",
        "ewing_sarcoma",
        "haemangioblastoma",
        "met_breast",
        "met_lung_nsclc",
        "met_prostate",
        "met_renal",
        "met_thyroid",
        "met_myeloma",
        "met_melanoma",
        "met_unknown_primary",
    ):
        assert key in histology.CATALOGUE
    assert histology.get("meningioma").who_grades == ("1", "2", "3")
    assert "intramedullary" in histology.get("ependymoma").typical_compartments
    drivers = {d.key for d in histology.get("met_lung_nsclc").drivers}
    assert {"egfr", "alk", "ros1", "kras_g12c"} <= drivers
    with pytest.raises(ValueError, match="unicornoma"):
        histology.get("unicornoma")
    assert histology.label_for(histology.AWAITING_BIOPSY) == "Awaiting biopsy"


@pytest.mark.parametrize(
    ("term", "key"),
    [
        ("RCC", "met_renal"),
        ("nsclc", "met_lung_nsclc"),
        ("kidney", "met_renal"),
        ("Chord", "chordoma"),
        ("MYCN", "ependymoma_mycn"),
    ],
)
def test_histology_search_uses_synonyms(term: str, key: str) -> None:
    assert histology.search(term)[0].key == key


def test_every_catalogue_entry_says_where_it_comes_from() -> None:
    for h in histology.CATALOGUE.values():
        assert h.source.strip(), h.key


def test_catalogue_gaps_of_the_review_are_filled() -> None:
    assert histology.get("vertebral_haemangioma").kind == "primary"
    for key in ("met_pancreatic", "met_biliary", "met_urothelial", "met_cervical"):
        assert histology.get(key).kind == "metastatic"
    assert {d.key for d in histology.get("met_lung_nsclc").drivers} == {
        "egfr",
        "alk",
        "ros1",
        "braf_v600e",
        "met_exon14",
        "ret",
        "ntrk",
        "her2",
        "kras_g12c",
    }
    assert {d.key for d in histology.get("met_thyroid").drivers} >= {"ret", "braf", "ntrk"}
    assert {d.key for d in histology.get("met_colorectal").drivers} == {
        "kras_g12c",
        "braf_v600e",
        "her2",
        "msi_high",
    }
    classes = {c.key: c.label for c in treatments.THERAPY_CLASSES}
    assert "radium-223" in classes["radionuclide"] and "177Lu-PSMA" in classes["radionuclide"]
    assert "radioiodine" in classes["radionuclide"]


def test_differential_checklist() -> None:
    filled = differential.validate_differential({"spondylodiscitis": "ruled_out"})
    assert filled["spondylodiscitis"] == "ruled_out"
    assert filled["disc_herniation"] == "not_considered"
    with pytest.raises(ValueError, match="gout"):
        differential.validate_differential({"gout": "possible"})
    with pytest.raises(ValueError, match="sciatica"):
        differential.validate_differential({"sciatica": "maybe"})


# --- readiness -------------------------------------------------------------------------

READY = CaseFacts(
    disease_kind="metastatic",
    compartment="extradural",
    question="Plan?",
    neuro_status="Intact",
    imaging_available=True,
    imaging_date=date(2026, 11, 20),
    pathology_available=True,
    histology_key="met_breast",
    biopsy_deferral_rationale="",
    score_tools=frozenset({"sins", "escc", "kps"}),
)


def test_readiness_traffic_light() -> None:
    today = date(2026, 11, 24)
    from dataclasses import replace

    assert assess(READY, today).light == Light.GREEN
    assert assess(replace(READY, question=" "), today).light == Light.RED
    assert assess(replace(READY, imaging_available=False), today).light == Light.RED
    old = assess(replace(READY, imaging_date=date(2026, 9, 1)), today)
    assert old.light == Light.AMBER and "days old" in old.summary()
    assert assess(replace(READY, imaging_date=date(2026, 9, 1)), today, 120).light == Light.GREEN
    no_path = replace(READY, pathology_available=False)
    assert assess(no_path, today).light == Light.RED
    deferred = replace(no_path, biopsy_deferral_rationale="Known primary, typical imaging")
    assert assess(deferred, today).light == Light.GREEN
    missing = assess(replace(READY, score_tools=frozenset({"kps"})), today)
    assert missing.light == Light.AMBER and "SINS" in missing.summary()
    im = replace(READY, compartment="intramedullary", score_tools=frozenset({"mccormick", "ecog"}))
    assert assess(im, today).light == Light.GREEN
