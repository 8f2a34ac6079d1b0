"""docs/clinical-rules.md is complete: a row for every table row, rule and decision of
reference/scores.md (and the DOMAIN.md rules the app implements), each with tests that
exist. The reference rows are listed here as the reference numbers them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import COLLECTED
from tests.domain.test_reference_scores import KEYS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "clinical-rules.md"


def _required() -> set[str]:
    """Every row of reference/scores.md (§ and row, as the doc names them) and D1–D20."""
    refs = {f"use-{n}" for n in range(1, 7)} | {"use-registry", "use-helpers"}
    sins = KEYS["sins"]
    refs |= {f"§1 {i}={o}" for i, opts in sins.items() for o in opts or ()}
    refs |= {"§1 total", "§1 flag"} | {
        f"§1 band={b}" for b in ("stable", "indeterminate", "unstable")
    }
    refs |= {
        f"§1.1 {r}"
        for r in ("C0–C2", "C3–C6", "C7–T2", "T3–T10", "T11–L1", "L2–L4", "L5–S1", "S2–coccyx")
    }
    refs |= {"§1.1 normalise", "§1.1 unknown", "§1.1 examples", "§1.1 occiput"}
    refs |= {f"§2 grade={g}" for g in ("0", "1a", "1b", "1c", "2", "3")}
    refs |= {"§3 kps 10–40", "§3 kps 50–70", "§3 kps 80–100", "§3 total"}
    refs |= {
        f"§3 {i}={o}"
        for i, opts in (
            ("extraspinal_bone_mets", ("three_or_more", "one_or_two", "none")),
            ("vertebral_body_mets", ("three_or_more", "two", "one")),
            ("visceral_mets", ("unremovable", "removable", "none")),
        )
        for o in opts
    }
    refs |= {f"§3 primary_site tier {n}" for n in range(6)}
    refs |= {"§3 palsy a–b", "§3 palsy c–d", "§3 palsy e"}
    refs |= {f"§3 band={b}" for b in ("lt_6_months", "ge_6_months", "ge_1_year")}
    refs |= {
        f"§4 {i}={o}"
        for i, opts in (
            ("primary_growth", ("slow", "moderate", "rapid")),
            ("visceral_mets", ("none", "treatable", "untreatable")),
            ("bone_mets", ("solitary", "multiple")),
        )
        for o in opts
    }
    refs |= {"§4 total", "§4 examples"} | {
        f"§4 band={b}"
        for b in (
            "wide_or_marginal_excision",
            "marginal_or_intralesional_excision",
            "palliative_surgery",
            "supportive_care",
        )
    }
    refs |= {
        f"§5 {i}"
        for i in (
            "no_visceral_mets",
            "primary_not_lung",
            "primary_favourable",
            "solitary_skeletal_met",
        )
    }
    refs |= {"§5 total", "§5 form", "§5 no cross-check"} | {
        f"§5 band={b}" for b in ("poor", "intermediate", "good")
    }
    refs |= {
        "§6 modified_bauer 3–4",
        "§6 modified_bauer 0–2",
        "§6 ambulation=independent",
        "§6 ambulation=dependent",
        "§6 albumin ≥ 3.5",
        "§6 albumin < 3.5",
        "§6 total",
        "§6 item points shown",
    } | {f"§6 band=nesms_{n}" for n in range(4)}
    refs |= {"§7.1 kps"} | {
        f"§7.1 band={b}" for b in ("normal_activity", "unable_to_work", "unable_self_care", "dead")
    }
    refs |= {f"§7.2 grade={g}" for g in "012345"} | {f"§7.3 ECOG {g}" for g in range(6)}
    refs |= {"§7.3 function", "§7.3 proposal", "§7.3 approximate"}
    refs |= {f"§8.1 frankel={g}" for g in "abcde"} | {f"§8.2 asia={g}" for g in "abcde"}
    refs |= {f"§8.3 mccormick={g}" for g in ("i", "ii", "iii", "iv")}
    refs |= {
        f"§9 {i}"
        for i in (
            "neurologic",
            "oncologic",
            "mechanical",
            "systemic",
            "mechanical_pain_without_deformity",
        )
    }
    refs |= {f"§9.1 row {n}" for n in range(1, 5)} | {"§9.1 mechanical"}
    refs |= {
        f"§9.2 {f}"
        for f in (
            "stabilisation",
            "surgical_opinion",
            "cement_augmentation",
            "borderline_compression",
            "not_fit_for_surgery",
            "surgical_candidate_high_grade",
            "no cement when unstable",
        )
    }
    refs |= {"§9.3 explanation", "§9.3 missing"}
    refs |= {"§9.4 primary", "§9.4 uncertain", "§9.4 screens", "§9.4 documents"}
    refs |= {"§10 radiosensitive", "§10 radioresistant", "§10 Ewing", "§10 unlisted"}
    refs |= {
        f"§11 {r}"
        for r in (
            "MRI with neurology",
            "plan with neurology",
            "without neurology",
            "radiotherapy",
            "dexamethasone",
            "clock keys",
            "clock states",
            "boundary",
            "MRI → plan",
            "surgery",
            "where shown",
            "recognition: cancer + neurology",
            "recognition: tumour pain + neurology",
            "recognition: cauda equina",
            "recognition: cancer + pain",
            "dexamethasone recorded",
        )
    }
    refs |= {f"§12.1 {k}" for k in ("s1", "s2", "s3", "ia", "ib", "iia", "iib", "iiia", "iiib")}
    refs |= {"§12.1 stage III split", "§12.1 compartment", "§12.1 en bloc aim"}
    refs |= {
        f"§12.2 {r}"
        for r in ("zones and layers", "record", "reading body", "reading sagittal", "reading arch")
    }
    refs |= {
        f"§12.3 {k}"
        for k in (
            "ependymoma",
            "ependymoma_mycn",
            "myxopapillary_ependymoma",
            "subependymoma",
            "pilocytic_astrocytoma",
            "diffuse_midline_glioma",
            "meningioma",
            "schwannoma",
            "haemangioblastoma",
        )
    }
    refs |= {"§12.3 written as CNS5"}
    refs |= {f"D{n}" for n in range(1, 21)}
    return refs


def _rows() -> dict[str, list[str]]:
    """ref → test node ids, from every table row of the document."""
    rows: dict[str, list[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| ref |"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 4, f"a row of docs/clinical-rules.md has {len(cells)} cells: {line}"
        ref, _rule, _code, tests = cells
        assert ref not in rows, f"{ref} has two rows"
        rows[ref] = re.findall(r"`(tests/[^`]+)`", tests)
    return rows


def _collected(files: set[str]) -> set[str]:
    """Node ids of these test files: from this run when it collected them, otherwise
    from a collection of just those files."""
    ids = set(COLLECTED)
    have = {i.split("::")[0] for i in ids}
    missing = sorted(files - have)
    if missing:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
                *missing,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        ids |= {line.strip() for line in out.splitlines() if "::" in line}
    return ids


def test_every_reference_row_has_a_row_with_tests_that_exist(
    request: pytest.FixtureRequest,
) -> None:
    rows = _rows()
    missing = sorted(_required() - set(rows))
    assert not missing, f"rows missing from docs/clinical-rules.md: {missing}"
    untested = sorted(ref for ref, tests in rows.items() if not tests)
    assert not untested, f"rows with no test: {untested}"
    wanted = {t for tests in rows.values() for t in tests}
    ids = _collected({t.split("::")[0] for t in wanted})
    functions = {i.split("[")[0] for i in ids}
    unknown = sorted(t for t in wanted if t not in ids and t not in functions)
    assert not unknown, f"tests named in docs/clinical-rules.md that do not exist: {unknown}"


def test_the_clinical_tests_cite_the_reference() -> None:
    """Clinical tests say the section they check in their name or parameter ids."""
    for path in ("tests/domain/test_reference_scores.py", "tests/domain/test_reference_rules.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        names = re.findall(r"^def (test_\w+)", text, re.MULTILINE)
        assert names
        uncited = [n for n in names if not re.match(r"test_(s\d|use_|D\d|prognostic)", n)]
        assert not uncited, f"{path}: tests without their section in the name: {uncited}"
