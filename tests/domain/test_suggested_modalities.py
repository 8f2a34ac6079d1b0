"""The modalities "Apply suggestion" proposes from a NOMS result:
``treatments.suggested_modalities(band, flags, dexamethasone_started)``.

Expected values from reference/scores.md: §9.1 (the band's radiation / surgery
pathway), §9.2 (the flags: only ``stabilisation`` asks for an operation) and §11 /
NG234 §1.8 (dexamethasone 16 mg daily while awaiting surgery or radiotherapy). Doses
and fractions are deliberately left for the MDT to choose, so the plan validator asks
for them and for nothing else. Decision support only: the chair edits the plan.
"""

from __future__ import annotations

from typing import Any

import pytest

from mdtboard.domain import treatments
from mdtboard.domain.treatments import suggested_modalities, validate_plan

#: §9.1: every band of the NOMS table
BANDS = ("cebrt", "sbrt", "separation_surgery_then_sbrt")
#: §9.2 flags other than ``stabilisation``, and the §9.4 flags of the case-level helper
OTHER_FLAGS = (
    "surgical_opinion",
    "cement_augmentation",
    "borderline_compression",
    "not_fit_for_surgery",
    "surgical_candidate_high_grade",
    "primary_tumour_pathway",
    "disease_kind_uncertain",
)
#: the fields the function leaves for the MDT (§9.1 names no dose: the MDT chooses it)
LEFT_TO_THE_MDT = {"dose_gy", "fractions"}


def kinds(modalities: list[dict[str, Any]]) -> list[str]:
    return [m["kind"] for m in modalities]


def problems_other_than_dose(modalities: list[dict[str, Any]]) -> list[Any]:
    """Every problem the validator finds, apart from a radiotherapy's missing dose and
    fractions (an intent is given so only the modalities are judged)."""
    found = validate_plan("palliative", modalities)
    return [
        p
        for p in found
        if not (
            p.severity == "error"
            and p.field in LEFT_TO_THE_MDT
            and p.modality_index is not None
            and modalities[p.modality_index]["kind"] in treatments.FRACTION_LIMITS
            and p.message.endswith("is required.")
        )
    ]


# --- §9.1: one suggestion per band ------------------------------------------------------


def test_s9_1_row_1_and_row_4_cebrt_band_suggests_conventional_radiotherapy() -> None:
    assert suggested_modalities("cebrt") == [{"kind": "cebrt", "details": {}}]


def test_s9_1_row_2_sbrt_band_suggests_stereotactic_radiotherapy() -> None:
    assert suggested_modalities("sbrt") == [{"kind": "sbrt", "details": {}}]


def test_s9_1_row_3_separation_surgery_then_sbrt() -> None:
    out = suggested_modalities("separation_surgery_then_sbrt")
    assert kinds(out) == ["surgery", "sbrt"]  # surgery first, then SBRT
    assert out[0]["details"] == {"procedure": "separation_surgery"}
    assert out[1]["details"]["sequence_note"] == "after separation surgery"
    assert set(out[1]["details"]) == {"sequence_note"}


def test_s9_3_no_band_suggests_nothing() -> None:
    """§9.3/§9.4: while inputs are missing, or for a primary tumour, there is no band,
    and nothing is guessed."""
    assert suggested_modalities(None) == []
    assert suggested_modalities(None, ("primary_tumour_pathway",)) == []


def test_s9_1_an_unknown_band_suggests_nothing() -> None:
    assert suggested_modalities("not_a_band") == []


# --- §9.2: the flags --------------------------------------------------------------------


@pytest.mark.parametrize("band", ["cebrt", "sbrt"], ids=["s9.2-cebrt", "s9.2-sbrt"])
def test_s9_2_stabilisation_adds_stabilisation_surgery_before_the_radiotherapy(
    band: str,
) -> None:
    out = suggested_modalities(band, ("stabilisation",))
    assert out == [
        {"kind": "surgery", "details": {"procedure": "stabilisation"}},
        {"kind": band, "details": {}},
    ]


def test_s9_2_stabilisation_whatever_the_band_even_without_one() -> None:
    """§9.2: "instability needs stabilisation … whatever the band"."""
    assert suggested_modalities(None, ("stabilisation",)) == [
        {"kind": "surgery", "details": {"procedure": "stabilisation"}}
    ]


def test_s9_2_stabilisation_with_separation_surgery_goes_into_its_notes() -> None:
    out = suggested_modalities("separation_surgery_then_sbrt", ("stabilisation",))
    assert kinds(out) == ["surgery", "sbrt"]  # one operation, not two
    surgery = out[0]["details"]
    assert surgery["procedure"] == "separation_surgery"
    assert "stabilisation" in surgery["notes"]


@pytest.mark.parametrize("band", [*BANDS, None], ids=[f"s9.2-{b}" for b in (*BANDS, "none")])
@pytest.mark.parametrize("flag", OTHER_FLAGS)
def test_s9_2_other_flags_add_nothing(band: str | None, flag: str) -> None:
    assert suggested_modalities(band, (flag,)) == suggested_modalities(band)


def test_s9_2_all_other_flags_together_add_nothing_to_stabilisation() -> None:
    flags = tuple(sorted((*OTHER_FLAGS, "stabilisation")))
    for band in (*BANDS, None):
        assert suggested_modalities(band, flags) == suggested_modalities(band, ("stabilisation",))


# --- §11 / NG234 §1.8: dexamethasone already started --------------------------------------


def test_s11_dexamethasone_daily_maximum_is_16_mg() -> None:
    """§11: "16 mg daily while awaiting surgery or radiotherapy" (NG234 §1.8); D20: a
    dose above 16 mg a day is a warning."""
    assert treatments.DEXAMETHASONE_DAILY_MAX_MG == 16


@pytest.mark.parametrize("band", [*BANDS, None], ids=[f"s11-{b}" for b in (*BANDS, "none")])
def test_s11_dexamethasone_started_comes_first_at_16_mg_daily(band: str | None) -> None:
    out = suggested_modalities(band, (), dexamethasone_started=True)
    assert out[0] == {"kind": "dexamethasone", "details": {"dose_mg": 16}}
    assert out[1:] == suggested_modalities(band)


def test_s11_dexamethasone_not_started_is_not_suggested() -> None:
    for band in (*BANDS, None):
        out = suggested_modalities(band, ("stabilisation",), dexamethasone_started=False)
        assert "dexamethasone" not in kinds(out)


def test_s11_D20_the_suggested_dexamethasone_dose_raises_no_warning() -> None:
    out = suggested_modalities(None, (), dexamethasone_started=True)
    assert validate_plan("palliative", out) == ()


# --- every suggestion is a valid modality, short of the MDT's dose ------------------------


CASES = [
    (band, flags, dex)
    for band in (*BANDS, None)
    for flags in ((), ("stabilisation",), ("stabilisation", *OTHER_FLAGS))
    for dex in (False, True)
]


@pytest.mark.parametrize(
    ("band", "flags", "dex"),
    CASES,
    ids=[f"s9-{b}-{'+'.join(f) or 'noflags'}-{'dex' if d else 'nodex'}" for b, f, d in CASES],
)
def test_s9_every_suggested_modality_validates_apart_from_the_dose_left_to_the_mdt(
    band: str | None, flags: tuple[str, ...], dex: bool
) -> None:
    out = suggested_modalities(band, flags, dex)
    if not out:  # no band, no instability, no dexamethasone: nothing is suggested
        assert (band, "stabilisation" in flags, dex) == (None, False, False)
        return
    for m in out:
        assert m["kind"] in treatments.MODALITY_KINDS
        assert all(v != "" for v in m["details"].values()), m  # no empty detail stored
    assert problems_other_than_dose(out) == []
    # the plan is validated as a whole too: no modality listed twice
    assert len(set(kinds(out))) == len(out)
    # and exactly the radiotherapy's dose and fractions are asked of the MDT
    missing = {
        (p.modality_index, p.field)
        for p in validate_plan("palliative", out)
        if p.field in LEFT_TO_THE_MDT
    }
    radiotherapy = [n for n, m in enumerate(out) if m["kind"] in ("cebrt", "sbrt")]
    assert missing == {(n, f) for n in radiotherapy for f in LEFT_TO_THE_MDT}


def test_s9_the_result_is_a_fresh_list_each_call() -> None:
    first = suggested_modalities("separation_surgery_then_sbrt", ("stabilisation",), True)
    first[0]["details"]["dose_mg"] = 40
    first.append({"kind": "palliative_care", "details": {}})
    again = suggested_modalities("separation_surgery_then_sbrt", ("stabilisation",), True)
    assert again[0]["details"] == {"dose_mg": 16}
    assert kinds(again) == ["dexamethasone", "surgery", "sbrt"]
