"""The meeting-mode presenter without Qt: opening a case, facts asked once, undo, saving,
sign-off and amendment, the NOMS suggestion turned into modalities, the pre-written
rationale and plan, and the primary-tumour staging (fictional data only).

Every expected clinical value is written from reference/scores.md, cited by section in
the test name or parameter id; the derived answers follow docs/clinical-rules.md,
"Facts asked once". No qtbot, no QApplication, no PySide6 import: the presenter is a
plain class.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from mdtboard.services import assessments, decisions, meetings, referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.errors import ServiceError
from mdtboard.services.meetings import AgendaEntry
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import Assessment, AuditEvent, Decision
from mdtboard.ui.meeting.presenter import CasePresenter

ROOT = Path(__file__).resolve().parents[2]

PATIENT = PatientInput("PRES0001", "Fictional", "Ada", date(1958, 3, 2), "female")
#: a metastatic renal cell carcinoma across the thoracolumbar boundary (fictional)
RENAL = ReferralInput(
    received_at=datetime.now(UTC) - timedelta(days=1),
    referrer_name="Dr Test Referrer (demo)",
    urgency="urgent",
    question="Separation surgery for T10–T11?",
    disease_kind="metastatic",
    histology_key="met_renal",
    compartment="extradural",
    levels=("T10", "T11"),
)
#: a sacral chordoma: a primary tumour, outside NOMS (§9.4)
CHORDOMA = replace(
    RENAL,
    question="En bloc resection of the sacral tumour?",
    disease_kind="primary",
    histology_key="chordoma",
    levels=("S2", "S3", "S4"),
)
#: the SINS items other than location at their lowest (§1): with any location the
#: total stays within 0–6, so the spine is ``stable``
SINS_QUIET = {
    "pain": "pain_free",
    "bone_lesion": "blastic",
    "alignment": "normal",
    "collapse": "none",
    "posterolateral": "none",
}
SBRT_PLAN: dict[str, Any] = {
    "intent": "palliative",
    "plan_text": "Separation surgery, then SBRT 27 Gy in 3 fractions (demo).",
    "modalities": (
        ModalityInput("surgery", {"procedure": "separation_surgery"}),
        ModalityInput("sbrt", {"dose_gy": 27, "fractions": 3}),
    ),
}


@dataclass
class Opened:
    p: CasePresenter
    entry: AgendaEntry
    referral_id: int
    meeting_id: int


def list_and_open(
    ctx: ServiceContext, referral: ReferralInput = RENAL, patient: PatientInput = PATIENT
) -> Opened:
    case = referrals.register_referral(ctx, patient, referral)
    m = meetings.create_meeting(
        ctx,
        title="Presenter test (demo)",
        starts_at=datetime.now(UTC) + timedelta(hours=1),
        chair_id=1,
    )
    listed = meetings.list_case(ctx, m.id, case.id)
    p = CasePresenter(ctx, m.id)
    entries = p.agenda()
    entry = next(e for e in entries if e.id == listed.id)
    p.open(entry)
    return Opened(p, entry, case.id, m.id)


@pytest.fixture
def renal(ctx: ServiceContext) -> Opened:
    return list_and_open(ctx)


def stored(ctx: ServiceContext, referral_id: int) -> dict[tuple[str, str], Any]:
    """The newest stored score of each (tool, subject), read back through the service."""
    out: dict[tuple[str, str], Any] = {}
    for a in assessments.list_assessments(ctx.db, referral_id):
        out[(a.tool_id, a.subject)] = a  # ordered by id within a tool and subject
    return out


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def points(p: CasePresenter, tool_id: str, item: str) -> int:
    result = p.result(tool_id)
    assert result is not None
    return result.item_points[item]


# --- no Qt ----------------------------------------------------------------------------


def test_the_presenter_and_the_renderer_import_without_qt() -> None:
    code = (
        "import sys, mdtboard.ui.meeting.presenter, mdtboard.ui.meeting.render; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')]"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


# --- opening a case -------------------------------------------------------------------


def test_open_reads_the_case_from_the_services_writes_nothing_and_is_clean(
    ctx: ServiceContext,
) -> None:
    case = referrals.register_referral(ctx, PATIENT, RENAL)
    m = meetings.create_meeting(
        ctx, title="Open test (demo)", starts_at=datetime.now(UTC) + timedelta(hours=1), chair_id=1
    )
    listed = meetings.list_case(ctx, m.id, case.id)
    p = CasePresenter(ctx, m.id)
    loaded: list[str] = []
    p.loaded.connect(loaded.append)
    entries = p.agenda()
    assert [e.id for e in entries] == [listed.id]
    before = audit_count(ctx)

    p.open(entries[0])

    assert loaded == ["open"]
    assert p.entry == entries[0]
    assert p.case is not None and p.case.referral_id == case.id
    assert p.case.patient.mrn == "PRES0001" and p.case.histology_key == "met_renal"
    assert p.case.levels == ("T10", "T11")
    assert p.decision is None and p.data == DecisionInput()
    assert p.dirty is False and p.last_save_error == ""
    assert not p.is_final and not p.is_signed and not p.is_primary
    assert not p.can_undo and not p.can_redo
    assert {"sins", "escc", "tokuhashi_revised", "tomita", "bauer_modified", "nesms"} <= set(
        p.tools
    )
    assert {"kps", "ecog", "frankel"} <= set(p.tools)
    # opening proposes answers but stores nothing: no score, no draft, no audit event
    assert assessments.list_assessments(ctx.db, case.id) == []
    assert decisions.current_decision(ctx.db, listed.id) is None
    assert audit_count(ctx) == before


@pytest.mark.parametrize(
    ("levels", "location"),
    [
        pytest.param(("T7",), "semi_rigid", id="s1.1-T3-T10-semi_rigid"),
        pytest.param(("L3",), "mobile", id="s1.1-L2-L4-mobile"),
        pytest.param(("C1",), "junctional", id="s1.1-C0-C2-junctional"),
        pytest.param(("S2", "S3"), "rigid", id="s1.1-S2-coccyx-rigid"),
        pytest.param(("T10", "T11"), "junctional", id="s1.1-D1-T10-T11-highest-junctional"),
        pytest.param(("L4", "L5"), "junctional", id="s1.1-D1-L4-L5-highest-junctional"),
    ],
)
def test_s1_1_open_proposes_the_sins_location_from_the_levels(
    ctx: ServiceContext, levels: tuple[str, ...], location: str
) -> None:
    opened = list_and_open(ctx, replace(RENAL, levels=levels))
    assert opened.p.scores["sins"] == {"location": location}
    assert opened.p.dirty is False  # proposed, saved with the first real edit


@pytest.mark.parametrize(
    ("histology_key", "site", "site_points", "growth", "growth_points", "not_lung", "favourable"),
    [
        pytest.param("met_renal", "kidney", 3, "moderate", 2, "yes", "yes", id="s3-s4-s5-renal"),
        pytest.param("met_breast", "breast", 5, "slow", 1, "yes", "yes", id="s3-s4-s5-breast"),
        pytest.param("met_lung_nsclc", "lung", 0, "rapid", 4, "no", "no", id="s3-s4-s5-nsclc"),
    ],
)
def test_s3_s4_s5_open_derives_the_primary_items_from_the_histology(
    ctx: ServiceContext,
    histology_key: str,
    site: str,
    site_points: int,
    growth: str,
    growth_points: int,
    not_lung: str,
    favourable: str,
) -> None:
    p = list_and_open(ctx, replace(RENAL, histology_key=histology_key)).p
    assert p.scores["tokuhashi_revised"] == {"primary_site": site}
    assert points(p, "tokuhashi_revised", "primary_site") == site_points
    assert p.scores["tomita"] == {"primary_growth": growth}
    assert points(p, "tomita", "primary_growth") == growth_points
    assert p.scores["bauer_modified"] == {
        "primary_not_lung": not_lung,
        "primary_favourable": favourable,
    }
    for tool_id, items in (
        ("tokuhashi_revised", {"primary_site"}),
        ("tomita", {"primary_growth"}),
        ("bauer_modified", {"primary_not_lung", "primary_favourable"}),
    ):
        sources = p.derived_sources(tool_id)
        assert set(sources) == items
        assert all(s.startswith("from histology") for s in sources.values())
    assert p.derived_sources("sins") == {}  # the level proposal is not a derived fact
    assert p.dirty is False


# --- facts asked once -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kps", "ecog", "tokuhashi_points"),
    [
        pytest.param(100, "0", 2, id="s3-s7.3-kps100-ecog0-2pts"),
        pytest.param(90, "0", 2, id="s3-s7.3-kps90-ecog0-2pts"),
        pytest.param(80, "1", 2, id="s3-s7.3-kps80-ecog1-2pts"),
        pytest.param(70, "1", 1, id="s3-s7.3-kps70-ecog1-1pt"),
        pytest.param(60, "2", 1, id="s3-s7.3-kps60-ecog2-1pt"),
        pytest.param(50, "2", 1, id="s3-s7.3-kps50-ecog2-1pt"),
        pytest.param(40, "3", 0, id="s3-s7.3-kps40-ecog3-0pts"),
        pytest.param(30, "3", 0, id="s3-s7.3-kps30-ecog3-0pts"),
        pytest.param(20, "4", 0, id="s3-s7.3-kps20-ecog4-0pts"),
        pytest.param(10, "4", 0, id="s3-s7.3-kps10-ecog4-0pts"),
    ],
)
def test_s3_s7_3_kps_asked_once_feeds_tokuhashi_and_ecog(
    renal: Opened, kps: int, ecog: str, tokuhashi_points: int
) -> None:
    p = renal.p
    p.set_score("kps", {"kps": kps})
    assert p.scores["kps"] == {"kps": kps}
    assert p.scores["tokuhashi_revised"]["kps"] == kps  # D4: the same number
    assert points(p, "tokuhashi_revised", "kps") == tokuhashi_points
    assert p.scores["ecog"] == {"grade": ecog}
    assert p.derived_sources("tokuhashi_revised")["kps"] == f"from KPS {kps}"
    assert "approximate" in p.derived_sources("ecog")["grade"]  # §7.3: labelled so
    assert p.dirty is True


@pytest.mark.parametrize(
    ("grade", "palsy_points"),
    [
        pytest.param("a", 0, id="s3-s8.1-frankel-a-0pts"),
        pytest.param("b", 0, id="s3-s8.1-frankel-b-0pts"),
        pytest.param("c", 1, id="s3-s8.1-frankel-c-1pt"),
        pytest.param("d", 1, id="s3-s8.1-frankel-d-1pt"),
        pytest.param("e", 2, id="s3-s8.1-frankel-e-2pts"),
    ],
)
def test_s3_s8_1_frankel_grade_feeds_tokuhashi_palsy(
    renal: Opened, grade: str, palsy_points: int
) -> None:
    p = renal.p
    p.set_score("frankel", {"grade": grade})
    assert p.scores["tokuhashi_revised"]["palsy"] == grade
    assert points(p, "tokuhashi_revised", "palsy") == palsy_points
    assert p.derived_sources("tokuhashi_revised")["palsy"] == f"from Frankel {grade.upper()}"


def test_s7_3_an_item_changed_by_hand_is_no_longer_moved_by_kps(renal: Opened) -> None:
    p = renal.p
    p.set_score("kps", {"kps": 70})
    assert p.scores["ecog"] == {"grade": "1"}  # §7.3: KPS 70 → ECOG 1
    p.set_score("ecog", {"grade": "3"})  # the MDT judges otherwise
    assert p.derived_sources("ecog") == {}
    p.set_score("kps", {"kps": 90})
    assert p.scores["ecog"] == {"grade": "3"}  # not moved to ECOG 0
    assert p.scores["tokuhashi_revised"]["kps"] == 90  # Tokuhashi still follows KPS

    tokuhashi = {**p.scores["tokuhashi_revised"], "kps": 50}  # changed by hand too
    p.set_score("tokuhashi_revised", tokuhashi)
    p.set_score("kps", {"kps": 80})
    assert p.scores["tokuhashi_revised"]["kps"] == 50
    assert "kps" not in p.derived_sources("tokuhashi_revised")
    # the other derived items still follow their facts
    assert p.derived_sources("tokuhashi_revised")["primary_site"].startswith("from histology")


def test_s3_s4_s5_s6_extent_in_tokuhashi_feeds_tomita_and_bauer_and_bauer_feeds_nesms(
    renal: Opened,
) -> None:
    """docs/clinical-rules.md "Facts asked once" (mdtboard rules): visceral none →
    Tomita none / Bauer yes; removable → treatable / no; no extraspinal and one
    vertebral metastasis → solitary / yes, otherwise multiple / no. §5: the Bauer total
    is the number of yes; §6: NESMS takes it as ``modified_bauer`` (3–4 → 2 points,
    0–2 → 0 points)."""
    p = renal.p
    extent = {
        "extraspinal_bone_mets": "none",
        "vertebral_body_mets": "one",
        "visceral_mets": "none",
    }
    p.set_score("tokuhashi_revised", {**p.scores["tokuhashi_revised"], **extent})
    assert p.scores["tomita"] == {
        "primary_growth": "moderate",
        "visceral_mets": "none",
        "bone_mets": "solitary",
    }
    assert p.scores["bauer_modified"] == {
        "primary_not_lung": "yes",
        "primary_favourable": "yes",
        "no_visceral_mets": "yes",
        "solitary_skeletal_met": "yes",
    }
    bauer = p.result("bauer_modified")
    assert bauer is not None and (bauer.total, bauer.band) == (4, "good")  # §5: 4 × yes
    assert p.scores["nesms"] == {"modified_bauer": 4}
    assert points(p, "nesms", "modified_bauer") == 2
    assert p.derived_sources("tomita")["bone_mets"] == "from extent of disease"
    assert p.derived_sources("nesms") == {"modified_bauer": "from modified Bauer total 4"}
    # §4: moderate 2 + no visceral 0 + solitary 1 = 3 → wide or marginal excision
    tomita = p.result("tomita")
    assert tomita is not None and (tomita.total, tomita.band) == (3, "wide_or_marginal_excision")

    # a second vertebral metastasis: multiple, no longer solitary; Bauer 3 still 2 points
    p.set_score(
        "tokuhashi_revised", {**p.scores["tokuhashi_revised"], "vertebral_body_mets": "two"}
    )
    assert p.scores["tomita"]["bone_mets"] == "multiple"
    assert p.scores["bauer_modified"]["solitary_skeletal_met"] == "no"
    assert p.scores["nesms"] == {"modified_bauer": 3}
    assert points(p, "nesms", "modified_bauer") == 2

    # removable visceral metastases: Tomita treatable, Bauer no; Bauer 2 → 0 points
    p.set_score(
        "tokuhashi_revised", {**p.scores["tokuhashi_revised"], "visceral_mets": "removable"}
    )
    assert p.scores["tomita"]["visceral_mets"] == "treatable"
    assert p.scores["bauer_modified"]["no_visceral_mets"] == "no"
    assert p.scores["nesms"] == {"modified_bauer": 2}
    assert points(p, "nesms", "modified_bauer") == 0


def test_s3_s4_s5_s6_d7_a_whole_case_asked_once_adds_up_as_the_reference_tables(
    renal: Opened,
) -> None:
    """KPS 70, Frankel D and the extent entered once; renal primary from the histology.
    §3: KPS 50–70 1 + extraspinal none 2 + one vertebral 2 + visceral none 2 + kidney 3 +
    palsy d 1 = 11 → ge_6_months (9–11). §4: moderate 2 + none 0 + solitary 1 = 3 →
    wide_or_marginal_excision. §5: four yes = 4 → good. §6/D7: Bauer 4 (2) + independent
    (1) + albumin 3.8 ≥ 3.5 (1) = 4, capped at 3 → nesms_3. §7.3: KPS 70 → ECOG 1."""
    p = renal.p
    p.set_score("kps", {"kps": 70})
    p.set_score("frankel", {"grade": "d"})
    extent = {
        "extraspinal_bone_mets": "none",
        "vertebral_body_mets": "one",
        "visceral_mets": "none",
    }
    p.set_score("tokuhashi_revised", {**p.scores["tokuhashi_revised"], **extent})
    p.set_score("nesms", {**p.scores["nesms"], "ambulation": "independent", "albumin_g_dl": 3.8})

    expected = {
        "tokuhashi_revised": (11, "ge_6_months"),
        "tomita": (3, "wide_or_marginal_excision"),
        "bauer_modified": (4, "good"),
        "nesms": (3, "nesms_3"),
        "ecog": (1, "restricted"),
    }
    for tool_id, (total, band) in expected.items():
        r = p.result(tool_id)
        assert r is not None and r.complete, tool_id
        assert (r.total, r.band) == (total, band), tool_id


# --- the changed event ----------------------------------------------------------------


def test_changed_carries_the_fields_and_the_origin(renal: Opened) -> None:
    p = renal.p
    seen: list[tuple[frozenset[str], object]] = []
    p.changed.connect(lambda fields, origin: seen.append((fields, origin)))
    page = object()

    p.update(page, plan_text="Discuss separation surgery (demo).")
    assert seen == [(frozenset({"plan_text"}), page)]

    p.update("options", intent="palliative", fit_for_surgery=True)
    assert seen[-1] == (frozenset({"intent", "fit_for_surgery"}), "options")

    p.set_score("kps", {"kps": 70}, origin="scores")
    # the tool changed and the tools that follow it (§3 Tokuhashi, §7.3 ECOG)
    assert seen[-1] == (
        frozenset({"scores", "score:kps", "score:tokuhashi_revised", "score:ecog"}),
        "scores",
    )

    n = len(seen)
    p.update("again", plan_text="Discuss separation surgery (demo).")  # no change
    p.set_score("kps", {"kps": 70}, origin="again")  # no change
    assert len(seen) == n


# --- undo and redo --------------------------------------------------------------------


def test_undo_restores_the_decision_and_the_scores_and_redo_reapplies(renal: Opened) -> None:
    p = renal.p
    reasons: list[str] = []
    p.loaded.connect(reasons.append)
    opened_scores = {k: dict(v) for k, v in p.scores.items()}
    assert p.record() is False  # nothing changed since the case was opened
    assert not p.can_undo

    p.update(plan_text="Plan A (demo)")
    assert p.record() is True
    assert p.record() is False  # a step closes only once
    p.set_score("kps", {"kps": 70})
    assert p.record() is True
    assert p.undo_steps == 2 and p.can_undo and not p.can_redo

    p.undo()
    assert reasons == ["undo"]
    assert p.data.plan_text == "Plan A (demo)"
    assert "kps" not in p.scores and "ecog" not in p.scores
    assert "kps" not in p.scores["tokuhashi_revised"]
    p.undo()
    assert p.data == DecisionInput()
    assert p.scores == opened_scores
    assert not p.can_undo and p.can_redo
    assert p.dirty is True  # the restored state differs from nothing saved: it is unsaved

    p.redo()
    assert p.data.plan_text == "Plan A (demo)" and "kps" not in p.scores
    p.redo()
    assert p.scores["kps"] == {"kps": 70} and p.scores["ecog"] == {"grade": "1"}  # §7.3
    assert p.scores["tokuhashi_revised"]["kps"] == 70
    assert reasons == ["undo", "undo", "redo", "redo"]
    assert not p.can_redo

    # an edit after an undo drops the steps that were undone
    p.undo()
    p.update(plan_text="Plan B (demo)")
    assert p.record() is True
    assert not p.can_redo and p.data.plan_text == "Plan B (demo)"


def test_undo_takes_in_an_edit_not_yet_recorded(renal: Opened) -> None:
    p = renal.p
    p.update(plan_text="Typed but not yet a step (demo)")
    p.undo()
    assert p.data.plan_text == ""
    p.redo()
    assert p.data.plan_text == "Typed but not yet a step (demo)"


def test_s7_3_undoing_a_hand_change_makes_the_item_follow_kps_again(renal: Opened) -> None:
    p = renal.p
    p.set_score("kps", {"kps": 70})
    p.record()
    p.set_score("ecog", {"grade": "3"})  # by hand
    p.record()
    p.undo()  # the hand change is undone: ECOG is the KPS-derived answer again
    assert p.scores["ecog"] == {"grade": "1"}
    assert "grade" in p.derived_sources("ecog")
    p.set_score("kps", {"kps": 90})
    assert p.scores["ecog"] == {"grade": "0"}  # §7.3: KPS 90 → ECOG 0, following KPS
    assert "grade" in p.derived_sources("ecog")


def test_redo_after_a_new_edit_keeps_the_edit(renal: Opened) -> None:
    """An edit made after an undo, not yet closed as a step, is not thrown away by redo:
    it is a new step and there is nothing left to redo."""
    p = renal.p
    p.update(plan_text="Plan A (demo)")
    p.record()
    p.undo()
    assert p.can_redo
    p.update(plan_text="Plan B (demo)")  # typed within the moment before a step closes
    p.redo()
    assert p.data.plan_text == "Plan B (demo)"
    assert not p.can_redo
    p.undo()
    assert p.data.plan_text == ""


def test_nothing_can_be_undone_once_signed_off(renal: Opened) -> None:
    p = renal.p
    p.update(**SBRT_PLAN)
    p.record()
    assert p.can_undo
    p.sign_off("Ms Chair (demo)")
    assert p.is_final and not p.can_undo and not p.can_redo
    p.undo()
    assert p.data.plan_text == SBRT_PLAN["plan_text"]


# --- saving ---------------------------------------------------------------------------


def test_save_stores_the_draft_and_every_changed_score_in_one_transaction(
    ctx: ServiceContext, renal: Opened
) -> None:
    p = renal.p
    assert p.save() is True  # nothing changed: nothing written
    assert decisions.current_decision(ctx.db, renal.entry.id) is None
    saved_states: list[None] = []
    p.state_changed.connect(lambda: saved_states.append(None))

    p.set_score("kps", {"kps": 70})
    p.set_score("escc", {"grade": "2"})
    p.update(intent="palliative", plan_text="Draft plan (demo)", fit_for_surgery=True)
    before = audit_count(ctx)
    assert p.save() is True
    assert p.dirty is False and p.last_save_error == "" and saved_states == [None]

    draft = decisions.current_decision(ctx.db, renal.entry.id)
    assert draft is not None and draft.status == "draft"
    assert draft.data.plan_text == "Draft plan (demo)" and draft.data.intent == "palliative"
    assert p.decision == draft
    scores = stored(ctx, renal.referral_id)
    assert scores[("kps", "")].answers == {"kps": 70}
    assert scores[("ecog", "")].answers == {"grade": "1"}  # §7.3
    assert scores[("escc", "")].answers == {"grade": "2"}
    assert scores[("escc", "")].band == "high_grade"  # §2
    assert scores[("tokuhashi_revised", "")].answers == {"primary_site": "kidney", "kps": 70}
    assert scores[("tomita", "")].answers == {"primary_growth": "moderate"}
    assert scores[("bauer_modified", "")].answers == {
        "primary_not_lung": "yes",
        "primary_favourable": "yes",
    }
    assert scores[("sins", "")].answers == {"location": "junctional"}  # §1.1, D1
    assert audit_count(ctx) == before + 1  # one transaction, one audit event
    with ctx.db.reader() as s:
        event = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert event is not None and event.entity == "decision"
        assert "kps" in event.summary and "ecog" in event.summary

    # the next save updates the same rows, at the versions just stored
    kps_id = scores[("kps", "")].id
    p.set_score("kps", {"kps": 50})
    assert p.save() is True
    again = stored(ctx, renal.referral_id)
    assert again[("kps", "")].id == kps_id and again[("kps", "")].answers == {"kps": 50}
    assert again[("ecog", "")].answers == {"grade": "2"}  # §7.3: KPS 50 → ECOG 2
    with ctx.db.reader() as s:
        kps_rows = s.execute(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.referral_id == renal.referral_id, Assessment.tool_id == "kps")
        ).scalar_one()
        drafts = s.execute(
            select(func.count())
            .select_from(Decision)
            .where(Decision.agenda_item_id == renal.entry.id)
        ).scalar_one()
    assert (kps_rows, drafts) == (1, 1)


def test_s7_3_undo_after_a_save_and_saving_again_stores_the_restored_answers(
    ctx: ServiceContext, renal: Opened
) -> None:
    p = renal.p
    p.set_score("kps", {"kps": 70})
    assert p.save() is True
    p.record()
    p.set_score("kps", {"kps": 50})
    assert p.save() is True
    assert stored(ctx, renal.referral_id)[("ecog", "")].answers == {"grade": "2"}  # KPS 50
    p.undo()
    assert p.dirty is True
    assert p.save() is True
    scores = stored(ctx, renal.referral_id)
    assert scores[("kps", "")].answers == {"kps": 70}
    assert scores[("ecog", "")].answers == {"grade": "1"}  # §7.3: KPS 70 → ECOG 1
    assert scores[("tokuhashi_revised", "")].answers["kps"] == 70


@pytest.mark.parametrize("saved_first", [True, False], ids=["stale-version", "draft-meanwhile"])
def test_a_conflict_saves_nothing_and_says_why(
    ctx: ServiceContext, renal: Opened, saved_first: bool
) -> None:
    p = renal.p
    if saved_first:
        p.update(plan_text="Mine, first (demo)")
        assert p.save() is True
        assert p.decision is not None
        version: int | None = p.decision.version
    else:
        version = None
    # another workstation saves a draft of the same agenda item in between
    decisions.save_draft(ctx, renal.entry.id, DecisionInput(plan_text="Theirs (demo)"), version)
    before_scores = {k: (a.id, a.version) for k, a in stored(ctx, renal.referral_id).items()}
    before_audit = audit_count(ctx)

    p.set_score("kps", {"kps": 40})
    p.update(plan_text="Mine, second (demo)")
    assert p.save() is False
    assert p.last_save_error
    assert p.dirty is True  # still unsaved: nothing is lost on this workstation
    assert p.scores["kps"] == {"kps": 40}

    current = decisions.current_decision(ctx.db, renal.entry.id)
    assert current is not None and current.data.plan_text == "Theirs (demo)"
    after = stored(ctx, renal.referral_id)
    assert ("kps", "") not in after and ("ecog", "") not in after  # no score answer written
    assert {k: (a.id, a.version) for k, a in after.items()} == before_scores
    assert audit_count(ctx) == before_audit


# --- sign-off and amendment -----------------------------------------------------------


def test_sign_off_is_final_and_an_amendment_is_a_new_revision(
    ctx: ServiceContext, renal: Opened
) -> None:
    p = renal.p
    p.update(**SBRT_PLAN)
    p.sign_off("Ms Chair (demo)")
    signed = decisions.current_decision(ctx.db, renal.entry.id)
    assert signed is not None and signed.status == "signed_off"
    assert signed.signed_off_by == "Ms Chair (demo)" and signed.revision == 1
    assert p.decision == signed
    assert p.is_final and p.is_signed and p.dirty is False

    seen: list[object] = []
    p.changed.connect(lambda *args: seen.append(args))
    p.update(plan_text="Changed after sign-off (demo)")
    p.set_score("kps", {"kps": 30})
    p.set_staging("T10–T11", {"enneking": "iib"})
    assert p.data.plan_text == SBRT_PLAN["plan_text"] and "kps" not in p.scores
    assert seen == [] and p.dirty is False
    assert p.save() is True  # nothing to save
    assert decisions.current_decision(ctx.db, renal.entry.id) == signed

    assert p.start_amendment() is True
    assert p.amending and not p.is_final
    p.update(plan_text="Separation surgery, then SBRT 24 Gy in 2 fractions (demo).")
    p.update(
        modalities=(
            SBRT_PLAN["modalities"][0],
            ModalityInput("sbrt", {"dose_gy": 24, "fractions": 2}),
        )
    )
    p.amend("Dose changed after planning (demo)")
    assert not p.amending and p.is_final

    revisions = decisions.versions(ctx.db, renal.entry.id)
    assert [(r.revision, r.status) for r in revisions] == [(1, "amended"), (2, "signed_off")]
    assert revisions[1].amendment_reason == "Dose changed after planning (demo)"
    assert revisions[1].supersedes_id == revisions[0].id
    assert revisions[1].data.plan_text.startswith("Separation surgery, then SBRT 24 Gy")
    assert revisions[0].data.plan_text == SBRT_PLAN["plan_text"]
    assert p.decision == revisions[1]


def test_s7_1_a_score_corrected_with_an_amendment_is_a_new_score(
    ctx: ServiceContext, renal: Opened
) -> None:
    """The signed-off revision keeps the score it was decided on; the correction saved
    with the amendment is a new one (§7.1: the KPS total is the value)."""
    p = renal.p
    p.set_score("kps", {"kps": 80})
    p.update(**SBRT_PLAN)
    p.sign_off("Ms Chair (demo)")
    signed_kps = stored(ctx, renal.referral_id)[("kps", "")]
    assert signed_kps.total == 80

    assert p.start_amendment() is True
    p.set_score("kps", {"kps": 60})
    assert p.scores["ecog"] == {"grade": "2"}  # §7.3: KPS 60 → ECOG 2
    p.amend("KPS corrected after review (demo)")

    kps_rows = [
        a for a in assessments.list_assessments(ctx.db, renal.referral_id) if a.tool_id == "kps"
    ]
    assert [(a.id == signed_kps.id, a.total) for a in kps_rows] == [(True, 80), (False, 60)]
    revisions = decisions.versions(ctx.db, renal.entry.id)
    assert [r.status for r in revisions] == ["amended", "signed_off"]
    assert p.is_final and p.score_changes() == []


def test_sign_off_of_an_incomplete_plan_is_refused_and_stays_a_draft(
    ctx: ServiceContext, renal: Opened
) -> None:
    p = renal.p
    p.update(plan_text="No intent, no modality (demo)")
    with pytest.raises(ServiceError):
        p.sign_off("Ms Chair (demo)")
    current = decisions.current_decision(ctx.db, renal.entry.id)
    assert current is not None and current.status == "draft"
    assert not p.is_final


def test_amendment_needs_a_signed_off_decision(renal: Opened) -> None:
    p = renal.p
    assert p.start_amendment() is False and not p.amending


# --- Apply suggestion -----------------------------------------------------------------


def _noms_inputs(
    p: CasePresenter, escc: str, *, fit: bool, sins: dict[str, str] | None = None
) -> None:
    p.set_score("escc", {"grade": escc})
    p.set_score("sins", {**p.scores["sins"], **(sins or SINS_QUIET)})
    p.update(fit_for_surgery=fit)


def test_s9_1_s10_s2_radioresistant_high_grade_fit_gets_separation_surgery_then_sbrt(
    renal: Opened,
) -> None:
    """§10: renal cell carcinoma is radioresistant; §2: ESCC 2 is high grade; §1: SINS
    junctional 3 + the rest 0 = 3 is stable; §9.1 row 3: fit for surgery →
    separation_surgery_then_sbrt."""
    p = renal.p
    _noms_inputs(p, "2", fit=True)
    sins = p.result("sins")
    assert sins is not None and (sins.total, sins.band) == (3, "stable")
    s = p.noms_suggestion()
    assert s.band == "separation_surgery_then_sbrt"

    assert p.apply_suggestion() is True
    kinds = [m.kind for m in p.data.modalities]
    assert kinds == ["surgery", "sbrt"]  # separation surgery, then SBRT
    assert p.data.modalities[0].details["procedure"] == "separation_surgery"
    assert p.dirty is True
    modalities = p.data.modalities

    assert p.apply_suggestion() is False  # each kind once: nothing more to add
    assert p.data.modalities == modalities


def test_s9_1_d11_radioresistant_high_grade_not_fit_gets_cebrt(renal: Opened) -> None:
    p = renal.p
    _noms_inputs(p, "3", fit=False)
    s = p.noms_suggestion()
    assert (s.band, "not_fit_for_surgery" in s.flags) == ("cebrt", True)
    assert p.apply_suggestion() is True
    assert [m.kind for m in p.data.modalities] == ["cebrt"]


def test_s9_1_s9_2_radioresistant_low_grade_unstable_gets_stabilisation_and_sbrt(
    renal: Opened,
) -> None:
    """§1: junctional 3 + mechanical 3 + lytic 2 + subluxation 4 + over 50 % 3 +
    bilateral 3 = 18 → unstable; §2: ESCC 1a low grade; §9.1 row 2: SBRT; §9.2:
    ``stabilisation``."""
    p = renal.p
    unstable = {
        "pain": "mechanical",
        "bone_lesion": "lytic",
        "alignment": "subluxation_translation",
        "collapse": "over_50",
        "posterolateral": "bilateral",
    }
    _noms_inputs(p, "1a", fit=True, sins=unstable)
    sins = p.result("sins")
    assert sins is not None and (sins.total, sins.band) == (18, "unstable")
    s = p.noms_suggestion()
    assert s.band == "sbrt" and "stabilisation" in s.flags
    assert p.apply_suggestion() is True
    assert [(m.kind, m.details.get("procedure")) for m in p.data.modalities] == [
        ("surgery", "stabilisation"),
        ("sbrt", None),
    ]


def test_s11_dexamethasone_started_on_the_referral_is_added_at_16_mg(
    ctx: ServiceContext,
) -> None:
    """NG234 §1.8 as §11 quotes it: 16 mg daily while awaiting surgery or radiotherapy."""
    started = datetime.now(UTC) - timedelta(hours=6)
    mscc = replace(RENAL, urgency="mscc", neuro_deficit=True, dexamethasone_started_at=started)
    p = list_and_open(ctx, mscc).p
    assert p.case is not None and p.case.pathway is not None
    _noms_inputs(p, "2", fit=True)
    assert p.apply_suggestion() is True
    first = p.data.modalities[0]
    assert (first.kind, first.details) == ("dexamethasone", {"dose_mg": 16.0})
    assert [m.kind for m in p.data.modalities[1:]] == ["surgery", "sbrt"]


def test_s9_4_a_primary_tumour_gets_no_suggestion_and_nothing_changes(
    ctx: ServiceContext,
) -> None:
    p = list_and_open(ctx, CHORDOMA).p
    _noms_inputs(p, "2", fit=True)
    data = p.data
    s = p.noms_suggestion()
    assert s.band is None and s.flags == ("primary_tumour_pathway",)
    assert p.apply_suggestion() is False
    assert p.data == data and p.data.modalities == ()


# --- pre-written rationale and plan ---------------------------------------------------


def test_s9_3_fill_rationale_prewrites_an_empty_rationale_and_never_overwrites(
    renal: Opened,
) -> None:
    p = renal.p
    _noms_inputs(p, "2", fit=True)
    p.update(rationale="   ")  # blank counts as empty
    p.fill_rationale()
    text = p.data.rationale
    assert "ESCC 2 → high grade" in text  # §9.3: each input and where it came from
    assert "separation surgery" in text.lower()  # the §9.1 row that fired
    assert text.endswith("Decision support for the MDT — not a treatment order.")

    p.update(rationale="The MDT's own reasoning (demo).")
    p.fill_rationale()
    assert p.data.rationale == "The MDT's own reasoning (demo)."


def test_s9_3_fill_rationale_names_the_missing_inputs(renal: Opened) -> None:
    p = renal.p
    p.fill_rationale()
    assert "missing" in p.data.rationale  # §9.3: names them instead of guessing
    assert "not a treatment order" in p.data.rationale


def test_fill_plan_writes_the_plan_from_the_intent_and_the_modalities(renal: Opened) -> None:
    p = renal.p
    p.fill_plan()  # no modality yet: nothing to write
    assert p.data.plan_text == "" and p.dirty is False

    _noms_inputs(p, "2", fit=True)
    p.update(intent="palliative")
    assert p.apply_suggestion() is True
    p.fill_plan()
    plan = p.data.plan_text
    assert plan.startswith("Palliative intent")
    assert "Separation surgery" in plan and "SBRT" in plan
    assert plan.index("Separation surgery") < plan.index("SBRT,")  # surgery first


# --- a primary tumour: staging --------------------------------------------------------


def test_s9_4_s12_a_primary_tumours_staging_is_saved_per_lesion(ctx: ServiceContext) -> None:
    opened = list_and_open(ctx, CHORDOMA)
    p = opened.p
    assert p.is_primary
    assert p.scores["sins"] == {"location": "rigid"}  # §1.1: S2–S5 rigid
    assert p.case is not None
    lesion = p.case.levels_text
    record = {"enneking": "iib", "zones": [5, 6, 7], "layers": ["b", "d"], "en_bloc": "feasible"}
    p.set_staging(lesion, record)
    assert p.dirty is True and p.staging[lesion] == record
    assert [key for key, _ in p.score_changes()] == [
        ("sins", ""),
        ("primary_staging", lesion),
    ]
    assert p.save() is True and p.score_changes() == []

    with ctx.db.reader() as s:
        rows = list(
            s.execute(
                select(Assessment).where(
                    Assessment.referral_id == opened.referral_id,
                    Assessment.tool_id == "primary_staging",
                )
            ).scalars()
        )
        assert len(rows) == 1
        row = rows[0]
        assert row.subject == lesion
        assert row.answers == record
        assert (row.band, row.complete) == ("iib", True)  # §12.1 stage IIB
        draft = s.execute(
            select(Decision).where(Decision.agenda_item_id == opened.entry.id)
        ).scalar_one()
        assert draft.noms_band is None  # §9.4: no NOMS band for a primary tumour

    # a correction of the same lesion updates its record
    p.set_staging(lesion, {**record, "en_bloc": "not_feasible"})
    assert p.save() is True
    with ctx.db.reader() as s:
        rows = list(
            s.execute(
                select(Assessment).where(
                    Assessment.referral_id == opened.referral_id,
                    Assessment.tool_id == "primary_staging",
                )
            ).scalars()
        )
        assert [(r.subject, r.answers["en_bloc"]) for r in rows] == [(lesion, "not_feasible")]
