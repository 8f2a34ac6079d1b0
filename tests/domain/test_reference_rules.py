"""reference/scores.md §9–§12 and the decision register (D11–D20), row by row.

Expected values are transcribed from the reference (and, for MSCC, NICE
NG234 / QS56 as the reference quotes them); the section is in each test's
name or parameter id. docs/clinical-rules.md maps the rows to these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mdtboard.domain import histology, mscc, noms, staging, treatments
from mdtboard.domain.scores import TOOLS, evaluate, radiosensitivity_for_histology
from mdtboard.domain.vocab import Urgency

P = pytest.param
H = timedelta(hours=1)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

# --- §9.1 NOMS band ------------------------------------------------------------------------

SYSTEMIC = ("fit_for_surgery", "not_fit_for_surgery")
NEURO = ("low_grade", "borderline", "high_grade")


@pytest.mark.parametrize(
    ("onco", "neuro", "systemic", "band"),
    [
        # row 1: radiosensitive, any, any → cebrt
        *(
            P("radiosensitive", n, s, "cebrt", id=f"s9.1-row1-{n}-{s}")
            for n in NEURO
            for s in SYSTEMIC
        ),
        # row 2: radioresistant, low grade or borderline, any → sbrt
        *(
            P("radioresistant", n, s, "sbrt", id=f"s9.1-row2-{n}-{s}")
            for n in ("low_grade", "borderline")
            for s in SYSTEMIC
        ),
        # row 3: radioresistant, high grade, fit → separation surgery then SBRT
        P(
            "radioresistant",
            "high_grade",
            "fit_for_surgery",
            "separation_surgery_then_sbrt",
            id="s9.1-row3",
        ),
        # row 4 (D11): radioresistant, high grade, not fit → cebrt
        P("radioresistant", "high_grade", "not_fit_for_surgery", "cebrt", id="s9.1-row4-D11"),
    ],
)
def test_s9_1_noms_band_table(onco: str, neuro: str, systemic: str, band: str) -> None:
    for mech in ("stable", "indeterminate", "unstable"):  # mechanical never changes the band
        r = evaluate(
            "noms",
            {"neurologic": neuro, "oncologic": onco, "mechanical": mech, "systemic": systemic},
        )
        assert (r.total, r.band, r.complete) == (None, band, True)


def test_s9_1_D11_unfit_high_grade_radioresistant_is_flagged() -> None:
    r = evaluate(
        "noms",
        {
            "neurologic": "high_grade",
            "oncologic": "radioresistant",
            "mechanical": "stable",
            "systemic": "not_fit_for_surgery",
        },
    )
    assert r.band == "cebrt" and "not_fit_for_surgery" in r.flags
    assert "radiotherapy_alone" not in {b.id for b in TOOLS["noms"].bands}


# --- §9.2 flags ----------------------------------------------------------------------------

BASE = {
    "neurologic": "low_grade",
    "oncologic": "radioresistant",
    "mechanical": "stable",
    "systemic": "fit_for_surgery",
}


@pytest.mark.parametrize(
    ("changes", "flags"),
    [
        P({}, (), id="s9.2-none"),
        P({"mechanical": "unstable"}, ("stabilisation",), id="s9.2-stabilisation"),
        P({"mechanical": "indeterminate"}, ("surgical_opinion",), id="s9.2-surgical_opinion"),
        P(
            {"mechanical_pain_without_deformity": "yes"},
            ("cement_augmentation",),
            id="s9.2-D12-cement-stable",
        ),
        P(
            {"mechanical_pain_without_deformity": "yes", "mechanical": "indeterminate"},
            ("cement_augmentation", "surgical_opinion"),
            id="s9.2-D12-cement-indeterminate",
        ),
        P(
            {"mechanical_pain_without_deformity": "yes", "mechanical": "unstable"},
            ("stabilisation",),
            id="s9.2-D12-no-cement-when-unstable",
        ),
        P({"mechanical_pain_without_deformity": "no"}, (), id="s9.2-D12-pain-no"),
        P(
            {"neurologic": "borderline"},
            ("borderline_compression",),
            id="s9.2-D3-borderline-radioresistant",
        ),
        P(
            {"neurologic": "borderline", "oncologic": "radiosensitive"},
            ("borderline_compression",),
            id="s9.2-D3-borderline-radiosensitive",
        ),
        P(
            {"systemic": "not_fit_for_surgery"},
            ("not_fit_for_surgery",),
            id="s9.2-not_fit_for_surgery",
        ),
        P(
            {"oncologic": "radiosensitive", "neurologic": "high_grade"},
            ("surgical_candidate_high_grade",),
            id="s9.2-D17-surgical_candidate_high_grade",
        ),
        P(
            {
                "oncologic": "radiosensitive",
                "neurologic": "high_grade",
                "systemic": "not_fit_for_surgery",
            },
            ("not_fit_for_surgery",),
            id="s9.2-D17-not-when-unfit",
        ),
        P(
            {"neurologic": "high_grade"},
            (),
            id="s9.2-D17-not-when-radioresistant",
        ),
        P(
            {
                "oncologic": "radiosensitive",
                "neurologic": "borderline",
                "mechanical": "unstable",
                "systemic": "not_fit_for_surgery",
                "mechanical_pain_without_deformity": "yes",
            },
            ("borderline_compression", "not_fit_for_surgery", "stabilisation"),
            id="s9.2-several-sorted",
        ),
    ],
)
def test_s9_2_noms_flags(changes: dict[str, str], flags: tuple[str, ...]) -> None:
    r = evaluate("noms", {**BASE, **changes})
    assert r.flags == flags
    assert list(r.flags) == sorted(r.flags)


def test_s9_2_D17_band_stays_cebrt() -> None:
    r = evaluate("noms", {**BASE, "oncologic": "radiosensitive", "neurologic": "high_grade"})
    assert r.band == "cebrt" and r.flags == ("surgical_candidate_high_grade",)


@pytest.mark.parametrize(
    ("sins", "expected"),
    [
        P({"pain": "mechanical", "alignment": "normal"}, True, id="s9-D12-yes"),
        P({"pain": "mechanical", "alignment": "de_novo_deformity"}, False, id="s9-D12-deformity"),
        P({"pain": "occasional_non_mechanical", "alignment": "normal"}, False, id="s9-D12-pain"),
        P({"pain": "mechanical"}, None, id="s9-D12-alignment-unknown"),
        P({"pain": "pain_free"}, False, id="s9-D12-pain-free"),
    ],
)
def test_s9_D12_optional_item_from_the_sins_answers(
    sins: dict[str, str], expected: bool | None
) -> None:
    assert noms.mechanical_pain_from_sins(sins) is expected


# --- §9.3 explanation ---------------------------------------------------------------------


def test_s9_3_explanation_names_inputs_sources_rule_and_disclaimer() -> None:
    s = noms.from_scores(
        "high_grade",
        "met_renal",
        "stable",
        True,
        sources={"neurologic": "ESCC 2", "mechanical": "SINS 5"},
    )
    text = "\n".join(s.explanation)
    assert "ESCC 2 → high grade" in text
    assert "SINS 5 → stable" in text
    assert "separation surgery, then SBRT" in text and "§9.1" in text
    assert s.explanation[-1] == "Decision support for the MDT — not a treatment order."


def test_s9_3_missing_inputs_are_named_not_guessed() -> None:
    s = noms.suggest(None, None, None, None)
    assert s.band is None
    assert s.missing == ("neurologic", "oncologic", "mechanical", "systemic")
    assert any("No suggestion yet" in line for line in s.explanation)
    s = noms.suggest("high_grade", "radioresistant", "stable", None)
    assert s.band is None and s.missing == ("systemic",)


def test_s9_3_flags_of_known_inputs_but_no_band_until_every_input_is_known() -> None:
    assert noms.suggest(None, None, "unstable", None).flags == ("stabilisation",)
    # rule 4 and §9.3 ("names them instead of guessing"): no band while one is missing,
    # even where the missing input would not change it
    s = noms.suggest(None, "radiosensitive", None, None)
    assert s.band is None and s.missing == ("neurologic", "mechanical", "systemic")
    s = noms.from_scores("high_grade", "met_renal", None, True)
    assert s.band is None and s.missing == ("mechanical",)


# --- §9.4 scope: metastases only (D16) ---------------------------------------------------


@pytest.mark.parametrize(
    "histology_key",
    [
        P("chordoma", id="s9.4-chordoma"),
        P("chondrosarcoma", id="s9.4-chondrosarcoma"),
        P("osteosarcoma", id="s9.4-osteosarcoma"),
        P("ewing_sarcoma", id="s9.4-ewing"),
        P("ependymoma", id="s9.4-primary-intradural"),
        P("meningioma", id="s9.4-meningioma"),
    ],
)
def test_s9_4_D16_primary_tumour_gets_no_noms_band(histology_key: str) -> None:
    s = noms.from_scores("high_grade", histology_key, "stable", True)
    assert (s.band, s.flags) == (None, ("primary_tumour_pathway",))
    text = " ".join(s.explanation)
    assert "NOMS does not apply" in text
    assert "Enneking" in text and "WBB" in text and "en bloc" in text
    assert "sarcoma service" in text
    assert "separation" not in text.lower()


def test_s9_4_issue_example_chordoma_and_renal() -> None:
    chordoma = noms.from_scores("high_grade", "chordoma", "stable", True)
    assert chordoma.band is None and chordoma.flags == ("primary_tumour_pathway",)
    renal = noms.from_scores("high_grade", "met_renal", "stable", True)
    assert renal.band == "separation_surgery_then_sbrt"


def test_s9_4_D16_case_disease_kind_decides() -> None:
    s = noms.from_scores("low_grade", "awaiting_biopsy", "stable", True, disease_kind="primary")
    assert (s.band, s.flags) == (None, ("primary_tumour_pathway",))
    s = noms.from_scores("high_grade", "met_renal", "stable", True, disease_kind="uncertain")
    assert s.band == "separation_surgery_then_sbrt"
    assert s.flags == ("disease_kind_uncertain",)
    s = noms.from_scores("low_grade", "met_breast", "unstable", False, disease_kind="uncertain")
    assert s.band == "cebrt"
    assert s.flags == ("disease_kind_uncertain", "not_fit_for_surgery", "stabilisation")


def test_s10_D13_unknown_histology_leaves_oncologic_missing_and_mdt_may_choose() -> None:
    s = noms.from_scores("low_grade", "met_unknown_primary", "stable", True)
    assert s.band is None and "oncologic" in s.missing
    s = noms.from_scores("low_grade", "met_urothelial", "stable", True, oncologic="radioresistant")
    assert s.band == "sbrt"


# --- §10 radiosensitivity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "cls"),
    [
        P("met_lymphoma", "radiosensitive", id="s10-lymphoma"),
        P("met_myeloma", "radiosensitive", id="s10-myeloma"),
        P("plasmacytoma", "radiosensitive", id="s10-plasmacytoma"),
        P("met_seminoma", "radiosensitive", id="s10-germ-cell"),
        P("met_lung_sclc", "radiosensitive", id="s10-small-cell"),
        P("met_breast", "radiosensitive", id="s10-D13-breast"),
        P("met_prostate", "radiosensitive", id="s10-D13-prostate"),
        P("met_ovarian", "radiosensitive", id="s10-D13-ovarian"),
        P("met_neuroendocrine", "radiosensitive", id="s10-D13-neuroendocrine"),
        P("ewing_sarcoma", "radiosensitive", id="s10-D18-ewing"),
        P("met_renal", "radioresistant", id="s10-renal"),
        P("met_melanoma", "radioresistant", id="s10-melanoma"),
        P("met_sarcoma", "radioresistant", id="s10-sarcoma"),
        P("chordoma", "radioresistant", id="s10-chordoma"),
        P("chondrosarcoma", "radioresistant", id="s10-chondrosarcoma"),
        P("osteosarcoma", "radioresistant", id="s10-osteosarcoma"),
        P("met_lung_nsclc", "radioresistant", id="s10-D13-nsclc"),
        P("met_colorectal", "radioresistant", id="s10-D13-colorectal"),
        P("met_gastro_oesophageal", "radioresistant", id="s10-D13-stomach-oesophagus"),
        P("met_pancreatic", "radioresistant", id="s10-D13-pancreas"),
        P("met_biliary", "radioresistant", id="s10-D13-biliary"),
        P("met_thyroid", "radioresistant", id="s10-thyroid"),
        P("met_hepatocellular", "radioresistant", id="s10-hepatocellular"),
        P("met_unknown_primary", None, id="s10-unknown-primary"),
        P("met_urothelial", None, id="s10-urothelial"),
        P("met_cervical", None, id="s10-cervical"),
        P("awaiting_biopsy", None, id="s10-unconfirmed"),
    ],
)
def test_s10_radiosensitivity_class(key: str, cls: str | None) -> None:
    assert radiosensitivity_for_histology(key) == cls


def test_s10_D18_ewing_is_radiosensitive_but_outside_noms() -> None:
    s = noms.from_scores("high_grade", "ewing_sarcoma", "stable", True)
    assert s.band is None
    assert any("radiosensitive" in line for line in s.explanation)  # the class is shown


# --- §11 recognising suspected MSCC (NG234 §1.2, D19) ----------------------------------


@pytest.mark.parametrize(
    ("flags", "urgency"),
    [
        # known cancer + any neurological symptom → mscc; spinal pain not required
        P({"cancer_history", "radicular_pain"}, Urgency.MSCC, id="D19-cancer-radicular"),
        P({"cancer_history", "limb_weakness"}, Urgency.MSCC, id="D19-cancer-weakness"),
        P({"cancer_history", "gait_disturbance"}, Urgency.MSCC, id="D19-cancer-gait"),
        P({"cancer_history", "sensory_level"}, Urgency.MSCC, id="D19-cancer-sensory"),
        P({"cancer_history", "bladder_dysfunction"}, Urgency.MSCC, id="D19-cancer-bladder"),
        P({"cancer_history", "bowel_dysfunction"}, Urgency.MSCC, id="D19-cancer-bowel"),
        P({"cancer_history", "neuro_signs"}, Urgency.MSCC, id="D19-cancer-signs"),
        P(
            {"cancer_history", "night_pain", "limb_weakness"},
            Urgency.MSCC,
            id="D19-cancer-pain-weakness",
        ),
        # tumour-type spinal pain + any neurological symptom → mscc without known cancer
        P({"night_pain", "limb_weakness"}, Urgency.MSCC, id="D19-tumour-pain-weakness"),
        P({"band_like_pain", "sensory_level"}, Urgency.MSCC, id="D19-thoracic-pain-sensory"),
        P({"progressive_pain", "radicular_pain"}, Urgency.MSCC, id="D19-tumour-pain-radicular"),
        # cauda equina symptoms alone → mscc
        P({"saddle_anaesthesia"}, Urgency.MSCC, id="D19-cauda-saddle"),
        P({"bladder_dysfunction"}, Urgency.MSCC, id="D19-cauda-bladder"),
        P({"saddle_anaesthesia", "bowel_dysfunction"}, Urgency.MSCC, id="D19-cauda-two"),
        # known cancer + tumour-type pain, no neurology → urgent
        P({"cancer_history", "night_pain"}, Urgency.URGENT, id="D19-cancer-pain-urgent"),
        P({"cancer_history", "progressive_pain"}, Urgency.URGENT, id="D19-cancer-progressive"),
        P(
            {"cancer_history", "midline_tenderness"},
            Urgency.URGENT,
            id="D19-cancer-tenderness",
        ),
        # no red flags
        P(set(), Urgency.ROUTINE, id="D19-none"),
    ],
)
def test_s11_D19_recognising_suspected_mscc(flags: set[str], urgency: Urgency) -> None:
    s = mscc.suggest_urgency(flags)
    assert s.urgency == urgency and s.reasons


def test_s11_D19_reasons_name_the_rule_and_the_flags() -> None:
    s = mscc.suggest_urgency({"cancer_history", "radicular_pain"})
    assert "NG234" in s.reasons[0] and "spinal pain is not required" in s.reasons[0]
    assert "Radicular pain" in s.reasons
    with pytest.raises(ValueError, match="sore_toe"):
        mscc.suggest_urgency({"sore_toe"})


@pytest.mark.parametrize(
    ("flags", "deficit", "neuro"),
    [
        P({"radicular_pain"}, False, True, id="s11-radicular-is-neurology"),
        P({"night_pain", "cancer_history"}, False, False, id="s11-pain-only"),
        P(set(), True, True, id="s11-recorded-deficit"),
    ],
)
def test_s11_neurological_symptoms_or_signs(flags: set[str], deficit: bool, neuro: bool) -> None:
    assert mscc.has_neurology(flags, deficit) is neuro


# --- §11 clocks (QS56, D14) ---------------------------------------------------------------


def clocks(**kw: object) -> dict[str, mscc.Clock]:
    args = {
        "suspected_at": None,
        "mri_at": None,
        "plan_at": None,
        "treatment_at": None,
        "now": NOW,
        "neuro_deficit": True,
    }
    args.update(kw)
    return {c.key: c for c in mscc.mscc_clocks(**args)}  # type: ignore[arg-type]


def test_s11_clock_keys_and_fields() -> None:
    got = mscc.mscc_clocks(NOW - 2 * H, None, None, None, NOW, True)
    assert [c.key for c in got] == [
        "suspicion_to_mri",
        "suspicion_to_plan",
        "decision_to_treatment",
    ]
    for c in got:
        assert {"key", "start", "end", "target", "elapsed", "state"} <= set(vars(c))


@pytest.mark.parametrize(
    ("neuro", "target"),
    [
        P(True, timedelta(hours=24), id="s11-QS56-3-with-neurology-24h"),
        P(False, timedelta(weeks=1), id="s11-QS56-2-without-neurology-1-week"),
    ],
)
def test_s11_suspicion_clocks_targets(neuro: bool, target: timedelta) -> None:
    c = clocks(suspected_at=NOW - H, neuro_deficit=neuro)
    assert c["suspicion_to_mri"].target == target
    assert c["suspicion_to_plan"].target == target  # the same hours as the MRI


def test_s11_plan_counts_from_the_suspicion_not_the_mri() -> None:
    # suspected 30 h ago, MRI 10 h ago (20 h after the suspicion), plan now
    c = clocks(suspected_at=NOW - 30 * H, mri_at=NOW - 10 * H, plan_at=NOW)
    assert (c["suspicion_to_mri"].elapsed, c["suspicion_to_mri"].state) == (20 * H, "met")
    # the plan came 10 h after the scan, but 30 h after the suspicion: breached
    assert (c["suspicion_to_plan"].elapsed, c["suspicion_to_plan"].state) == (30 * H, "breached")


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        P(timedelta(hours=24), "met", id="s11-boundary-exactly-24h-met"),
        P(timedelta(hours=24, seconds=1), "breached", id="s11-24h-plus-1s-breached"),
        P(timedelta(hours=3), "met", id="s11-3h-met"),
    ],
)
def test_s11_boundary_exactly_24h_is_met(elapsed: timedelta, state: str) -> None:
    c = clocks(suspected_at=NOW - elapsed, mri_at=NOW, plan_at=NOW)
    assert c["suspicion_to_mri"].state == state
    assert c["suspicion_to_plan"].state == state


@pytest.mark.parametrize(
    ("kw", "key", "state"),
    [
        P({}, "suspicion_to_mri", "not_started", id="s11-state-not_started"),
        P({"suspected_at": NOW - 5 * H}, "suspicion_to_mri", "running", id="s11-state-running"),
        P(
            {"suspected_at": NOW - 24 * H},
            "suspicion_to_mri",
            "running",
            id="s11-state-running-at-24h",
        ),
        P(
            {"suspected_at": NOW - 25 * H},
            "suspicion_to_plan",
            "overdue_running",
            id="s11-state-overdue_running",
        ),
        P(
            {"suspected_at": NOW - 5 * H, "mri_at": NOW - 6 * H},
            "suspicion_to_mri",
            "out_of_order",
            id="s11-state-out_of_order",
        ),
        P(
            {"suspected_at": NOW - 50 * H, "mri_at": NOW - 20 * H},
            "suspicion_to_mri",
            "breached",
            id="s11-state-breached",
        ),
        P(
            {"suspected_at": NOW - 6 * 24 * H, "mri_at": NOW, "neuro_deficit": False},
            "suspicion_to_mri",
            "met",
            id="s11-QS56-2-six-days-met",
        ),
    ],
)
def test_s11_clock_states(kw: dict[str, object], key: str, state: str) -> None:
    c = clocks(**kw)[key]
    assert c.state == state
    if state == "out_of_order":
        assert c.elapsed is None


@pytest.mark.parametrize(
    ("for_surgery", "label", "state"),
    [
        P(False, "radiotherapy", "met", id="s11-QS56-6-radiotherapy-24h"),
        P(None, "radiotherapy", "met", id="s11-QS56-6-not-for-surgery"),
        P(True, "surgery", "met", id="s11-surgery-local-default"),
    ],
)
def test_s11_decision_to_treatment(for_surgery: bool | None, label: str, state: str) -> None:
    c = clocks(
        suspected_at=NOW - 40 * H,
        plan_at=NOW - 24 * H,
        treatment_at=NOW,
        for_surgery=for_surgery,
    )["decision_to_treatment"]
    assert c.target == timedelta(hours=24) and label in c.label.lower()
    assert (c.elapsed, c.state) == (24 * H, state)
    late = clocks(plan_at=NOW - 25 * H, for_surgery=for_surgery)["decision_to_treatment"]
    assert late.state == "overdue_running"


def test_s11_surgery_target_is_a_local_setting() -> None:
    standards = mscc.Standards(surgery_after_decision=timedelta(hours=48))
    got = mscc.mscc_clocks(None, None, NOW - 30 * H, None, NOW, True, True, standards)
    c = {c.key: c for c in got}["decision_to_treatment"]
    assert c.state == "running" and c.source == "local default"


def test_s11_mri_to_plan_is_information_only() -> None:
    got = mscc.mscc_clocks(NOW - 30 * H, NOW - 20 * H, NOW - 15 * H, None, NOW, True)
    info = mscc.mri_to_plan(got, NOW)
    assert info.elapsed == 5 * H
    assert info.left_after_scan == 14 * H  # 24 h less the 10 h to the scan
    assert "mri_to_plan" not in {c.key for c in got}


def test_s11_clocks_refuse_naive_times() -> None:
    with pytest.raises(ValueError, match="suspected_at"):
        mscc.mscc_clocks(datetime(2026, 1, 1), None, None, None, NOW, True)
    plus_one = timezone(timedelta(hours=1))
    mscc.mscc_clocks(datetime(2026, 1, 1, tzinfo=plus_one), None, None, None, NOW, True)


# --- §11 dexamethasone (NG234 §1.8) ------------------------------------------------------


def test_s11_dexamethasone_recorded_or_omission_justified() -> None:
    assert mscc.dexamethasone_problems(True, True, None, "")
    assert mscc.dexamethasone_problems(True, True, NOW, "") == ()
    assert mscc.dexamethasone_problems(True, True, None, "Suspected lymphoma awaiting biopsy") == ()
    assert mscc.dexamethasone_problems(True, False, None, "") == ()  # without neurology
    assert mscc.dexamethasone_problems(False, True, None, "") == ()


def test_s11_prompts_follow_the_2023_wording() -> None:
    with_neuro = " ".join(mscc.mscc_prompts(True))
    assert "within 24 hours of the suspected diagnosis" in with_neuro
    assert "16 mg" in with_neuro and "NG234" in with_neuro
    assert "of the MRI" not in with_neuro  # the CG75-era framing is gone
    assert "1 week" in " ".join(mscc.mscc_prompts(False))


# --- D20 plan-level dose checks ---------------------------------------------------------


def problems(*mods: tuple[str, dict[str, object]], intent: str = "palliative") -> list[str]:
    plan = [{"kind": k, "details": d} for k, d in mods]
    return sorted(f"{p.severity}:{p.field}" for p in treatments.validate_plan(intent, plan))


@pytest.mark.parametrize(
    ("mods", "expected"),
    [
        P([("dexamethasone", {"dose_mg": 16})], [], id="D20-dexamethasone-16mg"),
        P(
            [("dexamethasone", {"dose_mg": 24})],
            ["warning:dose_mg"],
            id="D20-dexamethasone-above-16mg",
        ),
        P([("cebrt", {"dose_gy": 8, "fractions": 1})], [], id="D20-cebrt-8Gy-x1"),
        P(
            [("cebrt", {"dose_gy": 16, "fractions": 1})],
            ["warning:dose_gy"],
            id="D20-cebrt-above-8Gy-per-fraction",
        ),
        P([("cebrt", {"dose_gy": 20, "fractions": 5})], [], id="D20-cebrt-20Gy-5"),
        P([("cebrt", {"dose_gy": 74, "fractions": 37})], [], id="D20-cebrt-37-fractions"),
        P([("cebrt", {"dose_gy": 81, "fractions": 45})], [], id="D20-cebrt-45-fractions"),
        P(
            [("cebrt", {"dose_gy": 80, "fractions": 46})],
            ["error:fractions"],
            id="D20-cebrt-46-fractions",
        ),
        P(
            [("particle_therapy", {"particle": "protons", "dose_gy": 74, "fractions": 37})],
            [],
            id="D20-particle-chordoma-course",
        ),
        P(
            [("particle_therapy", {"particle": "carbon_ions", "dose_gy": 70.4, "fractions": 16})],
            [],
            id="D20-particle-carbon",
        ),
        P(
            [("particle_therapy", {"particle": "protons", "dose_gy": 74, "fractions": 46})],
            ["error:fractions"],
            id="D20-particle-46-fractions",
        ),
        P(
            [("particle_therapy", {"dose_gy": 74, "fractions": 37})],
            ["error:particle"],
            id="D20-particle-needs-particle",
        ),
        P([("sbrt", {"dose_gy": 27, "fractions": 3})], [], id="D20-sbrt-stays"),
        P([("sbrt", {"dose_gy": 30, "fractions": 6})], ["error:fractions"], id="D20-sbrt-1-5"),
        P([("sbrt", {"dose_gy": 30, "fractions": 1})], ["warning:dose_gy"], id="D20-sbrt-24Gy"),
    ],
)
def test_D20_plan_dose_checks(
    mods: list[tuple[str, dict[str, object]]], expected: list[str]
) -> None:
    assert problems(*mods) == expected


def test_D20_dexamethasone_warning_names_ng234_and_particle_dose_in_gy_rbe() -> None:
    plan = [{"kind": "dexamethasone", "details": {"dose_mg": 32}}]
    (problem,) = treatments.validate_plan("palliative", plan)
    assert "NG234" in problem.message and problem.severity == "warning"
    kind = treatments.MODALITY_KINDS["particle_therapy"]
    dose = next(f for f in kind.fields if f.key == "dose_gy")
    assert dose.unit == "Gy(RBE)"
    assert (
        treatments.describe_modality(
            "particle_therapy", {"particle": "protons", "dose_gy": 74, "fractions": 37}
        )
        == "Proton therapy 74 Gy(RBE) in 37 fractions"
    )


# --- §12.1 Enneking ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "malignant", "compartment"),
    [
        P("s1", False, None, id="s12.1-s1"),
        P("s2", False, None, id="s12.1-s2"),
        P("s3", False, None, id="s12.1-s3"),
        P("ia", True, "intra", id="s12.1-ia"),
        P("ib", True, "extra", id="s12.1-ib"),
        P("iia", True, "intra", id="s12.1-iia"),
        P("iib", True, "extra", id="s12.1-iib"),
        P("iiia", True, "intra", id="s12.1-iiia"),
        P("iiib", True, "extra", id="s12.1-iiib"),
    ],
)
def test_s12_1_enneking_stages(key: str, malignant: bool, compartment: str | None) -> None:
    stage = staging.STAGES[key]
    assert (stage.malignant, stage.compartment) == (malignant, compartment)
    r = staging.evaluate_staging(
        {"enneking": key, "zones": [5], "layers": ["b"], "en_bloc": "feasible"}
    )
    assert r.band == key and r.complete


def test_s12_1_stage_iii_is_split() -> None:
    assert [s.key for s in staging.ENNEKING] == [
        "s1",
        "s2",
        "s3",
        "ia",
        "ib",
        "iia",
        "iib",
        "iiia",
        "iiib",
    ]
    with pytest.raises(ValueError, match="enneking"):
        staging.evaluate_staging({"enneking": "iii"})


def test_s12_1_epidural_extension_is_extracompartmental() -> None:
    r = staging.evaluate_staging(
        {"enneking": "iia", "zones": [5, 6], "layers": ["b", "d"], "en_bloc": "feasible"}
    )
    assert r.warnings and "extracompartmental" in r.warnings[0]
    r = staging.evaluate_staging(
        {"enneking": "iib", "zones": [5, 6], "layers": ["b", "d"], "en_bloc": "feasible"}
    )
    assert r.warnings == ()


# --- §12.2 WBB -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zones", "reading"),
    [
        P({4, 5, 6, 7, 8}, "vertebrectomy", id="s12.2-zones-4-8-vertebrectomy"),
        P({5, 6, 7, 8, 9}, "vertebrectomy", id="s12.2-zones-5-9-vertebrectomy"),
        P({3, 4, 5}, "sagittal", id="s12.2-zones-3-5-sagittal"),
        P({8, 9, 10}, "sagittal", id="s12.2-zones-8-10-sagittal"),
        P({10, 11, 12, 1, 2, 3}, "posterior arch", id="s12.2-zones-10-3-posterior-arch"),
        P({11, 12, 1}, "posterior arch", id="s12.2-within-10-3"),
    ],
)
def test_s12_2_wbb_planning_reading(zones: set[int], reading: str) -> None:
    assert any(reading in text for text in staging.wbb_readings(zones))


def test_s12_2_zones_beyond_one_resection_have_no_typical_reading() -> None:
    assert staging.wbb_readings({2, 5, 8}) == ()
    r = staging.evaluate_staging(
        {"enneking": "iib", "zones": [2, 5, 8], "layers": ["b"], "en_bloc": "undecided"}
    )
    assert r.readings == () and r.warnings


def test_s12_2_zones_layers_and_their_keys() -> None:
    assert tuple(range(1, 13)) == staging.ZONES
    assert staging.LAYER_KEYS == ("a", "b", "c", "d", "e")
    assert dict(staging.LAYERS)["d"] == "extraosseous extradural (epidural)"
    body = {z for z, part in staging.ZONE_PARTS.items() if part == "vertebral body"}
    assert body == {4, 5, 6, 7, 8, 9}  # zones 4–9 cover the vertebral body
    assert {3, 4, 9, 10} == staging.PEDICLE_ZONES
    for bad in ({"zones": [13]}, {"zones": [0]}, {"layers": ["f"]}, {"cells": ["13a"]}):
        key = next(iter(bad))
        with pytest.raises(ValueError, match=key):
            staging.evaluate_staging(bad)


def test_s12_2_drawn_cells_give_the_zones_and_layers() -> None:
    r = staging.clean({"cells": ["5b", "4b", "5d"]})
    assert r == {"cells": ["4b", "5b", "5d"], "zones": [4, 5], "layers": ["b", "d"]}
    with pytest.raises(ValueError, match="zones"):
        staging.clean({"cells": ["5b"], "zones": [6]})


def test_s12_record_is_complete_with_stage_zones_layers_and_en_bloc() -> None:
    r = staging.evaluate_staging({"enneking": "s3"})
    assert not r.complete and r.missing == ("zones", "layers", "en_bloc") and r.band is None


# --- §12.3 WHO CNS5 grades ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "grades"),
    [
        P("ependymoma", ("2", "3"), id="s12.3-ependymoma"),
        P("ependymoma_mycn", (), id="s12.3-mycn-as-reported"),
        P("myxopapillary_ependymoma", ("2",), id="s12.3-myxopapillary-2"),
        P("subependymoma", ("1",), id="s12.3-subependymoma"),
        P("pilocytic_astrocytoma", ("1",), id="s12.3-pilocytic"),
        P("diffuse_midline_glioma", ("4",), id="s12.3-dmg"),
        P("meningioma", ("1", "2", "3"), id="s12.3-meningioma"),
        P("clear_cell_meningioma", ("2",), id="s12.3-clear-cell"),
        P("schwannoma", ("1",), id="s12.3-schwannoma"),
        P("neurofibroma", ("1",), id="s12.3-neurofibroma"),
        P("haemangioblastoma", ("1",), id="s12.3-haemangioblastoma"),
    ],
)
def test_s12_3_who_cns5_grades(key: str, grades: tuple[str, ...]) -> None:
    assert histology.get(key).who_grades == grades


@pytest.mark.parametrize(
    ("key", "text"),
    [
        P("ependymoma", "CNS WHO grade 2 or 3", id="s12.3-shown-ependymoma"),
        P("myxopapillary_ependymoma", "CNS WHO grade 2", id="s12.3-shown-myxopapillary"),
        P("meningioma", "CNS WHO grade 1, 2 or 3", id="s12.3-shown-meningioma"),
        P(
            "ependymoma_mycn",
            "CNS WHO grade: record it as the pathology report gives it",
            id="s12.3-shown-mycn",
        ),
        P("chordoma", "", id="s12.3-not-a-cns-tumour"),
    ],
)
def test_s12_3_grades_written_as_cns5_writes_them(key: str, text: str) -> None:
    assert histology.who_grade_text(key) == text
