"""Every score of reference/scores.md: points, bands, boundaries, worked examples, bad input.

Wrong numbers here can harm a patient, so the expected values are written out
from the reference tables rather than computed from the engine's own data.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdtboard.domain.scores import (
    TOOLS,
    ScoreInputError,
    ecog_to_kps_range,
    evaluate,
    format_result,
    kps_to_ecog,
    radiosensitivity_for_histology,
    relevant_tools,
    sins_location_for_level,
    sins_location_for_levels,
)

# (tool, item) -> {option: points}, transcribed from reference/scores.md
POINTS: dict[tuple[str, str], dict[str, int]] = {
    ("sins", "location"): {"junctional": 3, "mobile": 2, "semi_rigid": 1, "rigid": 0},
    ("sins", "pain"): {"mechanical": 3, "occasional_non_mechanical": 1, "pain_free": 0},
    ("sins", "bone_lesion"): {"lytic": 2, "mixed": 1, "blastic": 0},
    ("sins", "alignment"): {"subluxation_translation": 4, "de_novo_deformity": 2, "normal": 0},
    ("sins", "collapse"): {"over_50": 3, "under_50": 2, "none_over_50_involved": 1, "none": 0},
    ("sins", "posterolateral"): {"bilateral": 3, "unilateral": 1, "none": 0},
    ("tokuhashi_revised", "extraspinal_bone_mets"): {
        "three_or_more": 0,
        "one_or_two": 1,
        "none": 2,
    },
    ("tokuhashi_revised", "vertebral_body_mets"): {"three_or_more": 0, "two": 1, "one": 2},
    ("tokuhashi_revised", "visceral_mets"): {"unremovable": 0, "removable": 1, "none": 2},
    ("tokuhashi_revised", "primary_site"): {
        "lung": 0,
        "osteosarcoma": 0,
        "stomach": 0,
        "bladder": 0,
        "oesophagus": 0,
        "pancreas": 0,
        "liver": 1,
        "gallbladder": 1,
        "unidentified": 1,
        "other": 2,
        "kidney": 3,
        "uterus": 3,
        "rectum": 4,
        "thyroid": 5,
        "breast": 5,
        "prostate": 5,
        "carcinoid": 5,
    },
    ("tokuhashi_revised", "palsy"): {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2},
    ("tomita", "primary_growth"): {"slow": 1, "moderate": 2, "rapid": 4},
    ("tomita", "visceral_mets"): {"none": 0, "treatable": 2, "untreatable": 4},
    ("tomita", "bone_mets"): {"solitary": 1, "multiple": 2},
    ("bauer_modified", "no_visceral_mets"): {"yes": 1, "no": 0},
    ("bauer_modified", "primary_not_lung"): {"yes": 1, "no": 0},
    ("bauer_modified", "primary_favourable"): {"yes": 1, "no": 0},
    ("bauer_modified", "solitary_skeletal_met"): {"yes": 1, "no": 0},
    ("nesms", "ambulation"): {"independent": 1, "dependent": 0},
}

BASE = {
    "sins": {
        "location": "rigid",
        "pain": "pain_free",
        "bone_lesion": "blastic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    },
    "tokuhashi_revised": {
        "kps": 10,
        "extraspinal_bone_mets": "three_or_more",
        "vertebral_body_mets": "three_or_more",
        "visceral_mets": "unremovable",
        "primary_site": "lung",
        "palsy": "a",
    },
    "tomita": {"primary_growth": "slow", "visceral_mets": "none", "bone_mets": "solitary"},
    "bauer_modified": {
        "no_visceral_mets": "no",
        "primary_not_lung": "no",
        "primary_favourable": "no",
        "solitary_skeletal_met": "no",
    },
    "nesms": {"modified_bauer": 0, "ambulation": "dependent", "albumin_g_dl": 2.0},
}
BASE_TOTAL = {"sins": 0, "tokuhashi_revised": 0, "tomita": 2, "bauer_modified": 0, "nesms": 0}


@pytest.mark.parametrize(
    ("tool", "item", "option", "points"),
    [(t, i, o, p) for (t, i), opts in POINTS.items() for o, p in opts.items()],
)
def test_every_option_scores_as_in_the_reference(
    tool: str, item: str, option: str, points: int
) -> None:
    answers = {**BASE[tool], item: option}
    base_points = evaluate(tool, BASE[tool]).item_points[item]
    r = evaluate(tool, answers)
    assert r.item_points[item] == points
    assert r.complete
    if tool != "nesms":
        assert r.total == BASE_TOTAL[tool] - base_points + points


def test_the_registry_declares_exactly_the_reference_keys() -> None:
    assert set(TOOLS) == {
        "sins",
        "escc",
        "tokuhashi_revised",
        "tomita",
        "bauer_modified",
        "nesms",
        "kps",
        "ecog",
        "frankel",
        "asia",
        "mccormick",
        "noms",
    }
    for (tool, item), opts in POINTS.items():
        declared = TOOLS[tool].item(item)
        assert declared is not None
        assert {o.key for o in declared.options} == set(opts)
    assert [b.id for b in TOOLS["sins"].bands] == ["stable", "indeterminate", "unstable"]
    assert {o.key for o in TOOLS["escc"].items[0].options} == {"0", "1a", "1b", "1c", "2", "3"}
    for tool in TOOLS.values():
        assert tool.citation and tool.label
        for item in tool.items:
            assert item.label


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "stable"),
        (6, "stable"),
        (7, "indeterminate"),
        (12, "indeterminate"),
        (13, "unstable"),
        (18, "unstable"),
    ],
)
def test_sins_band_boundaries_and_surgical_flag(total: int, band: str) -> None:
    # find answers that reach this total
    items = [(k, v) for (t, k), v in POINTS.items() if t == "sins"]
    for combo in itertools.product(*[list(v.items()) for _, v in items]):
        if sum(p for _, p in combo) == total:
            answers = {k: o for (k, _), (o, _) in zip(items, combo, strict=True)}
            break
    r = evaluate("sins", answers)
    assert (r.total, r.band) == (total, band)
    assert r.flags == (("surgical_consultation",) if total >= 7 else ())


def test_sins_worked_examples() -> None:
    worst = {
        "location": "junctional",
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "subluxation_translation",
        "collapse": "over_50",
        "posterolateral": "bilateral",
    }
    assert (evaluate("sins", worst).total, evaluate("sins", worst).band) == (18, "unstable")
    t5 = {
        "location": sins_location_for_level("T5"),
        "pain": "pain_free",
        "bone_lesion": "blastic",
        "alignment": "normal",
        "collapse": "none",
        "posterolateral": "none",
    }
    r = evaluate("sins", t5)
    assert (r.total, r.band, r.flags) == (1, "stable", ())


@pytest.mark.parametrize(
    ("grade", "band"),
    [
        ("0", "low_grade"),
        ("1a", "low_grade"),
        ("1b", "low_grade"),
        ("1c", "borderline"),
        ("2", "high_grade"),
        ("3", "high_grade"),
    ],
)
def test_escc_bands(grade: str, band: str) -> None:
    r = evaluate("escc", {"grade": grade})
    assert (r.total, r.band, r.complete) == (None, band, True)


@pytest.mark.parametrize(("kps", "points"), [(10, 0), (40, 0), (50, 1), (70, 1), (80, 2), (100, 2)])
def test_tokuhashi_kps_points(kps: int, points: int) -> None:
    r = evaluate("tokuhashi_revised", {**BASE["tokuhashi_revised"], "kps": kps})
    assert r.item_points["kps"] == points


@pytest.mark.parametrize(
    ("total", "band"),
    [(8, "lt_6_months"), (9, "ge_6_months"), (11, "ge_6_months"), (12, "ge_1_year")],
)
def test_tokuhashi_band_boundaries(total: int, band: str) -> None:
    # breast (5) + palsy e (2) + visceral none (2) = 9; add from the rest
    answers = {
        **BASE["tokuhashi_revised"],
        "primary_site": "breast",
        "palsy": "e",
        "visceral_mets": "none",
    }
    extra = total - 9
    if extra < 0:
        answers["visceral_mets"] = "removable"  # 8
    else:
        answers["vertebral_body_mets"] = ("three_or_more", "two", "one")[min(extra, 2)]
        if extra == 3:
            answers["kps"] = 50
    r = evaluate("tokuhashi_revised", answers)
    assert (r.total, r.band) == (total, band)


def test_tokuhashi_worked_example() -> None:
    r = evaluate(
        "tokuhashi_revised",
        {
            "kps": 80,
            "extraspinal_bone_mets": "one_or_two",
            "vertebral_body_mets": "one",
            "visceral_mets": "none",
            "primary_site": "breast",
            "palsy": "e",
        },
    )
    assert (r.total, r.band) == (14, "ge_1_year")


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (
            {"primary_growth": "slow", "visceral_mets": "none", "bone_mets": "solitary"},
            2,
            "wide_or_marginal_excision",
        ),
        (
            {"primary_growth": "moderate", "visceral_mets": "none", "bone_mets": "solitary"},
            3,
            "wide_or_marginal_excision",
        ),
        (
            {"primary_growth": "moderate", "visceral_mets": "none", "bone_mets": "multiple"},
            4,
            "marginal_or_intralesional_excision",
        ),
        (
            {"primary_growth": "rapid", "visceral_mets": "none", "bone_mets": "solitary"},
            5,
            "marginal_or_intralesional_excision",
        ),
        (
            {"primary_growth": "rapid", "visceral_mets": "none", "bone_mets": "multiple"},
            6,
            "palliative_surgery",
        ),
        (
            {"primary_growth": "slow", "visceral_mets": "untreatable", "bone_mets": "multiple"},
            7,
            "palliative_surgery",
        ),
        (
            {"primary_growth": "rapid", "visceral_mets": "treatable", "bone_mets": "multiple"},
            8,
            "supportive_care",
        ),
        (
            {"primary_growth": "rapid", "visceral_mets": "untreatable", "bone_mets": "multiple"},
            10,
            "supportive_care",
        ),
    ],
)
def test_tomita_bands(answers: dict[str, str], total: int, band: str) -> None:
    r = evaluate("tomita", answers)
    assert (r.total, r.band) == (total, band)


@pytest.mark.parametrize(
    ("yes", "band"), [(0, "poor"), (1, "poor"), (2, "intermediate"), (3, "good"), (4, "good")]
)
def test_bauer_bands(yes: int, band: str) -> None:
    keys = list(BASE["bauer_modified"])
    answers = {k: ("yes" if i < yes else "no") for i, k in enumerate(keys)}
    r = evaluate("bauer_modified", answers)
    assert (r.total, r.band) == (yes, band)


@pytest.mark.parametrize(
    ("bauer", "ambulation", "albumin", "total", "points"),
    [
        (2, "dependent", 3.4, 0, {"modified_bauer": 0, "ambulation": 0, "albumin_g_dl": 0}),
        (3, "dependent", 3.4, 2, {"modified_bauer": 2, "ambulation": 0, "albumin_g_dl": 0}),
        (0, "independent", 3.5, 2, {"modified_bauer": 0, "ambulation": 1, "albumin_g_dl": 1}),
        (4, "independent", 4.0, 3, {"modified_bauer": 2, "ambulation": 1, "albumin_g_dl": 1}),
        (3, "independent", 3.4, 3, {"modified_bauer": 2, "ambulation": 1, "albumin_g_dl": 0}),
    ],
)
def test_nesms_cap_and_item_points(
    bauer: int, ambulation: str, albumin: float, total: int, points: dict[str, int]
) -> None:
    r = evaluate(
        "nesms", {"modified_bauer": bauer, "ambulation": ambulation, "albumin_g_dl": albumin}
    )
    assert r.total == total and r.band == f"nesms_{total}"
    assert dict(r.item_points) == points


@pytest.mark.parametrize(
    ("kps", "band"),
    [
        (0, "unable_self_care"),
        (40, "unable_self_care"),
        (50, "unable_to_work"),
        (70, "unable_to_work"),
        (80, "normal_activity"),
        (100, "normal_activity"),
    ],
)
def test_kps_bands(kps: int, band: str) -> None:
    r = evaluate("kps", {"kps": kps})
    assert (r.total, r.band) == (kps, band)


@pytest.mark.parametrize(
    ("grade", "band"),
    [
        ("0", "fully_active"),
        ("1", "restricted"),
        ("2", "ambulatory_self_care"),
        ("3", "limited_self_care"),
        ("4", "disabled"),
        ("5", "dead"),
    ],
)
def test_ecog(grade: str, band: str) -> None:
    r = evaluate("ecog", {"grade": grade})
    assert (r.total, r.band) == (int(grade), band)


@pytest.mark.parametrize(
    ("tool", "grades"),
    [("frankel", "abcde"), ("asia", "abcde"), ("mccormick", ("i", "ii", "iii", "iv"))],
)
def test_grade_only_tools(tool: str, grades: str | tuple[str, ...]) -> None:
    for g in grades:
        r = evaluate(tool, {"grade": g})
        assert (r.total, r.band, r.complete) == (None, g, True)


@pytest.mark.parametrize(
    ("kps", "ecog"),
    [
        (100, 0),
        (90, 0),
        (80, 1),
        (70, 1),
        (60, 2),
        (50, 2),
        (40, 3),
        (30, 3),
        (20, 4),
        (10, 4),
        (0, 5),
    ],
)
def test_kps_to_ecog(kps: int, ecog: int) -> None:
    assert kps_to_ecog(kps) == ecog
    lo, hi = ecog_to_kps_range(ecog)
    assert lo <= kps <= hi


def test_conversion_input_errors() -> None:
    with pytest.raises(ValueError, match="kps"):
        kps_to_ecog(55)
    with pytest.raises(ValueError, match="grade"):
        ecog_to_kps_range(6)


@pytest.mark.parametrize(
    ("level", "location"),
    [
        ("C1", "junctional"),
        ("C2", "junctional"),
        ("C3", "mobile"),
        ("C6", "mobile"),
        ("C7", "junctional"),
        ("T1", "junctional"),
        ("T2", "junctional"),
        ("T3", "semi_rigid"),
        ("T10", "semi_rigid"),
        ("T11", "junctional"),
        ("T12", "junctional"),
        ("L1", "junctional"),
        ("L2", "mobile"),
        ("L4", "mobile"),
        ("L5", "junctional"),
        ("S1", "junctional"),
        ("S2", "rigid"),
        ("S5", "rigid"),
        ("Co", "rigid"),
        ("t4", "semi_rigid"),
    ],
)
def test_sins_location_from_level(level: str, location: str) -> None:
    assert sins_location_for_level(level) == location


def test_straddling_lesion_takes_the_highest_location() -> None:
    assert sins_location_for_levels(["T10", "T11"]) == "junctional"
    assert sins_location_for_levels(["S1", "S2"]) == "junctional"
    assert sins_location_for_levels(["L3", "L4"]) == "mobile"
    assert sins_location_for_levels([]) is None


def test_radiosensitivity_from_histology() -> None:
    assert radiosensitivity_for_histology("met_breast") == "radiosensitive"
    assert radiosensitivity_for_histology("met_renal") == "radioresistant"
    assert radiosensitivity_for_histology("met_unknown_primary") is None
    assert radiosensitivity_for_histology("awaiting_biopsy") is None


def test_relevant_tools_by_case_type() -> None:
    assert "sins" in relevant_tools("metastatic", "extradural")
    assert "nesms" in relevant_tools("metastatic", "extradural")
    assert relevant_tools("primary", "intramedullary")[0] == "mccormick"
    assert "sins" not in relevant_tools("primary", "intramedullary")


def test_missing_items_are_not_an_error() -> None:
    r = evaluate("sins", {"pain": "mechanical", "location": "mobile"})
    assert not r.complete and r.total is None and r.band is None
    assert r.missing == ("bone_lesion", "alignment", "collapse", "posterolateral")
    r = evaluate("tomita", {"primary_growth": None})
    assert r.missing == ("primary_growth", "visceral_mets", "bone_mets")


@pytest.mark.parametrize(
    ("tool", "answers", "key"),
    [
        ("nope", {}, "nope"),
        ("sins", {"colour": "red"}, "colour"),
        ("sins", {"pain": "agony"}, "pain"),
        ("sins", {"pain": 3}, "pain"),
        ("kps", {"kps": 105}, "kps"),
        ("kps", {"kps": -10}, "kps"),
        ("kps", {"kps": 55}, "kps"),
        ("kps", {"kps": "80"}, "kps"),
        ("kps", {"kps": True}, "kps"),
        ("tokuhashi_revised", {"kps": 0}, "kps"),
        ("nesms", {"albumin_g_dl": 35.0}, "albumin_g_dl"),
        ("nesms", {"modified_bauer": 5}, "modified_bauer"),
        ("escc", {"grade": "4"}, "grade"),
        ("noms", {"systemic": "fit"}, "systemic"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_key(
    tool: str, answers: dict[str, object], key: str
) -> None:
    with pytest.raises(ValueError, match=key) as exc:
        evaluate(tool, answers)
    assert isinstance(exc.value, ScoreInputError)


def test_format_result() -> None:
    r = evaluate(
        "sins",
        {**BASE["sins"], "pain": "mechanical", "bone_lesion": "lytic", "location": "junctional"},
    )
    assert format_result(r) == "SINS 8 — Indeterminate (potentially unstable)"


# --- properties ------------------------------------------------------------------

SUM_TOOLS = [t for t in TOOLS.values() if t.kind == "sum"]


def answers_for(tool_id: str) -> st.SearchStrategy[dict[str, object]]:
    tool = TOOLS[tool_id]
    fields: dict[str, st.SearchStrategy[object]] = {}
    for item in tool.items:
        if item.kind == "choice":
            fields[item.key] = st.sampled_from([o.key for o in item.options])
        elif item.step is None:  # a continuous measurement (albumin)
            assert item.minimum is not None and item.maximum is not None
            fields[item.key] = st.floats(item.minimum, item.maximum, allow_nan=False)
        else:
            assert item.minimum is not None and item.maximum is not None and item.step
            n = round((item.maximum - item.minimum) / item.step)
            fields[item.key] = st.integers(0, n).map(
                lambda k, it=item: (
                    round(it.minimum + k * it.step, 1)  # type: ignore[misc]
                    if not float(it.step).is_integer()
                    else int(it.minimum + k * it.step)
                )
            )
    return st.fixed_dictionaries(fields)


@pytest.mark.parametrize("tool_id", [t.id for t in SUM_TOOLS])
def test_totals_stay_in_range_and_bands_cover_them(tool_id: str) -> None:
    tool = TOOLS[tool_id]

    @given(answers_for(tool_id))
    def check(answers: dict[str, object]) -> None:
        r = evaluate(tool_id, answers)
        assert r.complete
        assert r.total is not None
        assert tool.total_min is not None and tool.total_max is not None
        assert tool.total_min <= r.total <= tool.total_max
        assert r.band is not None

    check()


@pytest.mark.parametrize("tool_id", [t.id for t in SUM_TOOLS])
def test_bands_are_contiguous_ordered_and_non_overlapping(tool_id: str) -> None:
    tool = TOOLS[tool_id]
    ranges = [(b.low, b.high) for b in tool.bands]
    assert all(lo is not None and hi is not None and lo <= hi for lo, hi in ranges)
    assert ranges[0][0] == tool.total_min and ranges[-1][1] == tool.total_max
    # totals move in steps of 1, except KPS itself (steps of 10)
    step = 10 if tool_id == "kps" else 1
    for (_, hi), (lo, _) in itertools.pairwise(ranges):
        assert lo == hi + step  # type: ignore[operator]


@pytest.mark.parametrize("tool_id", list(TOOLS))
def test_every_option_is_reachable(tool_id: str) -> None:
    """Each option, given alone, is taken as answered and scores its declared points;
    a grade tool's option is its band."""
    tool = TOOLS[tool_id]
    for item in tool.items:
        for opt in item.options:
            r = evaluate(tool_id, {item.key: opt.key})
            assert item.key not in r.missing
            if opt.points is not None:
                assert r.item_points[item.key] == opt.points, (item.key, opt.key)
            if tool.kind == "grade":
                assert r.band == next(b.id for b in tool.bands if opt.key in b.grades)


@given(answers_for("sins"), st.sampled_from([i.key for i in TOOLS["sins"].items]))
def test_sins_band_never_falls_as_an_answer_worsens(answers: dict[str, object], key: str) -> None:
    """Through the engine: swap one answer for a higher-scoring option of the same item;
    the total rises by the difference and the band never moves towards stable."""
    order = ["stable", "indeterminate", "unstable"]
    item = TOOLS["sins"].item(key)
    assert item is not None
    before = evaluate("sins", answers)
    now = item.option(str(answers[key]))
    assert now is not None and now.points is not None
    for worse in (o for o in item.options if o.points is not None and o.points > now.points):
        after = evaluate("sins", {**answers, key: worse.key})
        assert after.total == before.total + worse.points - now.points  # type: ignore[operator]
        assert order.index(after.band) >= order.index(before.band)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tool_id", "answers", "total", "band"),
    [
        # every NESMS score 0–3 reached, the lowest through "dependent" and low albumin
        (
            "nesms",
            {"modified_bauer": 0, "ambulation": "dependent", "albumin_g_dl": 3.0},
            0,
            "nesms_0",
        ),
        (
            "nesms",
            {"modified_bauer": 0, "ambulation": "independent", "albumin_g_dl": 3.49},
            1,
            "nesms_1",
        ),
        (
            "nesms",
            {"modified_bauer": 0, "ambulation": "independent", "albumin_g_dl": 3.5},
            2,
            "nesms_2",
        ),
    ],
)
def test_nesms_low_scores_and_the_albumin_cut_off(
    tool_id: str, answers: dict[str, object], total: int, band: str
) -> None:
    r = evaluate(tool_id, answers)
    assert (r.total, r.band) == (total, band)


@pytest.mark.parametrize("value", [3.45, 3.499, 1.0, 6.0])
def test_albumin_is_a_measurement_not_a_step(value: float) -> None:
    r = evaluate("nesms", {"albumin_g_dl": value})
    assert r.item_points["albumin_g_dl"] == (1 if value >= 3.5 else 0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_not_a_number_is_refused_naming_the_item(bad: float) -> None:
    with pytest.raises(ValueError, match="albumin_g_dl"):
        evaluate("nesms", {"albumin_g_dl": bad})
    with pytest.raises(ValueError, match="kps"):
        evaluate("kps", {"kps": bad})


def test_tokuhashi_reaches_both_ends() -> None:
    worst = evaluate("tokuhashi_revised", BASE["tokuhashi_revised"])
    assert (worst.total, worst.band) == (0, "lt_6_months")
    best = evaluate(
        "tokuhashi_revised",
        {
            "kps": 100,
            "extraspinal_bone_mets": "none",
            "vertebral_body_mets": "one",
            "visceral_mets": "none",
            "primary_site": "breast",
            "palsy": "e",
        },
    )
    assert (best.total, best.band) == (15, "ge_1_year")
