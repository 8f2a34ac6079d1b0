"""NOMS, MSCC, plan validation, levels, histology, differential and readiness rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdtboard.domain import differential, histology, levels, mscc, noms, treatments
from mdtboard.domain.readiness import CaseFacts, Light, assess
from mdtboard.domain.scores import evaluate
from mdtboard.domain.vocab import Urgency

# --- NOMS -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("neuro", "onco", "mech", "systemic", "band", "flags"),
    [
        ("high_grade", "radiosensitive", "stable", "fit_for_surgery", "cebrt", ()),
        (
            "low_grade",
            "radiosensitive",
            "unstable",
            "not_fit_for_surgery",
            "cebrt",
            ("not_fit_for_surgery", "stabilisation"),
        ),
        ("low_grade", "radioresistant", "stable", "fit_for_surgery", "sbrt", ()),
        (
            "borderline",
            "radioresistant",
            "indeterminate",
            "fit_for_surgery",
            "sbrt",
            ("borderline_compression", "surgical_opinion"),
        ),
        (
            "high_grade",
            "radioresistant",
            "stable",
            "fit_for_surgery",
            "separation_surgery_then_sbrt",
            (),
        ),
        (
            "high_grade",
            "radioresistant",
            "unstable",
            "not_fit_for_surgery",
            "radiotherapy_alone",
            ("not_fit_for_surgery", "stabilisation"),
        ),
    ],
)
def test_noms_every_branch(
    neuro: str, onco: str, mech: str, systemic: str, band: str, flags: tuple[str, ...]
) -> None:
    r = evaluate(
        "noms", {"neurologic": neuro, "oncologic": onco, "mechanical": mech, "systemic": systemic}
    )
    assert (r.total, r.band, r.flags) == (None, band, flags)
    assert list(r.flags) == sorted(r.flags)
    s = noms.suggest(neuro, onco, mech, systemic)
    assert s.band == band and s.flags == flags and s.missing == ()
    text = " ".join(s.explanation)
    assert "decision support for the MDT" in text
    for value in (neuro, onco, mech, systemic):
        assert value.split("_")[0].lower() in text.lower()


def test_noms_names_missing_inputs_instead_of_guessing() -> None:
    s = noms.suggest(None, None, None, None)
    assert s.band is None
    assert set(s.missing) == {"neurologic", "oncologic", "mechanical", "systemic"}
    assert "decision support for the MDT" in " ".join(s.explanation)
    s = noms.suggest("high_grade", "radioresistant", "stable", None)
    assert s.band is None and "systemic" in s.missing
    # radiosensitive needs neither compression grade nor fitness for the RT choice
    s = noms.suggest(None, "radiosensitive", None, None)
    assert s.band == "cebrt" and "neurologic" not in s.missing
    # flags from the inputs that are known are still given
    s = noms.suggest(None, None, "unstable", None)
    assert s.flags == ("stabilisation",)


def test_noms_from_scores_uses_histology_radiosensitivity() -> None:
    assert noms.from_scores("high_grade", "met_renal", "stable", True).band == (
        "separation_surgery_then_sbrt"
    )
    assert noms.from_scores("high_grade", "met_breast", "stable", False).band == "cebrt"
    unknown = noms.from_scores("low_grade", "met_unknown_primary", "stable", True)
    assert unknown.band is None and "oncologic" in unknown.missing


# --- MSCC -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "urgency"),
    [
        ({"cancer_history", "night_pain", "limb_weakness"}, Urgency.MSCC),
        ({"cancer_history", "band_like_pain", "bladder_dysfunction"}, Urgency.MSCC),
        ({"saddle_anaesthesia", "bowel_dysfunction"}, Urgency.MSCC),
        ({"cancer_history", "progressive_pain"}, Urgency.URGENT),
        ({"night_pain", "weight_loss"}, Urgency.URGENT),
        ({"gait_disturbance"}, Urgency.URGENT),
        ({"mechanical_pain"}, Urgency.ROUTINE),
        (set(), Urgency.ROUTINE),
    ],
)
def test_urgency_rules(flags: set[str], urgency: Urgency) -> None:
    s = mscc.suggest_urgency(flags)
    assert s.urgency == urgency and s.reasons


def test_unknown_red_flag_is_named() -> None:
    with pytest.raises(ValueError, match="sore_toe"):
        mscc.suggest_urgency({"sore_toe"})


NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_mscc_clock_states() -> None:
    h = timedelta(hours=1)
    clocks = mscc.mscc_clocks(NOW - 30 * h, NOW - 20 * h, None, None, NOW, True)
    by = {c.key: c for c in clocks}
    assert by["suspicion_to_mri"].state == "met"  # 10 h <= 24 h
    assert by["mri_to_plan"].state == "running" and by["mri_to_plan"].elapsed == 20 * h
    assert by["plan_to_treatment"].state == "not_started"
    clocks = mscc.mscc_clocks(NOW - 60 * h, NOW - 26 * h, None, None, NOW, True)
    by = {c.key: c for c in clocks}
    assert by["suspicion_to_mri"].state == "breached"  # 34 h > 24 h
    assert by["mri_to_plan"].state == "overdue_running"
    # pain only: one week for the MRI
    clocks = mscc.mscc_clocks(NOW - 30 * h, NOW, None, None, NOW, False)
    assert clocks[0].state == "met" and clocks[0].target == timedelta(weeks=1)
    clocks = mscc.mscc_clocks(NOW - 30 * h, NOW - 29 * h, NOW - 10 * h, NOW - 1 * h, NOW, True)
    assert [c.state for c in clocks] == ["met", "met", "met"]


def test_times_out_of_order_make_no_claim() -> None:
    h = timedelta(hours=1)
    # plan recorded before the MRI (a data-entry slip): neither met nor breached
    clocks = mscc.mscc_clocks(NOW - 30 * h, NOW - 5 * h, NOW - 10 * h, None, NOW, True)
    by = {c.key: c for c in clocks}
    assert by["mri_to_plan"].state == "out_of_order"
    assert by["mri_to_plan"].elapsed is None
    assert by["suspicion_to_mri"].state == "breached"  # 25 h > 24 h with a deficit


def test_mscc_clocks_refuse_naive_times() -> None:
    with pytest.raises(ValueError, match="suspected_at"):
        mscc.mscc_clocks(datetime(2026, 1, 1), None, None, None, NOW, True)
    plus_one = timezone(timedelta(hours=1))
    mscc.mscc_clocks(datetime(2026, 1, 1, tzinfo=plus_one), None, None, None, NOW, True)


def test_dexamethasone_recorded_or_justified() -> None:
    assert mscc.dexamethasone_problems("mscc", True, None, "")
    assert mscc.dexamethasone_problems("mscc", True, NOW, "") == ()
    assert mscc.dexamethasone_problems("mscc", True, None, "Diabetic ketoacidosis") == ()
    assert mscc.dexamethasone_problems("urgent", True, None, "") == ()
    assert mscc.dexamethasone_problems("mscc", False, None, "") == ()
    assert len(mscc.MSCC_PROMPTS) == 4


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
        ("palliative", plan(("cebrt", {"dose_gy": 30, "fractions": 31})), ["error:fractions"]),
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
    assert len(levels.LEVELS) == 30
    assert levels.LEVELS[0] == "C1" and levels.LEVELS[-1] == "Co"
    assert levels.region("T12") == "thoracic" and levels.region("co") == "coccygeal"
    assert levels.is_junctional("T12") and not levels.is_junctional("T6")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("T4–T6, L2", ("T4", "T5", "T6", "L2")),
        ("t4-6", ("T4", "T5", "T6")),
        ("C7-T2", ("C7", "T1", "T2")),
        ("L5 to S1; coccyx", ("L5", "S1", "Co")),
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


def test_radiosensitivity_classes_follow_the_reference() -> None:
    sensitive = {
        "met_lymphoma",
        "met_myeloma",
        "plasmacytoma",
        "met_seminoma",
        "met_lung_sclc",
        "met_breast",
        "met_prostate",
        "met_ovarian",
        "met_neuroendocrine",
    }
    resistant = {
        "met_renal",
        "met_melanoma",
        "met_sarcoma",
        "chordoma",
        "met_lung_nsclc",
        "met_colorectal",
        "met_thyroid",
        "met_hepatocellular",
    }
    for key in sensitive:
        assert histology.get(key).radiosensitivity == "radiosensitive", key
    for key in resistant:
        assert histology.get(key).radiosensitivity == "radioresistant", key


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
