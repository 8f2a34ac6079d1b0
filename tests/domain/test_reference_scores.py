"""reference/scores.md "How to use" and §1–§8, row by row.

Every expected value below is transcribed from the reference text (its
section is in the test's name and the parameter ids), never produced by
running the engine. docs/clinical-rules.md maps each row of the reference
to these tests; tests/test_traceability.py checks that map.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdtboard.domain.scores import (
    TOOLS,
    ScoreInputError,
    answers_from_histology,
    conversion_note,
    describe_band,
    ecog_to_kps_proposal,
    ecog_to_kps_range,
    evaluate,
    kps_to_ecog,
    sins_location_for_level,
    sins_location_for_levels,
)

P = pytest.param

# --- How to use, rule 1: the keys -------------------------------------------------------

#: tool id → item key → option keys (None: a numeric item), from the reference tables
KEYS: dict[str, dict[str, tuple[str, ...] | None]] = {
    "sins": {
        "location": ("junctional", "mobile", "semi_rigid", "rigid"),
        "pain": ("mechanical", "occasional_non_mechanical", "pain_free"),
        "bone_lesion": ("lytic", "mixed", "blastic"),
        "alignment": ("subluxation_translation", "de_novo_deformity", "normal"),
        "collapse": ("over_50", "under_50", "none_over_50_involved", "none"),
        "posterolateral": ("bilateral", "unilateral", "none"),
    },
    "escc": {"grade": ("0", "1a", "1b", "1c", "2", "3")},
    "tokuhashi_revised": {
        "kps": None,
        "extraspinal_bone_mets": ("three_or_more", "one_or_two", "none"),
        "vertebral_body_mets": ("three_or_more", "two", "one"),
        "visceral_mets": ("unremovable", "removable", "none"),
        "primary_site": (
            "lung",
            "osteosarcoma",
            "stomach",
            "bladder",
            "oesophagus",
            "pancreas",
            "liver",
            "gallbladder",
            "unidentified",
            "other",
            "kidney",
            "uterus",
            "rectum",
            "thyroid",
            "breast",
            "prostate",
            "carcinoid",
        ),
        "palsy": ("a", "b", "c", "d", "e"),
    },
    "tomita": {
        "primary_growth": ("slow", "moderate", "rapid"),
        "visceral_mets": ("none", "treatable", "untreatable"),
        "bone_mets": ("solitary", "multiple"),
    },
    "bauer_modified": {
        "no_visceral_mets": ("yes", "no"),
        "primary_not_lung": ("yes", "no"),
        "primary_favourable": ("yes", "no"),
        "solitary_skeletal_met": ("yes", "no"),
    },
    "nesms": {
        "modified_bauer": None,
        "ambulation": ("independent", "dependent"),
        "albumin_g_dl": None,
    },
    "kps": {"kps": None},
    "ecog": {"grade": ("0", "1", "2", "3", "4", "5")},
    "frankel": {"grade": ("a", "b", "c", "d", "e")},
    "asia": {"grade": ("a", "b", "c", "d", "e")},
    "mccormick": {"grade": ("i", "ii", "iii", "iv")},
    "noms": {
        "neurologic": ("low_grade", "borderline", "high_grade"),
        "oncologic": ("radiosensitive", "radioresistant"),
        "mechanical": ("stable", "indeterminate", "unstable"),
        "systemic": ("fit_for_surgery", "not_fit_for_surgery"),
        "mechanical_pain_without_deformity": ("yes", "no"),
    },
}
#: tool id → band ids, from the reference band tables (grade tools: the option keys)
BANDS: dict[str, tuple[str, ...]] = {
    "sins": ("stable", "indeterminate", "unstable"),
    "escc": ("low_grade", "borderline", "high_grade"),
    "tokuhashi_revised": ("lt_6_months", "ge_6_months", "ge_1_year"),
    "tomita": (
        "wide_or_marginal_excision",
        "marginal_or_intralesional_excision",
        "palliative_surgery",
        "supportive_care",
    ),
    "bauer_modified": ("poor", "intermediate", "good"),
    "nesms": ("nesms_0", "nesms_1", "nesms_2", "nesms_3"),
    "kps": ("normal_activity", "unable_to_work", "unable_self_care", "dead"),
    "ecog": (
        "fully_active",
        "restricted",
        "ambulatory_self_care",
        "limited_self_care",
        "completely_disabled",
        "dead",
    ),
    "frankel": ("a", "b", "c", "d", "e"),
    "asia": ("a", "b", "c", "d", "e"),
    "mccormick": ("i", "ii", "iii", "iv"),
    "noms": ("cebrt", "sbrt", "separation_surgery_then_sbrt"),
}


def test_use_rule1_registry_holds_exactly_the_reference_keys() -> None:
    assert set(TOOLS) == set(KEYS)
    for tool_id, items in KEYS.items():
        tool = TOOLS[tool_id]
        assert [i.key for i in tool.items] == list(items), tool_id  # declared order
        for key, options in items.items():
            item = tool.item(key)
            assert item is not None
            if options is None:
                assert item.kind == "number", key
            else:
                assert {o.key for o in item.options} == set(options), key
        assert {b.id for b in tool.bands} == set(BANDS[tool_id]), tool_id


def test_use_registry_declares_labels_meanings_and_citations() -> None:
    """The TOOLS registry: labels, help, bands with meaning, citations (How to use)."""
    for tool in TOOLS.values():
        assert tool.label and tool.citation and tool.description
        for item in tool.items:
            assert item.label
        for band in tool.bands:
            assert band.label and band.meaning, (tool.id, band.id)


# --- How to use, rules 2 and 3: answer types and errors ------------------------------


@pytest.mark.parametrize(
    ("tool", "answers", "key"),
    [
        P("nope", {}, "nope", id="rule3-unknown-tool"),
        P("sins", {"colour": "red"}, "colour", id="rule3-unknown-item"),
        P("sins", {"pain": "agony"}, "pain", id="rule3-unknown-option"),
        P("sins", {"pain": 3}, "pain", id="rule3-option-wrong-type"),
        P("ecog", {"grade": 2}, "grade", id="rule2-option-as-int"),
        P("escc", {"grade": 2}, "grade", id="rule2-escc-grade-as-int"),
        P("escc", {"grade": "4"}, "grade", id="rule3-escc-grade-4"),
        P("kps", {"kps": 105}, "kps", id="rule3-above-maximum"),
        P("kps", {"kps": -10}, "kps", id="rule3-below-minimum"),
        P("kps", {"kps": 75}, "kps", id="rule3-off-step"),
        P("kps", {"kps": "90"}, "kps", id="rule2-numeric-string"),
        P("kps", {"kps": True}, "kps", id="rule2-bool-not-a-number"),
        P("tokuhashi_revised", {"kps": 0}, "kps", id="D4-tokuhashi-kps-0"),
        P("nesms", {"albumin_g_dl": 35.0}, "albumin_g_dl", id="D8-albumin-g-per-l"),
        P("nesms", {"albumin_g_dl": 0.9}, "albumin_g_dl", id="D8-albumin-below-1"),
        P("nesms", {"modified_bauer": 5}, "modified_bauer", id="s6-bauer-above-4"),
        P("nesms", {"modified_bauer": 2.5}, "modified_bauer", id="s6-bauer-off-step"),
        P("noms", {"systemic": "fit"}, "systemic", id="rule3-noms-option"),
        P("mccormick", {"grade": "v"}, "grade", id="D10-mccormick-v"),
        P("frankel", {"grade": "A"}, "grade", id="rule1-lowercase-keys"),
    ],
)
def test_use_rule3_bad_answers_raise_value_error_naming_the_key(
    tool: str, answers: dict[str, object], key: str
) -> None:
    with pytest.raises(ValueError, match=key):
        evaluate(tool, answers)


def test_use_rule3_validation_comes_before_completeness() -> None:
    with pytest.raises(ValueError, match="pain"):
        evaluate("sins", {"pain": "agony"})  # five items still missing
    with pytest.raises(ScoreInputError, match="kps"):
        evaluate("tokuhashi_revised", {"kps": 75})


@pytest.mark.parametrize(
    ("tool", "answers"),
    [
        P("escc", {"grade": "0"}, id="rule2-escc-0"),
        P("escc", {"grade": "1a"}, id="rule2-escc-1a"),
        P("frankel", {"grade": "e"}, id="rule2-frankel-e"),
        P("mccormick", {"grade": "ii"}, id="rule2-mccormick-ii"),
        P("kps", {"kps": 90}, id="rule2-int"),
        P("kps", {"kps": 90.0}, id="rule2-float"),
    ],
)
def test_use_rule2_answers_of_the_right_type_are_taken(
    tool: str, answers: dict[str, object]
) -> None:
    assert evaluate(tool, answers).complete


# --- How to use, rules 4–6: missing items, flags, totals -------------------------------


def test_use_rule4_missing_items_are_listed_in_declared_order() -> None:
    r = evaluate("sins", {"pain": "mechanical", "location": "mobile", "collapse": None})
    assert (r.complete, r.total, r.band) == (False, None, None)
    assert r.missing == ("bone_lesion", "alignment", "collapse", "posterolateral")
    r = evaluate("tomita", {"primary_growth": None})
    assert r.missing == ("primary_growth", "visceral_mets", "bone_mets")
    r = evaluate("escc", {})
    assert (r.complete, r.band, r.missing) == (False, None, ("grade",))


def test_use_rule4_optional_noms_item_never_missing() -> None:
    full = {
        "neurologic": "low_grade",
        "oncologic": "radioresistant",
        "mechanical": "stable",
        "systemic": "fit_for_surgery",
    }
    r = evaluate("noms", full)
    assert r.complete and r.missing == () and r.band == "sbrt"
    r = evaluate("noms", {"mechanical_pain_without_deformity": "yes"})
    assert r.missing == ("neurologic", "oncologic", "mechanical", "systemic")


def test_use_rule5_only_sins_and_noms_have_flags() -> None:
    assert (
        evaluate(
            "tomita",
            {"primary_growth": "rapid", "visceral_mets": "untreatable", "bone_mets": "multiple"},
        ).flags
        == ()
    )
    assert evaluate("kps", {"kps": 0}).flags == ()
    assert evaluate("escc", {"grade": "3"}).flags == ()


def test_use_rule5_incomplete_flags_from_answered_items_only() -> None:
    # NOMS: stabilisation once mechanical is known (the reference's example)
    assert evaluate("noms", {"mechanical": "unstable"}).flags == ("stabilisation",)
    # SINS: surgical_consultation depends on the total, so not while incomplete
    r = evaluate(
        "sins",
        {
            "location": "junctional",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "subluxation_translation",
        },
    )
    assert not r.complete and r.flags == ()


def test_use_rule6_grade_only_tools_have_no_total() -> None:
    for tool, answers in (
        ("escc", {"grade": "2"}),
        ("frankel", {"grade": "c"}),
        ("asia", {"grade": "d"}),
        ("mccormick", {"grade": "iii"}),
        (
            "noms",
            {
                "neurologic": "high_grade",
                "oncologic": "radioresistant",
                "mechanical": "stable",
                "systemic": "fit_for_surgery",
            },
        ),
    ):
        assert evaluate(tool, answers).total is None, tool


# --- §1 SINS ------------------------------------------------------------------------------

#: §1 table: (item, option) → points
SINS_POINTS = {
    ("location", "junctional"): 3,
    ("location", "mobile"): 2,
    ("location", "semi_rigid"): 1,
    ("location", "rigid"): 0,
    ("pain", "mechanical"): 3,
    ("pain", "occasional_non_mechanical"): 1,
    ("pain", "pain_free"): 0,
    ("bone_lesion", "lytic"): 2,
    ("bone_lesion", "mixed"): 1,
    ("bone_lesion", "blastic"): 0,
    ("alignment", "subluxation_translation"): 4,
    ("alignment", "de_novo_deformity"): 2,
    ("alignment", "normal"): 0,
    ("collapse", "over_50"): 3,
    ("collapse", "under_50"): 2,
    ("collapse", "none_over_50_involved"): 1,
    ("collapse", "none"): 0,
    ("posterolateral", "bilateral"): 3,
    ("posterolateral", "unilateral"): 1,
    ("posterolateral", "none"): 0,
}
#: all-zero SINS answers (total 0), from the §1 table
SINS_ZERO = {
    "location": "rigid",
    "pain": "pain_free",
    "bone_lesion": "blastic",
    "alignment": "normal",
    "collapse": "none",
    "posterolateral": "none",
}


@pytest.mark.parametrize(
    ("item", "option", "points"),
    [P(i, o, p, id=f"s1-{i}-{o}") for (i, o), p in SINS_POINTS.items()],
)
def test_s1_sins_option_points(item: str, option: str, points: int) -> None:
    r = evaluate("sins", {**SINS_ZERO, item: option})
    assert r.item_points[item] == points
    assert r.total == points  # every other item scores 0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        P(0, "stable", id="s1-stable-0"),
        P(6, "stable", id="s1-stable-6"),
        P(7, "indeterminate", id="s1-indeterminate-7"),
        P(12, "indeterminate", id="s1-indeterminate-12"),
        P(13, "unstable", id="s1-unstable-13"),
        P(18, "unstable", id="s1-unstable-18"),
    ],
)
def test_s1_sins_bands_and_D2_surgical_consultation(total: int, band: str) -> None:
    by_item: dict[str, list[tuple[str, int]]] = {}
    for (item, option), points in SINS_POINTS.items():
        by_item.setdefault(item, []).append((option, points))
    for combo in itertools.product(*by_item.values()):
        if sum(p for _, p in combo) == total:
            answers = dict(zip(by_item, (o for o, _ in combo), strict=True))
            break
    r = evaluate("sins", answers)
    assert (r.total, r.band) == (total, band)
    assert r.flags == (("surgical_consultation",) if total >= 7 else ())


@pytest.mark.parametrize(
    ("level", "location"),
    [
        P("C0", "junctional", id="s1.1-C0"),
        P("OCCIPUT", "junctional", id="s1.1-OCCIPUT"),
        P("occiput", "junctional", id="s1.1-occiput-lower"),
        P("C1", "junctional", id="s1.1-C1"),
        P("C2", "junctional", id="s1.1-C2"),
        P("C3", "mobile", id="s1.1-C3"),
        P("C4", "mobile", id="s1.1-C4"),
        P("C5", "mobile", id="s1.1-C5"),
        P("C6", "mobile", id="s1.1-C6"),
        P("C7", "junctional", id="s1.1-C7"),
        P("T1", "junctional", id="s1.1-T1"),
        P("T2", "junctional", id="s1.1-T2"),
        P("T3", "semi_rigid", id="s1.1-T3"),
        P("T7", "semi_rigid", id="s1.1-T7"),
        P("T10", "semi_rigid", id="s1.1-T10"),
        P("T11", "junctional", id="s1.1-T11"),
        P("T12", "junctional", id="s1.1-T12"),
        P("L1", "junctional", id="s1.1-L1"),
        P("L2", "mobile", id="s1.1-L2"),
        P("L3", "mobile", id="s1.1-L3"),
        P("L4", "mobile", id="s1.1-L4"),
        P("L5", "junctional", id="s1.1-L5"),
        P("S1", "junctional", id="s1.1-S1"),
        P("S2", "rigid", id="s1.1-S2"),
        P("S3", "rigid", id="s1.1-S3"),
        P("S5", "rigid", id="s1.1-S5"),
        P("COCCYX", "rigid", id="s1.1-COCCYX"),
        # the reference's examples
        P("T12", "junctional", id="s1.1-example-T12"),
        P("t7", "semi_rigid", id="s1.1-example-t7"),
        P(" L3 ", "mobile", id="s1.1-trimmed"),
    ],
)
def test_s1_1_sins_location_from_level(level: str, location: str) -> None:
    assert sins_location_for_level(level) == location


@pytest.mark.parametrize(
    "level", ["T13", "L6", "C8", "S6", "X1", "", "T 12", "T01", "OCC", "CO", "C00", "CX"]
)
def test_s1_1_unknown_level_raises(level: str) -> None:
    with pytest.raises(ValueError):
        sins_location_for_level(level)


def test_s1_D1_lesion_across_a_boundary_takes_the_highest_region() -> None:
    assert sins_location_for_levels(["T10", "T11"]) == "junctional"  # the reference's example
    assert sins_location_for_levels(["C2", "C3"]) == "junctional"
    assert sins_location_for_levels(["S1", "S2"]) == "junctional"
    assert sins_location_for_levels(["L3", "L4"]) == "mobile"
    assert sins_location_for_levels(["T9", "T10"]) == "semi_rigid"
    assert sins_location_for_levels([]) is None


# --- §2 ESCC ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "band"),
    [
        P("0", "low_grade", id="s2-0"),
        P("1a", "low_grade", id="s2-1a"),
        P("1b", "low_grade", id="s2-1b"),
        P("1c", "borderline", id="s2-1c-D3"),
        P("2", "high_grade", id="s2-2"),
        P("3", "high_grade", id="s2-3"),
    ],
)
def test_s2_escc_grade_to_band(grade: str, band: str) -> None:
    r = evaluate("escc", {"grade": grade})
    assert (r.total, r.band, r.flags, r.complete) == (None, band, (), True)


# --- §3 revised Tokuhashi -------------------------------------------------------------------

#: §3 table, all-zero answers (KPS 10–40 scores 0)
TOKUHASHI_ZERO = {
    "kps": 10,
    "extraspinal_bone_mets": "three_or_more",
    "vertebral_body_mets": "three_or_more",
    "visceral_mets": "unremovable",
    "primary_site": "lung",
    "palsy": "a",
}
TOKUHASHI_POINTS = {
    ("extraspinal_bone_mets", "three_or_more"): 0,
    ("extraspinal_bone_mets", "one_or_two"): 1,
    ("extraspinal_bone_mets", "none"): 2,
    ("vertebral_body_mets", "three_or_more"): 0,
    ("vertebral_body_mets", "two"): 1,
    ("vertebral_body_mets", "one"): 2,
    ("visceral_mets", "unremovable"): 0,
    ("visceral_mets", "removable"): 1,
    ("visceral_mets", "none"): 2,
    **{
        ("primary_site", s): 0
        for s in ("lung", "osteosarcoma", "stomach", "bladder", "oesophagus", "pancreas")
    },
    **{("primary_site", s): 1 for s in ("liver", "gallbladder", "unidentified")},
    ("primary_site", "other"): 2,
    ("primary_site", "kidney"): 3,
    ("primary_site", "uterus"): 3,
    ("primary_site", "rectum"): 4,
    **{("primary_site", s): 5 for s in ("thyroid", "breast", "prostate", "carcinoid")},
    ("palsy", "a"): 0,
    ("palsy", "b"): 0,
    ("palsy", "c"): 1,
    ("palsy", "d"): 1,
    ("palsy", "e"): 2,
}


@pytest.mark.parametrize(
    ("item", "option", "points"),
    [P(i, o, p, id=f"s3-{i}-{o}") for (i, o), p in TOKUHASHI_POINTS.items()],
)
def test_s3_tokuhashi_option_points(item: str, option: str, points: int) -> None:
    r = evaluate("tokuhashi_revised", {**TOKUHASHI_ZERO, item: option})
    assert r.item_points[item] == points and r.total == points


@pytest.mark.parametrize(
    ("kps", "points"),
    [
        P(10, 0, id="s3-kps-10"),
        P(40, 0, id="s3-kps-40"),
        P(50, 1, id="s3-kps-50"),
        P(70, 1, id="s3-kps-70"),
        P(80, 2, id="s3-kps-80"),
        P(100, 2, id="s3-kps-100"),
    ],
)
def test_s3_D4_tokuhashi_kps_entered_as_a_number(kps: int, points: int) -> None:
    r = evaluate("tokuhashi_revised", {**TOKUHASHI_ZERO, "kps": kps})
    assert r.item_points["kps"] == points and r.total == points


def test_s3_D5_vertebral_row_has_no_zero_option() -> None:
    item = TOOLS["tokuhashi_revised"].item("vertebral_body_mets")
    assert item is not None and {o.key for o in item.options} == {"three_or_more", "two", "one"}
    with pytest.raises(ValueError, match="vertebral_body_mets"):
        evaluate("tokuhashi_revised", {"vertebral_body_mets": "none"})


def test_s3_D6_colon_is_not_an_option_key() -> None:
    with pytest.raises(ValueError, match="primary_site"):
        evaluate("tokuhashi_revised", {"primary_site": "colon"})
    with pytest.raises(ValueError, match="primary_site"):
        evaluate("tokuhashi_revised", {"primary_site": "melanoma"})


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        # all-zero answers score 0
        P({}, 0, "lt_6_months", id="s3-lt_6_months-0"),
        # breast 5 + palsy e 2 + KPS 50 1 = 8
        P(
            {"primary_site": "breast", "palsy": "e", "kps": 50},
            8,
            "lt_6_months",
            id="s3-lt_6_months-8",
        ),
        # breast 5 + palsy e 2 + KPS 80 2 = 9
        P(
            {"primary_site": "breast", "palsy": "e", "kps": 80},
            9,
            "ge_6_months",
            id="s3-ge_6_months-9",
        ),
        # 9 + vertebral one 2 = 11
        P(
            {"primary_site": "breast", "palsy": "e", "kps": 80, "vertebral_body_mets": "one"},
            11,
            "ge_6_months",
            id="s3-ge_6_months-11",
        ),
        # 11 + extraspinal one_or_two 1 = 12
        P(
            {
                "primary_site": "breast",
                "palsy": "e",
                "kps": 80,
                "vertebral_body_mets": "one",
                "extraspinal_bone_mets": "one_or_two",
            },
            12,
            "ge_1_year",
            id="s3-ge_1_year-12",
        ),
        # every best answer: 2 + 2 + 2 + 2 + 5 + 2 = 15
        P(
            {
                "kps": 100,
                "extraspinal_bone_mets": "none",
                "vertebral_body_mets": "one",
                "visceral_mets": "none",
                "primary_site": "prostate",
                "palsy": "e",
            },
            15,
            "ge_1_year",
            id="s3-ge_1_year-15",
        ),
    ],
)
def test_s3_tokuhashi_bands(changes: dict[str, object], total: int, band: str) -> None:
    r = evaluate("tokuhashi_revised", {**TOKUHASHI_ZERO, **changes})
    assert (r.total, r.band) == (total, band)


# --- §4 Tomita ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("growth", "visceral", "bone", "total", "band"),
    [
        # points: slow 1, moderate 2, rapid 4; none 0, treatable 2, untreatable 4;
        # solitary 1, multiple 2
        P("slow", "none", "solitary", 2, "wide_or_marginal_excision", id="s4-total-2"),
        P("moderate", "none", "solitary", 3, "wide_or_marginal_excision", id="s4-total-3"),
        P("moderate", "none", "multiple", 4, "marginal_or_intralesional_excision", id="s4-total-4"),
        P(
            "slow",
            "treatable",
            "multiple",
            5,
            "marginal_or_intralesional_excision",
            id="s4-total-5",
        ),
        P("rapid", "none", "multiple", 6, "palliative_surgery", id="s4-total-6"),
        P("slow", "untreatable", "multiple", 7, "palliative_surgery", id="s4-total-7"),
        P("rapid", "treatable", "multiple", 8, "supportive_care", id="s4-total-8"),
        P("rapid", "untreatable", "solitary", 9, "supportive_care", id="s4-total-9"),
        P("rapid", "untreatable", "multiple", 10, "supportive_care", id="s4-total-10"),
    ],
)
def test_s4_tomita_totals_and_bands(
    growth: str, visceral: str, bone: str, total: int, band: str
) -> None:
    r = evaluate("tomita", {"primary_growth": growth, "visceral_mets": visceral, "bone_mets": bone})
    assert (r.total, r.band) == (total, band)


# --- §5 modified Bauer ------------------------------------------------------------------------

BAUER_ITEMS = (
    "no_visceral_mets",
    "primary_not_lung",
    "primary_favourable",
    "solitary_skeletal_met",
)


@pytest.mark.parametrize(
    ("yes", "band"),
    [
        P(0, "poor", id="s5-poor-0"),
        P(1, "poor", id="s5-poor-1"),
        P(2, "intermediate", id="s5-intermediate-2"),
        P(3, "good", id="s5-good-3"),
        P(4, "good", id="s5-good-4"),
    ],
)
def test_s5_bauer_total_is_the_number_of_yes(yes: int, band: str) -> None:
    for chosen in itertools.combinations(BAUER_ITEMS, yes):
        answers = {k: ("yes" if k in chosen else "no") for k in BAUER_ITEMS}
        r = evaluate("bauer_modified", answers)
        assert (r.total, r.band) == (yes, band)


@pytest.mark.parametrize(
    ("band", "words"),
    [
        P("poor", ("under 6 months", "non-operative"), id="s5-poor-meaning"),
        P("intermediate", ("over 6 months", "palliative surgery"), id="s5-intermediate-meaning"),
        P("good", ("over 12 months", "excisional surgery"), id="s5-good-meaning"),
    ],
)
def test_s5_bauer_bands_carry_the_survival_meaning(band: str, words: tuple[str, ...]) -> None:
    declared = TOOLS["bauer_modified"].band(band)
    assert declared is not None
    assert all(w in declared.meaning for w in words)


@pytest.mark.parametrize(
    ("histology_key", "not_lung", "favourable"),
    [
        P("met_breast", "yes", "yes", id="s5-breast"),
        P("met_renal", "yes", "yes", id="s5-kidney"),
        P("met_lymphoma", "yes", "yes", id="s5-lymphoma"),
        P("met_myeloma", "yes", "yes", id="s5-myeloma"),
        P("met_lung_nsclc", "no", "no", id="s5-lung"),
        P("met_lung_sclc", "no", "no", id="s5-small-cell-lung"),
        P("met_prostate", "yes", "no", id="s5-prostate"),
    ],
)
def test_s5_form_derives_both_primary_items_from_the_primary(
    histology_key: str, not_lung: str, favourable: str
) -> None:
    assert answers_from_histology("bauer_modified", histology_key) == {
        "primary_not_lung": not_lung,
        "primary_favourable": favourable,
    }


def test_s5_bauer_does_not_cross_check_the_primary_items() -> None:
    # "evaluate does not cross-check the two": lung ("no") with favourable "yes" is scored
    r = evaluate(
        "bauer_modified",
        {
            "no_visceral_mets": "no",
            "primary_not_lung": "no",
            "primary_favourable": "yes",
            "solitary_skeletal_met": "no",
        },
    )
    assert (r.total, r.band) == (1, "poor")


@pytest.mark.parametrize(
    ("histology_key", "site"),
    [
        P("met_lung_nsclc", "lung", id="s3-form-lung"),
        P("met_breast", "breast", id="s3-form-breast"),
        P("met_renal", "kidney", id="s3-form-kidney"),
        P("met_melanoma", "other", id="D6-form-melanoma-other"),
        P("met_unknown_primary", "unidentified", id="s3-form-unknown"),
    ],
)
def test_s3_D6_form_maps_the_histology_to_a_primary_site(histology_key: str, site: str) -> None:
    assert answers_from_histology("tokuhashi_revised", histology_key) == {"primary_site": site}
    assert evaluate("tokuhashi_revised", {"primary_site": site}).item_points["primary_site"] >= 0


def test_s3_D6_colorectal_is_left_to_the_user() -> None:
    # colon is "other" (2) but rectum scores 4: the catalogue cannot tell them apart
    assert answers_from_histology("tokuhashi_revised", "met_colorectal") == {}


# --- §6 NESMS -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bauer", "ambulation", "albumin", "points", "total"),
    [
        P(0, "dependent", 3.4, (0, 0, 0), 0, id="s6-total-0"),
        P(2, "dependent", 3.4, (0, 0, 0), 0, id="s6-bauer-2-scores-0"),
        P(3, "dependent", 3.4, (2, 0, 0), 2, id="s6-bauer-3-scores-2"),
        P(4, "dependent", 1.0, (2, 0, 0), 2, id="s6-bauer-4-scores-2"),
        P(0, "independent", 3.4, (0, 1, 0), 1, id="s6-total-1"),
        P(0, "independent", 3.5, (0, 1, 1), 2, id="s6-albumin-3.5-scores-1"),
        P(3, "independent", 3.4, (2, 1, 0), 3, id="s6-D7-total-3"),
        P(4, "independent", 4.2, (2, 1, 1), 3, id="s6-D7-capped-at-3"),
    ],
)
def test_s6_nesms_items_and_D7_cap(
    bauer: int, ambulation: str, albumin: float, points: tuple[int, int, int], total: int
) -> None:
    r = evaluate(
        "nesms", {"modified_bauer": bauer, "ambulation": ambulation, "albumin_g_dl": albumin}
    )
    assert (
        r.item_points["modified_bauer"],
        r.item_points["ambulation"],
        r.item_points["albumin_g_dl"],
    ) == points
    assert (r.total, r.band) == (total, f"nesms_{total}")


@pytest.mark.parametrize(
    ("albumin", "points"),
    [
        P(3.49, 0, id="D8-below-3.5"),
        P(3.5, 1, id="D8-at-3.5"),
        P(1.0, 0, id="D8-at-1.0"),
        P(6.0, 1, id="D8-at-6.0"),
        P(3.45, 0, id="D8-no-step"),
    ],
)
def test_s6_D8_albumin_in_g_per_dl(albumin: float, points: int) -> None:
    assert evaluate("nesms", {"albumin_g_dl": albumin}).item_points["albumin_g_dl"] == points


def test_s6_D8_albumin_unit_conversion_declared_for_the_form() -> None:
    item = TOOLS["nesms"].item("albumin_g_dl")
    assert item is not None and item.alt_unit == ("g/L", 0.1)  # 35 g/L = 3.5 g/dL


def test_s6_nesms_band_3_is_the_best_prognosis() -> None:
    declared = TOOLS["nesms"].band("nesms_3")
    assert declared is not None and "best prognosis" in declared.meaning
    for n in range(3):
        band = TOOLS["nesms"].band(f"nesms_{n}")
        assert band is not None and "higher is better" in band.meaning


# --- §7 KPS and ECOG ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kps", "band"),
    [
        P(0, "dead", id="s7.1-D9-dead-0"),
        P(10, "unable_self_care", id="s7.1-unable_self_care-10"),
        P(40, "unable_self_care", id="s7.1-unable_self_care-40"),
        P(50, "unable_to_work", id="s7.1-unable_to_work-50"),
        P(70, "unable_to_work", id="s7.1-unable_to_work-70"),
        P(80, "normal_activity", id="s7.1-normal_activity-80"),
        P(100, "normal_activity", id="s7.1-normal_activity-100"),
    ],
)
def test_s7_1_kps_bands(kps: int, band: str) -> None:
    r = evaluate("kps", {"kps": kps})
    assert (r.total, r.band) == (kps, band)


@pytest.mark.parametrize(
    ("grade", "band"),
    [
        P("0", "fully_active", id="s7.2-0"),
        P("1", "restricted", id="s7.2-1"),
        P("2", "ambulatory_self_care", id="s7.2-2"),
        P("3", "limited_self_care", id="s7.2-3"),
        P("4", "completely_disabled", id="s7.2-4"),
        P("5", "dead", id="s7.2-5"),
    ],
)
def test_s7_2_ecog_grade_to_band(grade: str, band: str) -> None:
    r = evaluate("ecog", {"grade": grade})
    assert (r.total, r.band) == (int(grade), band)


@pytest.mark.parametrize(
    ("ecog", "kps_range"),
    [
        P(0, (90, 100), id="s7.3-ecog-0"),
        P(1, (70, 80), id="s7.3-ecog-1"),
        P(2, (50, 60), id="s7.3-ecog-2"),
        P(3, (30, 40), id="s7.3-ecog-3"),
        P(4, (10, 20), id="s7.3-ecog-4"),
        P(5, (0, 0), id="s7.3-ecog-5"),
    ],
)
def test_s7_3_ecog_to_kps_range_and_back(ecog: int, kps_range: tuple[int, int]) -> None:
    assert ecog_to_kps_range(ecog) == kps_range
    for kps in range(kps_range[0], kps_range[1] + 1, 10):
        assert kps_to_ecog(kps) == ecog


def test_s7_3_reference_examples_and_errors() -> None:
    assert kps_to_ecog(80) == 1 and kps_to_ecog(50) == 2  # the reference's examples
    with pytest.raises(ValueError, match="kps"):
        kps_to_ecog(55)
    with pytest.raises(ValueError, match="grade"):
        ecog_to_kps_range(6)


# --- §8 neurology ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "grade"),
    [
        *(P("frankel", g, id=f"s8.1-frankel-{g}") for g in "abcde"),
        *(P("asia", g, id=f"s8.2-asia-{g}") for g in "abcde"),
        *(P("mccormick", g, id=f"s8.3-mccormick-{g}") for g in ("i", "ii", "iii", "iv")),
    ],
)
def test_s8_grade_only_band_is_the_option_key(tool: str, grade: str) -> None:
    r = evaluate(tool, {"grade": grade})
    assert (r.total, r.band, r.flags, r.complete) == (None, grade, (), True)


# --- properties over every sum tool -----------------------------------------------------------

SUM_TOOLS = [t.id for t in TOOLS.values() if t.kind == "sum"]


def answers_for(tool_id: str) -> st.SearchStrategy[dict[str, object]]:
    tool = TOOLS[tool_id]
    strategies: dict[str, st.SearchStrategy[object]] = {}
    for item in tool.items:
        if item.kind == "choice":
            strategies[item.key] = st.sampled_from([o.key for o in item.options])
        elif item.step is None:  # a continuous measurement (albumin)
            assert item.minimum is not None and item.maximum is not None
            strategies[item.key] = st.floats(item.minimum, item.maximum, allow_nan=False)
        else:
            assert item.minimum is not None and item.maximum is not None and item.step
            n = round((item.maximum - item.minimum) / item.step)
            lo, step = int(item.minimum), int(item.step)
            strategies[item.key] = st.integers(0, n).map(lambda k, lo=lo, step=step: lo + k * step)
    return st.fixed_dictionaries(strategies)


#: the total ranges the reference gives each sum tool
TOTAL_RANGES = {
    "sins": (0, 18),
    "tokuhashi_revised": (0, 15),
    "tomita": (2, 10),
    "bauer_modified": (0, 4),
    "nesms": (0, 3),
    "kps": (0, 100),
    "ecog": (0, 5),
}


@pytest.mark.parametrize("tool_id", SUM_TOOLS)
def test_use_rule6_totals_stay_in_the_reference_range(tool_id: str) -> None:
    lo, hi = TOTAL_RANGES[tool_id]

    @given(answers_for(tool_id))
    def check(answers: dict[str, object]) -> None:
        r = evaluate(tool_id, answers)
        assert r.complete and r.total is not None and lo <= r.total <= hi
        assert r.band in BANDS[tool_id]

    check()


@given(answers_for("sins"), st.sampled_from(list(KEYS["sins"])))
def test_s1_sins_band_never_falls_as_an_answer_worsens(
    answers: dict[str, object], key: str
) -> None:
    order = ["stable", "indeterminate", "unstable"]
    before = evaluate("sins", answers)
    now = SINS_POINTS[(key, str(answers[key]))]
    for (item, option), points in SINS_POINTS.items():
        if item == key and points > now:
            after = evaluate("sins", {**answers, key: option})
            assert after.total == before.total + points - now  # type: ignore[operator]
            assert order.index(after.band) >= order.index(before.band)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_use_rule3_not_a_number_is_refused_naming_the_item(bad: float) -> None:
    with pytest.raises(ValueError, match="albumin_g_dl"):
        evaluate("nesms", {"albumin_g_dl": bad})
    with pytest.raises(ValueError, match="kps"):
        evaluate("kps", {"kps": bad})


@pytest.mark.parametrize(
    ("ecog", "kps"),
    [
        P(0, 90, id="s7.3-propose-90"),
        P(1, 80, id="s7.3-propose-80"),
        P(2, 60, id="s7.3-propose-60"),
        P(3, 40, id="s7.3-propose-40"),
        P(4, 20, id="s7.3-propose-20"),
        P(5, 0, id="s7.3-propose-0"),
    ],
)
def test_s7_3_single_kps_proposed_for_an_ecog_grade(ecog: int, kps: int) -> None:
    assert ecog_to_kps_proposal(ecog) == kps
    assert "approximate" in conversion_note("ecog", ecog)


def test_s7_3_conversion_is_labelled_approximate() -> None:
    assert conversion_note("kps", 80) == "≈ ECOG 1 (approximate conversion)"
    assert conversion_note("ecog", 2) == "≈ KPS 50–60, proposed 60 (approximate conversion)"
    assert conversion_note("sins", 8) == ""


@pytest.mark.parametrize(
    ("tool", "band", "words"),
    [
        P("bauer_modified", "poor", "under 6 months", id="s5-shown-poor"),
        P("bauer_modified", "good", "over 12 months", id="s5-shown-good"),
        P("nesms", "nesms_3", "best prognosis", id="s6-shown-nesms_3"),
        P("nesms", "nesms_0", "higher is better", id="s6-shown-nesms_0"),
        P("tokuhashi_revised", "lt_6_months", "under 6 months", id="s3-shown-lt_6_months"),
        P("tomita", "supportive_care", "terminal care", id="s4-shown-supportive_care"),
    ],
)
def test_prognostic_bands_are_shown_with_their_meaning(tool: str, band: str, words: str) -> None:
    shown = describe_band(tool, band)
    assert shown.startswith(TOOLS[tool].band(band).label) and words in shown  # type: ignore[union-attr]


def test_s9_noms_citation_names_laufer_2013_and_bilsky_2009() -> None:
    citation = TOOLS["noms"].citation
    assert citation.startswith("Laufer I") and "Oncologist" in citation and "2013" in citation
    assert "Bilsky MH" in citation and "2009" in citation


@pytest.mark.parametrize(
    ("tool", "answers", "key"),
    [
        P("kps", {"kps": 89.9999999999}, "kps", id="rule3-kps-just-off-step"),
        P("kps", {"kps": 79.999999}, "kps", id="rule3-kps-below-a-boundary"),
        P("kps", {"kps": 100.0000000001}, "kps", id="rule3-kps-just-above-100"),
        P("tokuhashi_revised", {"kps": 9.9999999999}, "kps", id="rule3-tokuhashi-kps-below-10"),
        P("nesms", {"albumin_g_dl": 6.0000000001}, "albumin_g_dl", id="D8-albumin-just-above-6"),
        P("nesms", {"albumin_g_dl": 0.9999999999}, "albumin_g_dl", id="D8-albumin-just-below-1"),
        P("nesms", {"modified_bauer": 4.0000000001}, "modified_bauer", id="s6-bauer-just-above-4"),
    ],
)
def test_use_rule3_bounds_and_steps_are_exact(
    tool: str, answers: dict[str, object], key: str
) -> None:
    with pytest.raises(ValueError, match=key):
        evaluate(tool, answers)


def test_s6_albumin_just_below_3_5_is_below_the_cut_off() -> None:
    r = evaluate(
        "nesms", {"modified_bauer": 0, "ambulation": "dependent", "albumin_g_dl": 3.4999999999}
    )
    assert (r.item_points["albumin_g_dl"], r.total, r.band) == (0, 0, "nesms_0")
