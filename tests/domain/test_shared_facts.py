"""Each fact asked once (issue 16 part 4): answers derived from facts recorded elsewhere.

Every expected value below is transcribed from reference/scores.md (the section is in
the test's name and in the parameter ids), or, for the extent of disease into Tomita
and Bauer, from the mdtboard rule written in docs/clinical-rules.md ("Facts asked
once"); none is produced by running the code. docs/clinical-rules.md maps each rule to
these tests; tests/test_traceability.py checks that map.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdtboard.domain import histology
from mdtboard.domain.scores import TOOLS, evaluate
from mdtboard.domain.shared_facts import Derived, Extent, derived_answers, extent_from

P = pytest.param
Answers = dict[str, dict[str, object]]


def derive(
    tool_id: str,
    answers: Answers | None = None,
    histology_key: str | None = None,
    extent: Extent | None = None,
) -> dict[str, Derived]:
    return derived_answers(
        tool_id, answers=answers or {}, histology_key=histology_key, extent=extent
    )


def values(derived: dict[str, Derived]) -> dict[str, object]:
    return {key: d.value for key, d in derived.items()}


# --- KPS → Tokuhashi kps (§3, D4) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kps", "points"),
    [
        # §3: KPS 10–40 → 0 points, 50–70 → 1, 80–100 → 2
        P(10, 0, id="s3-kps10-0pts"),
        P(20, 0, id="s3-kps20-0pts"),
        P(30, 0, id="s3-kps30-0pts"),
        P(40, 0, id="s3-kps40-0pts"),
        P(50, 1, id="s3-kps50-1pt"),
        P(60, 1, id="s3-kps60-1pt"),
        P(70, 1, id="s3-kps70-1pt"),
        P(80, 2, id="s3-kps80-2pts"),
        P(90, 2, id="s3-kps90-2pts"),
        P(100, 2, id="s3-kps100-2pts"),
    ],
)
def test_s3_D4_kps_entered_once_feeds_tokuhashi(kps: int, points: int) -> None:
    derived = derive("tokuhashi_revised", {"kps": {"kps": kps}})
    assert derived["kps"] == Derived(kps, f"from KPS {kps}")
    assert evaluate("tokuhashi_revised", {"kps": kps}).item_points["kps"] == points


def test_s3_D4_kps_0_is_not_passed_to_tokuhashi() -> None:
    # D4: "KPS 0 (dead) is out of range for this tool"
    assert "kps" not in derive("tokuhashi_revised", {"kps": {"kps": 0}})


# --- KPS → ECOG (§7.3) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kps", "grade"),
    [
        # §7.3: ECOG 0 = KPS 90–100, 1 = 70–80, 2 = 50–60, 3 = 30–40, 4 = 10–20, 5 = 0
        P(100, "0", id="s7.3-kps100-ecog0"),
        P(90, "0", id="s7.3-kps90-ecog0"),
        P(80, "1", id="s7.3-kps80-ecog1"),
        P(70, "1", id="s7.3-kps70-ecog1"),
        P(60, "2", id="s7.3-kps60-ecog2"),
        P(50, "2", id="s7.3-kps50-ecog2"),
        P(40, "3", id="s7.3-kps40-ecog3"),
        P(30, "3", id="s7.3-kps30-ecog3"),
        P(20, "4", id="s7.3-kps20-ecog4"),
        P(10, "4", id="s7.3-kps10-ecog4"),
        P(0, "5", id="s7.3-kps0-ecog5"),
    ],
)
def test_s7_3_kps_feeds_ecog_labelled_approximate(kps: int, grade: str) -> None:
    derived = derive("ecog", {"kps": {"kps": kps}})
    # §7.3: "The conversion is approximate and is labelled so wherever it is shown."
    assert derived == {"grade": Derived(grade, f"from KPS {kps} (approximate conversion)")}


def test_s3_D4_kps_recorded_in_tokuhashi_is_read_back() -> None:
    # D4: the KPS is "recorded once and reused by the kps tool and the ECOG helper"; a
    # case scored before this feature has it only in Tokuhashi's kps item
    recorded: Answers = {"tokuhashi_revised": {"kps": 60}}
    source = "from KPS 60 (recorded in Tokuhashi)"
    assert derive("kps", recorded) == {"kps": Derived(60, source)}
    # §7.3: ECOG 2 = KPS 50–60
    assert derive("ecog", recorded) == {"grade": Derived("2", f"{source} (approximate conversion)")}
    # the kps tool's own answer is the fact when both are recorded (§7.3: 80 → 1)
    both: Answers = {"kps": {"kps": 80}, "tokuhashi_revised": {"kps": 60}}
    assert derive("ecog", both)["grade"].value == "1"


@pytest.mark.parametrize(
    "bad",
    [
        P("70", id="rule2-numeric-string"),
        P(True, id="rule2-bool"),
        P(75, id="rule3-off-step"),
        P(110, id="rule3-above-maximum"),
        P(-10, id="rule3-below-minimum"),
        P(float("nan"), id="rule3-nan"),
        P(None, id="rule4-not-answered"),
    ],
)
def test_use_rule3_a_kps_the_engine_refuses_is_never_passed_on(bad: object) -> None:
    recorded: Answers = {"kps": {"kps": bad}, "tokuhashi_revised": {"kps": bad}}
    for tool_id in ("tokuhashi_revised", "ecog", "kps"):
        assert derive(tool_id, recorded) == {}


def test_use_rule2_a_whole_float_kps_is_passed_on_as_a_whole_number() -> None:
    assert derive("tokuhashi_revised", {"kps": {"kps": 70.0}})["kps"] == Derived(70, "from KPS 70")


# --- Frankel → Tokuhashi palsy (§3, §8.1) -----------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "points"),
    [
        # §3: palsy a, b (complete) → 0; c, d (incomplete) → 1; e (none) → 2
        P("a", 0, id="s3-palsy-a"),
        P("b", 0, id="s3-palsy-b"),
        P("c", 1, id="s3-palsy-c"),
        P("d", 1, id="s3-palsy-d"),
        P("e", 2, id="s3-palsy-e"),
    ],
)
def test_s3_s8_1_frankel_grade_feeds_tokuhashi_palsy(grade: str, points: int) -> None:
    derived = derive("tokuhashi_revised", {"frankel": {"grade": grade}})
    assert derived == {"palsy": Derived(grade, f"from Frankel {grade.upper()}")}
    assert evaluate("tokuhashi_revised", {"palsy": grade}).item_points["palsy"] == points


@pytest.mark.parametrize(
    "bad", [P("f", id="s8.1-no-grade-f"), P("A", id="rule1-lowercase"), P(1, id="rule2-not-text")]
)
def test_s8_1_a_frankel_grade_that_is_not_an_option_is_not_passed_on(bad: object) -> None:
    assert derive("tokuhashi_revised", {"frankel": {"grade": bad}}) == {}


def test_s8_frankel_feeds_no_other_tool() -> None:
    # ASIA and McCormick are other scales (§8.2, §8.3): nothing is carried over
    for tool_id in ("asia", "mccormick", "frankel", "tomita", "bauer_modified"):
        assert derive(tool_id, {"frankel": {"grade": "c"}}) == {}


# --- histology → Tokuhashi primary site, Tomita growth, Bauer primary items -----------------

_NOT_LUNG_FAV = {"primary_not_lung": "yes", "primary_favourable": "yes"}  # §5 breast, kidney…
_NOT_LUNG = {"primary_not_lung": "yes", "primary_favourable": "no"}  # §5 any other primary
_LUNG = {"primary_not_lung": "no", "primary_favourable": "no"}  # §5 "a lung primary scores neither"

#: catalogue key → (Tokuhashi primary_site §3, Tomita primary_growth §4, Bauer items §5);
#: None / {} = derives nothing
HISTOLOGY: dict[str, tuple[str | None, str | None, dict[str, str]]] = {
    # metastatic primaries
    "met_breast": ("breast", "slow", _NOT_LUNG_FAV),  # §3 tier 5; §4 slow; §5 breast
    "met_lung_nsclc": ("lung", "rapid", _LUNG),  # §3 tier 0; §4 rapid; §5 lung
    "met_lung_sclc": ("lung", "rapid", _LUNG),
    "met_prostate": ("prostate", "slow", _NOT_LUNG),  # §3 tier 5; §4 slow
    "met_renal": ("kidney", "moderate", _NOT_LUNG_FAV),  # §3 tier 3; §4 moderate; §5 kidney
    "met_thyroid": ("thyroid", "slow", _NOT_LUNG),  # §3 tier 5; §4 slow
    "met_myeloma": ("other", None, _NOT_LUNG_FAV),  # D6 not named; §4 no example; §5 myeloma
    "met_lymphoma": ("other", None, _NOT_LUNG_FAV),  # D6; §5 lymphoma
    # §3: colon is other (2) but rectum scores 4; §4 colon is rapid
    "met_colorectal": (None, "rapid", _NOT_LUNG),
    "met_melanoma": ("other", None, _NOT_LUNG),  # D6 names melanoma
    # §3 tier 1 unidentified; §4 "also unknown primary" rapid; §5 unknown: nothing
    "met_unknown_primary": ("unidentified", "rapid", {}),
    "met_ovarian": ("other", None, _NOT_LUNG),  # D6 not named
    "met_seminoma": ("other", "slow", _NOT_LUNG),  # D6 not named; §4 testicular
    "met_neuroendocrine": ("carcinoid", None, _NOT_LUNG),  # §3 tier 5 carcinoid
    "met_hepatocellular": ("liver", "rapid", _NOT_LUNG),  # §3 tier 1; §4 liver
    # §3 stomach and oesophagus are separate sites; §4 both rapid
    "met_gastro_oesophageal": (None, "rapid", _NOT_LUNG),
    "met_pancreatic": ("pancreas", "rapid", _NOT_LUNG),  # §3 tier 0; §4 pancreas
    # §3 gallbladder scores 1, a bile duct is not named (other, 2); §4 no example
    "met_biliary": (None, None, _NOT_LUNG),
    # §3 bladder scores 0, an upper-tract primary is not bladder; §4 no example
    "met_urothelial": (None, None, _NOT_LUNG),
    "met_cervical": (None, None, _NOT_LUNG),  # left to the MDT (§3 uterus, §4 uterus)
    "met_sarcoma": ("other", None, _NOT_LUNG),  # D6 "sarcoma other than osteosarcoma"
    # primary spinal tumours: the metastasis scores do not apply (§3–§5 are for metastases)
    **dict.fromkeys(
        (
            "ependymoma",
            "ependymoma_mycn",
            "myxopapillary_ependymoma",
            "subependymoma",
            "astrocytoma",
            "pilocytic_astrocytoma",
            "diffuse_midline_glioma",
            "haemangioblastoma",
            "meningioma",
            "clear_cell_meningioma",
            "schwannoma",
            "neurofibroma",
            "chordoma",
            "chondrosarcoma",
            "osteosarcoma",
            "ewing_sarcoma",
            "giant_cell_tumour",
            "aneurysmal_bone_cyst",
            "vertebral_haemangioma",
            "plasmacytoma",
        ),
        (None, None, {}),
    ),
}


def test_s3_s4_s5_the_histology_table_covers_the_whole_catalogue() -> None:
    assert set(HISTOLOGY) == set(histology.CATALOGUE)


@pytest.mark.parametrize(
    ("key", "site"), [P(k, v[0], id=f"s3-{k}-{v[0] or 'nothing'}") for k, v in HISTOLOGY.items()]
)
def test_s3_histology_feeds_tokuhashi_primary_site(key: str, site: str | None) -> None:
    derived = derive("tokuhashi_revised", histology_key=key)
    source = f"from histology: {histology.label_for(key)}"
    assert derived == ({"primary_site": Derived(site, source)} if site else {})


@pytest.mark.parametrize(
    ("key", "growth"), [P(k, v[1], id=f"s4-{k}-{v[1] or 'nothing'}") for k, v in HISTOLOGY.items()]
)
def test_s4_histology_feeds_tomita_primary_growth(key: str, growth: str | None) -> None:
    derived = derive("tomita", histology_key=key)
    source = f"from histology: {histology.label_for(key)}"
    assert derived == ({"primary_growth": Derived(growth, source)} if growth else {})


@pytest.mark.parametrize(
    ("key", "items"),
    [
        P(
            k,
            v[2],
            id=f"s5-{k}-"
            + (f"{v[2]['primary_not_lung']}-{v[2]['primary_favourable']}" if v[2] else "nothing"),
        )
        for k, v in HISTOLOGY.items()
    ],
)
def test_s5_histology_feeds_both_bauer_primary_items(key: str, items: dict[str, str]) -> None:
    derived = derive("bauer_modified", histology_key=key)
    source = f"from histology: {histology.label_for(key)}"
    assert derived == {item: Derived(value, source) for item, value in items.items()}


def test_s3_the_histology_source_names_the_histology() -> None:
    derived = derive("tokuhashi_revised", histology_key="met_lung_nsclc")
    assert derived["primary_site"].source == "from histology: Metastatic non-small-cell lung cancer"


@pytest.mark.parametrize(
    "key",
    [
        P(None, id="s3-s4-s5-no-histology-recorded"),
        P("", id="s3-s4-s5-blank-histology"),
        P("awaiting_biopsy", id="s3-s4-s5-awaiting-biopsy"),
        P("met_not_in_catalogue", id="s3-s4-s5-unknown-histology-key"),
    ],
)
def test_s3_s4_s5_no_histology_derives_nothing(key: str | None) -> None:
    for tool_id in ("tokuhashi_revised", "tomita", "bauer_modified"):
        assert derive(tool_id, histology_key=key) == {}


# --- extent of disease -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "option"),
    [
        P(f, o, id=f"s3-extent-{f}-{o}")
        for f, options in (
            ("extraspinal_bone_mets", ("three_or_more", "one_or_two", "none")),
            ("vertebral_body_mets", ("three_or_more", "two", "one")),
            ("visceral_mets", ("unremovable", "removable", "none")),
        )
        for o in options
    ],
)
def test_s3_extent_feeds_tokuhashi_with_the_same_keys(field: str, option: str) -> None:
    derived = derive("tokuhashi_revised", extent=Extent(**{field: option}))  # type: ignore[arg-type]
    assert derived == {field: Derived(option, "from extent of disease")}


@pytest.mark.parametrize(
    ("visceral", "tomita", "bauer"),
    [
        # mdtboard rule (docs/clinical-rules.md, facts extent): none → none / yes,
        # removable → treatable / no, unremovable → untreatable / no
        P("none", "none", "yes", id="facts-visceral-none"),
        P("removable", "treatable", "no", id="facts-visceral-removable"),
        P("unremovable", "untreatable", "no", id="facts-visceral-unremovable"),
    ],
)
def test_s4_s5_extent_visceral_mets_feed_tomita_and_bauer(
    visceral: str, tomita: str, bauer: str
) -> None:
    extent = Extent(visceral_mets=visceral)  # type: ignore[arg-type]
    assert values(derive("tomita", extent=extent)) == {"visceral_mets": tomita}
    assert values(derive("bauer_modified", extent=extent)) == {"no_visceral_mets": bauer}


@pytest.mark.parametrize(
    ("extraspinal", "vertebral", "tomita", "bauer"),
    [
        # mdtboard rule: solitary only with no extraspinal bone metastasis and one
        # vertebral metastasis; otherwise multiple
        P("none", "one", "solitary", "yes", id="facts-bone-none-one-solitary"),
        P("none", "two", "multiple", "no", id="facts-bone-none-two-multiple"),
        P("none", "three_or_more", "multiple", "no", id="facts-bone-none-3plus-multiple"),
        P("one_or_two", "one", "multiple", "no", id="facts-bone-1or2-one-multiple"),
        P("one_or_two", "two", "multiple", "no", id="facts-bone-1or2-two-multiple"),
        P("one_or_two", "three_or_more", "multiple", "no", id="facts-bone-1or2-3plus-multiple"),
        P("three_or_more", "one", "multiple", "no", id="facts-bone-3plus-one-multiple"),
        P("three_or_more", "two", "multiple", "no", id="facts-bone-3plus-two-multiple"),
        P("three_or_more", "three_or_more", "multiple", "no", id="facts-bone-3plus-3plus-multiple"),
    ],
)
def test_s4_s5_extent_bone_mets_feed_tomita_and_bauer(
    extraspinal: str, vertebral: str, tomita: str, bauer: str
) -> None:
    extent = Extent(extraspinal, vertebral)  # type: ignore[arg-type]
    assert derive("tomita", extent=extent) == {
        "bone_mets": Derived(tomita, "from extent of disease")
    }
    assert derive("bauer_modified", extent=extent) == {
        "solitary_skeletal_met": Derived(bauer, "from extent of disease")
    }


@pytest.mark.parametrize(
    ("extraspinal", "vertebral"),
    [
        P(None, "one", id="facts-bone-unknown-extraspinal"),
        P("none", None, id="facts-bone-unknown-vertebral"),
        P("three_or_more", None, id="facts-bone-3plus-unknown-vertebral"),
        P(None, "three_or_more", id="facts-bone-unknown-extraspinal-3plus"),
        P(None, None, id="facts-bone-both-unknown"),
    ],
)
def test_s4_s5_bone_mets_not_derived_while_a_count_is_unknown(
    extraspinal: str | None, vertebral: str | None
) -> None:
    extent = Extent(extraspinal, vertebral)  # type: ignore[arg-type]
    assert derive("tomita", extent=extent) == {}
    assert derive("bauer_modified", extent=extent) == {}


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        P("extraspinal_bone_mets", "two", id="s3-extent-extraspinal-not-an-option"),
        P("vertebral_body_mets", "none", id="s3-D5-extent-no-zero-vertebral"),
        P("visceral_mets", "treatable", id="s3-extent-tomita-key-refused"),
        P("visceral_mets", 0, id="rule2-extent-not-text"),
    ],
)
def test_s3_extent_takes_only_tokuhashi_option_keys(field: str, bad: object) -> None:
    with pytest.raises(ValueError, match=field):
        Extent(**{field: bad})  # type: ignore[arg-type]


def test_s3_extent_read_back_from_recorded_tokuhashi_answers() -> None:
    recorded: Answers = {
        "tokuhashi_revised": {
            "kps": 70,
            "extraspinal_bone_mets": "none",
            "vertebral_body_mets": "one",
            "visceral_mets": "removable",
        }
    }
    assert extent_from(recorded) == Extent("none", "one", "removable")
    # a case scored before the extent was asked on its own still shares it
    assert values(derive("tomita", recorded)) == {
        "visceral_mets": "treatable",
        "bone_mets": "solitary",
    }
    assert values(derive("bauer_modified", recorded)) == {
        "no_visceral_mets": "no",
        "solitary_skeletal_met": "yes",
    }


@pytest.mark.parametrize(
    "recorded",
    [
        P({}, id="s3-extent-no-tokuhashi"),
        P({"tokuhashi_revised": {}}, id="s3-extent-nothing-answered"),
        P(
            {"tokuhashi_revised": {"extraspinal_bone_mets": None, "visceral_mets": None}},
            id="rule4-extent-none-is-not-answered",
        ),
        P(
            {"tokuhashi_revised": {"vertebral_body_mets": 1, "visceral_mets": "treatable"}},
            id="rule2-extent-not-an-option",
        ),
    ],
)
def test_s3_extent_read_back_knows_only_valid_answers(recorded: Answers) -> None:
    assert extent_from(recorded) == Extent()


def test_s3_the_extent_asked_once_wins_and_its_gaps_come_from_tokuhashi() -> None:
    recorded: Answers = {
        "tokuhashi_revised": {"extraspinal_bone_mets": "none", "visceral_mets": "none"}
    }
    extent = Extent(vertebral_body_mets="one", visceral_mets="unremovable")
    # visceral from the extent (unremovable → untreatable), extraspinal none from
    # Tokuhashi with vertebral one from the extent → solitary
    assert values(derive("tomita", recorded, extent=extent)) == {
        "visceral_mets": "untreatable",
        "bone_mets": "solitary",
    }


def test_s3_tokuhashi_is_never_derived_from_its_own_answers() -> None:
    recorded: Answers = {
        "tokuhashi_revised": {"kps": 70, "visceral_mets": "none", "vertebral_body_mets": "one"}
    }
    assert derive("tokuhashi_revised", recorded) == {}


def test_s3_s4_s5_extent_feeds_no_other_tool() -> None:
    extent = Extent("none", "one", "none")
    for tool_id in ("sins", "escc", "nesms", "kps", "ecog", "frankel", "noms"):
        assert derive(tool_id, extent=extent) == {}


# --- modified Bauer total → NESMS (§6) --------------------------------------------------------


def bauer(yes: int) -> dict[str, object]:
    """Modified Bauer answers with ``yes`` favourable items (§5: total = number of yes)."""
    items = ("no_visceral_mets", "primary_not_lung", "primary_favourable", "solitary_skeletal_met")
    return {item: "yes" if n < yes else "no" for n, item in enumerate(items)}


@pytest.mark.parametrize(
    ("total", "points"),
    [
        # §6: modified Bauer 0, 1 or 2 → 0 points; 3 or 4 → 2 points
        P(0, 0, id="s6-bauer0-0pts"),
        P(1, 0, id="s6-bauer1-0pts"),
        P(2, 0, id="s6-bauer2-0pts"),
        P(3, 2, id="s6-bauer3-2pts"),
        P(4, 2, id="s6-bauer4-2pts"),
    ],
)
def test_s6_bauer_total_feeds_nesms_modified_bauer(total: int, points: int) -> None:
    derived = derive("nesms", {"bauer_modified": bauer(total)})
    assert derived == {"modified_bauer": Derived(total, f"from modified Bauer total {total}")}
    assert evaluate("nesms", {"modified_bauer": total}).item_points["modified_bauer"] == points


@pytest.mark.parametrize(
    "recorded",
    [
        P({"no_visceral_mets": "yes", "primary_not_lung": "yes"}, id="s6-bauer-incomplete"),
        P({**bauer(4), "primary_favourable": None}, id="rule4-bauer-item-none"),
        P({**bauer(4), "primary_favourable": "maybe"}, id="rule3-bauer-bad-option"),
        P({**bauer(4), "fracture": "yes"}, id="rule3-bauer-unknown-item"),
    ],
)
def test_s6_only_a_complete_bauer_result_feeds_nesms(recorded: dict[str, object]) -> None:
    assert derive("nesms", {"bauer_modified": recorded}) == {}


# --- derived answers are answers the engine takes ---------------------------------------------


def test_use_a_whole_case_derived_scores_as_the_reference_tables_add_up() -> None:
    recorded: Answers = {
        "kps": {"kps": 70},
        "frankel": {"grade": "e"},
        "bauer_modified": bauer(4),
    }
    extent = Extent("none", "one", "none")

    def scored(tool_id: str) -> tuple[int | None, str | None]:
        d = derive(tool_id, recorded, "met_breast", extent)
        r = evaluate(tool_id, values(d))
        return r.total, r.band

    # §3: KPS 70 (1) + extraspinal none (2) + vertebral one (2) + visceral none (2)
    # + breast (5) + Frankel E (2) = 14 → ge_1_year (12–15)
    assert scored("tokuhashi_revised") == (14, "ge_1_year")
    # §4: slow (1) + visceral none (0) + solitary (1) = 2 → wide_or_marginal_excision
    assert scored("tomita") == (2, "wide_or_marginal_excision")
    # §5: four yes = 4 → good
    assert scored("bauer_modified") == (4, "good")
    # §7.3: KPS 70 → ECOG 1 (§7.2 band restricted)
    assert scored("ecog") == (1, "restricted")
    # §6: ambulation and albumin are still to be asked; modified Bauer 4 scores 2
    nesms = evaluate("nesms", values(derive("nesms", recorded)))
    assert (nesms.complete, nesms.missing) == (False, ("ambulation", "albumin_g_dl"))
    assert nesms.item_points["modified_bauer"] == 2


def test_use_rule3_an_unknown_tool_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="tokuhashi_2005"):
        derive("tokuhashi_2005")


_OPTIONS = {
    key: (*(o.key for o in item.options), None)
    for key in ("extraspinal_bone_mets", "vertebral_body_mets", "visceral_mets")
    if (item := TOOLS["tokuhashi_revised"].item(key)) is not None
}
_EXTENTS = st.builds(
    Extent,
    st.sampled_from(_OPTIONS["extraspinal_bone_mets"]),
    st.sampled_from(_OPTIONS["vertebral_body_mets"]),
    st.sampled_from(_OPTIONS["visceral_mets"]),
)
_ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(-20, 120), st.floats(), st.text(max_size=3)
)
_RECORDED = st.fixed_dictionaries(
    {},
    optional={
        "kps": st.fixed_dictionaries(
            {"kps": st.one_of(st.sampled_from(range(0, 101, 10)), _ANYTHING)}
        ),
        "frankel": st.fixed_dictionaries({"grade": st.one_of(st.sampled_from("abcde"), _ANYTHING)}),
        "bauer_modified": st.integers(0, 4).map(bauer),
        "tokuhashi_revised": st.fixed_dictionaries(
            {},
            optional={
                "kps": st.one_of(st.sampled_from(range(10, 101, 10)), _ANYTHING),
                **{k: st.sampled_from(v) for k, v in _OPTIONS.items()},
            },
        ),
    },
)
_HISTOLOGIES = st.sampled_from([*histology.CATALOGUE, None, "", "awaiting_biopsy", "nope"])


@given(_RECORDED, _HISTOLOGIES, st.one_of(st.none(), _EXTENTS))
def test_use_rule3_every_derived_answer_evaluates_without_error(
    recorded: Answers, histology_key: str | None, extent: Extent | None
) -> None:
    for tool_id, tool in TOOLS.items():
        derived = derive(tool_id, recorded, histology_key, extent)
        assert set(derived) <= {item.key for item in tool.items}
        assert all(d.source.startswith("from ") for d in derived.values())
        evaluate(tool_id, values(derived))  # raises ValueError on any invalid answer
