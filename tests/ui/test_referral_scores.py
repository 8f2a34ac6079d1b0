"""Scores before the meeting (issue 16 part 5): entered on the referral form with keys
and clicks, saved with the referral in one transaction, shown in meeting mode as
entered, with who and when. Fictional demo data throughout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mdtboard.domain.readiness import Light
from mdtboard.services import assessments, meetings, referrals
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.errors import ServiceUnavailable
from mdtboard.services.readiness import readiness_of
from mdtboard.services.referrals import PatientInput, ReferralInput
from mdtboard.store.models import Assessment, AuditEvent, Referral
from mdtboard.ui.date_fields import format_datetime
from mdtboard.ui.meeting import MeetingModeWindow
from mdtboard.ui.referral_dialog import ReferralDialog
from tests.ui.referral_forms import referral_forms

KPS_MISSING = "Scores missing: KPS or ECOG"


@pytest.fixture
def unscored(ctx: ServiceContext) -> int:
    """A fictional primary-tumour referral, ready but for its scores (KPS or ECOG)."""
    today = datetime.now(UTC).date()
    case = referrals.register_referral(
        ctx,
        PatientInput("DEMO-RS-0001", "Quillfeather", "Imogen", date(1968, 4, 2), "female"),
        ReferralInput(
            received_at=datetime.now(UTC) - timedelta(hours=2),
            referrer_name="Dr Orrin Vale (demo)",
            urgency="routine",
            question="Resection or radiotherapy for the L2 lesion?",
            disease_kind="primary",
            histology_key="chordoma",
            compartment="extradural",
            levels=("L2",),
            neuro_status="Neurologically intact",
            imaging_available=True,
            imaging_date=today,
            pathology_available=True,
            pathology_date=today,
        ),
    )
    readiness = readiness_of(ctx.db, case.id)
    assert readiness.light == Light.AMBER and readiness.summary() == KPS_MISSING
    return case.id


Opener = Callable[[ServiceContext, "int | None"], ReferralDialog]


@pytest.fixture
def open_dialog(qtbot: QtBot) -> Iterator[Opener]:
    """Open the referral form as a user would see it; at the end it is closed without
    the unsaved-changes question (a failed test must not hang on it)."""
    with referral_forms(qtbot) as forms:
        yield forms.open


def to_scores_tab(qtbot: QtBot, dialog: ReferralDialog) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # "Sc&ores"
    assert dialog.tabs.currentWidget() is dialog.scores


def type_kps(qtbot: QtBot, dialog: ReferralDialog, text: str) -> None:
    """Click into the KPS box and type the value over what it shows."""
    box = dialog.scores.score_forms["kps"].input_for("kps")
    assert isinstance(box, QSpinBox)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)


def append_to_question(qtbot: QtBot, dialog: ReferralDialog, text: str) -> None:
    dialog.question.setFocus()
    qtbot.keyClick(dialog.question, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.question, text)


def save(qtbot: QtBot, dialog: ReferralDialog) -> None:
    """Ctrl+S (a window shortcut: the form is the active window again after a box)."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def answer_box(seen: list[str]) -> None:
    """Read and close the next message box (OK)."""

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, QMessageBox) and w.isVisible():
            seen.append(f"{w.windowTitle()}: {w.text()}")
            w.button(QMessageBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def stored(ctx: ServiceContext, referral_id: int) -> dict[str, assessments.AssessmentView]:
    rows = assessments.scores_at(assessments.list_assessments(ctx.db, referral_id), None)
    return {a.tool_id: a for a in rows}


def counts(ctx: ServiceContext, referral_id: int) -> dict[str, Any]:
    """What a failed save must leave exactly as it was."""
    with ctx.db.reader() as s:
        r = s.get(Referral, referral_id)
        assert r is not None
        return {
            "audit": s.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
            "assessments": s.execute(
                select(Assessment.id, Assessment.version, Assessment.answers).order_by(
                    Assessment.id
                )
            ).all(),
            "referral": (r.version, r.question),
        }


# --- entering a score -------------------------------------------------------------


def test_kps_entered_on_the_referral_is_saved_and_turns_the_case_green(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    dialog = open_dialog(ctx, unscored)
    assert dialog.readiness.light == Light.AMBER
    to_scores_tab(qtbot, dialog)
    scores = dialog.scores
    assert list(scores.score_forms) == ["sins", "escc", "kps", "ecog", "frankel", "asia"]
    assert KPS_MISSING in scores.requirement.text()
    assert all(not f.entered_label.text() for f in scores.score_forms.values())

    type_kps(qtbot, dialog, "70")
    # readiness follows at once (domain/readiness.py: primary needs KPS or ECOG)
    assert dialog.readiness.light == Light.GREEN
    assert "key scores for readiness are in" in scores.requirement.text()
    # ECOG follows from KPS, shown as derived (domain.shared_facts)
    ecog = scores.score_forms["ecog"]
    assert ecog.answers() == {"grade": "1"} and "from KPS 70" in ecog.derived()["grade"]
    assert dialog.has_unsaved_changes()

    audit_before = counts(ctx, unscored)["audit"]
    save(qtbot, dialog)
    assert not dialog.isVisible() and dialog.result_case is not None

    kept = stored(ctx, unscored)
    assert kept["kps"].answers == {"kps": 70} and kept["kps"].total == 70
    assert kept["kps"].entered_by == "test.user" and kept["kps"].complete
    assert kept["ecog"].answers == {"grade": "1"} and kept["ecog"].entered_by == "test.user"
    assert readiness_of(ctx.db, unscored).light == Light.GREEN
    assert dialog.result_case.status == "ready"  # derived when read (issue 16 part 3)
    with ctx.db.reader() as s:
        events = s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    new = events[audit_before:]
    assert len(new) == 1 and new[0].entity == "referral" and new[0].user == "test.user"
    assert "kps" in new[0].summary and "ecog" in new[0].summary


def test_a_score_edit_is_one_undo_step_and_readiness_follows_it(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    dialog = open_dialog(ctx, unscored)
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "60")
    assert dialog.readiness.light == Light.GREEN
    box = dialog.scores.score_forms["kps"].input_for("kps")
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dialog.scores.score_forms["kps"].answers() == {}
    assert dialog.scores.score_forms["ecog"].answers() == {}  # the derived answer goes too
    assert dialog.readiness.light == Light.AMBER and not dialog.has_unsaved_changes()
    qtbot.keyClick(box, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert dialog.scores.score_forms["kps"].answers() == {"kps": 60}
    assert dialog.readiness.light == Light.GREEN


def test_an_answer_given_by_hand_is_never_moved_by_derivation(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    dialog = open_dialog(ctx, unscored)
    to_scores_tab(qtbot, dialog)
    ecog = dialog.scores.score_forms["ecog"]
    grade = ecog.input_for("grade")
    qtbot.mouseClick(grade, Qt.MouseButton.LeftButton)  # opens the list
    popup = grade.view()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    chosen = ecog.answers()
    assert chosen and not ecog.derived()
    type_kps(qtbot, dialog, "40")
    assert ecog.answers() == chosen and not ecog.derived()  # KPS 40 does not move it


def choose_by_keys(qtbot: QtBot, combo: QComboBox, steps: int) -> None:
    combo.setFocus()
    for _ in range(abs(steps)):
        qtbot.keyClick(combo, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)


def test_the_tools_follow_the_case_type_and_keep_what_was_answered_by_hand(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    dialog = open_dialog(ctx, unscored)
    choose_by_keys(qtbot, dialog.disease_kind, 1)  # Primary → Metastatic
    assert dialog.value("disease_kind") == "metastatic"
    to_scores_tab(qtbot, dialog)
    forms = dialog.scores.score_forms
    assert {"tokuhashi_revised", "tomita", "bauer_modified", "nesms"} <= set(forms)
    type_kps(qtbot, dialog, "70")
    tokuhashi = forms["tokuhashi_revised"]
    assert tokuhashi.answers() == {"kps": 70} and "kps" in tokuhashi.derived()  # derived only
    tomita = forms["tomita"]
    choose_by_keys(qtbot, tomita.input_for("visceral_mets"), 1)  # by hand
    by_hand = tomita.answers()
    assert by_hand and not tomita.derived()

    dialog.tabs.setCurrentIndex(0)
    choose_by_keys(qtbot, dialog.disease_kind, -1)  # back to Primary
    shown = list(dialog.scores.score_forms)
    assert shown[:6] == ["sins", "escc", "kps", "ecog", "frankel", "asia"]
    assert "tomita" in shown and "tokuhashi_revised" not in shown  # by hand: kept
    changed = {c.tool_id: c.answers for c in dialog.scores.changes()}
    assert set(changed) == {"kps", "ecog", "tomita"} and changed["tomita"] == by_hand


def test_tab_goes_through_the_score_forms_in_reading_order(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    dialog = open_dialog(ctx, unscored)
    to_scores_tab(qtbot, dialog)
    seen = []
    for _ in range(13):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget().objectName())
    assert seen == [
        "sins.location",
        "sins.pain",
        "sins.bone_lesion",
        "sins.alignment",
        "sins.collapse",
        "sins.posterolateral",
        "escc.grade",
        "kps.kps",
        "ecog.grade",
        "frankel.grade",
        "asia.grade",
        "levelPicker",  # then on to the rest of the form
        "",  # Save
    ]


def test_a_new_referral_saves_its_scores_when_it_is_registered(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext
) -> None:
    dialog = open_dialog(ctx, None)
    assert "saved when the referral is registered" in dialog.scores.note.text()
    today = datetime.now(UTC).date()
    for name, value in {
        "mrn": "DEMO-RS-0002",
        "family_name": "Brackenridge",
        "given_name": "Tobias",
        "date_of_birth": date(1959, 9, 14),
        "sex": "male",
        "referrer_name": "Dr Orrin Vale (demo)",
        "question": "Radiotherapy for the T9 lesion?",
        "disease_kind": "primary",
        "histology_key": "chondrosarcoma",
        "levels": ("T9",),
        "neuro_status": "Intact",
        "imaging_available": True,
        "imaging_date": today,
        "pathology_available": True,
        "pathology_date": today,
    }.items():
        dialog.set_value(name, value)
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "90")
    save(qtbot, dialog)
    assert dialog.result_case is not None
    kept = stored(ctx, dialog.result_case.id)
    assert kept["kps"].total == 90 and kept["kps"].entered_by == "test.user"
    assert readiness_of(ctx.db, dialog.result_case.id).light == Light.GREEN


def test_a_role_without_score_rights_sees_the_scores_read_only(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    assessments.record_assessment(ctx, unscored, "kps", {"kps": 80})
    reader = ServiceContext(ctx.db, Actor("reader.r", "read_only"))
    dialog = open_dialog(reader, unscored)
    form = dialog.scores.score_forms["kps"]
    assert not form.isEnabled() and form.answers() == {"kps": 80}
    assert "cannot enter scores" in dialog.scores.note.text()
    assert form.entered_label.text().startswith("Entered by test.user on ")


def test_a_coordinator_enters_scores_before_the_meeting(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    """Issue 16 part 5: "a clinician or coordinator can enter scores on the referral"."""
    coordinator = ServiceContext(ctx.db, Actor("coord.c", "coordinator"))
    dialog = open_dialog(coordinator, unscored)
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "70")
    save(qtbot, dialog)
    kept = stored(ctx, unscored)
    assert kept["kps"].total == 70 and kept["kps"].entered_by == "coord.c"


# --- conflicts and one transaction ------------------------------------------------


def test_a_score_changed_meanwhile_is_a_clear_error_and_nothing_is_overwritten(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    first = assessments.record_assessment(ctx, unscored, "kps", {"kps": 80})
    dialog = open_dialog(ctx, unscored)
    form = dialog.scores.score_forms["kps"]
    assert form.answers() == {"kps": 80}
    assert form.entered_label.text().startswith("Entered by test.user on ")
    append_to_question(qtbot, dialog, " Also: pain control?")
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "40")

    colleague = ServiceContext(ctx.db, Actor("colleague.b", "clinician"))
    assessments.record_assessment(  # another workstation, after this form was opened
        colleague,
        unscored,
        "kps",
        {"kps": 60},
        assessment_id=first.id,
        expected_version=first.version,
    )
    before = counts(ctx, unscored)
    seen: list[str] = []
    answer_box(seen)
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(seen))

    assert "Nothing was saved" in seen[0]
    assert (
        "Someone else changed Karnofsky performance status (entered by colleague.b on" in (seen[0])
    )
    assert counts(ctx, unscored) == before  # neither the score nor the question
    kept = stored(ctx, unscored)["kps"]
    assert kept.answers == {"kps": 60} and kept.entered_by == "colleague.b"
    # the form shows what is stored now, and who entered it; the question edit stays
    assert dialog.isVisible() and dialog.tabs.currentWidget() is dialog.scores
    assert form.answers() == {"kps": 60}
    assert form.entered_label.text().startswith("Entered by colleague.b on ")
    assert dialog.question.toPlainText().endswith("Also: pain control?")
    # saving again stores the question, and no score over the colleague's
    save(qtbot, dialog)
    assert not dialog.isVisible()
    assert stored(ctx, unscored)["kps"].answers == {"kps": 60}
    assert referrals.get_case(ctx.db, unscored).data.question.endswith("pain control?")


def test_a_failure_at_the_second_score_stores_nothing_of_the_save(
    qtbot: QtBot,
    open_dialog: Opener,
    ctx: ServiceContext,
    unscored: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Referral edit, KPS and the ECOG derived from it are one transaction: the ECOG
    write fails, so neither the KPS nor the referral edit is stored."""
    dialog = open_dialog(ctx, unscored)
    append_to_question(qtbot, dialog, " Edited.")
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "70")
    assert [c.tool_id for c in dialog.scores.changes()] == ["kps", "ecog"]

    real: Callable[..., Any] = assessments.record_in
    written: list[str] = []

    def second_fails(*args: Any, **kwargs: Any) -> Any:
        if written:
            raise ServiceUnavailable("injected failure writing the second score")
        result = real(*args, **kwargs)
        written.append(result[0].tool_id)
        return result

    monkeypatch.setattr(assessments, "record_in", second_fails)
    before = counts(ctx, unscored)
    seen: list[str] = []
    answer_box(seen)
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(seen))
    assert written == ["kps"] and "injected failure" in seen[0]
    assert counts(ctx, unscored) == before
    assert dialog.isVisible() and dialog.has_unsaved_changes()  # the user's work stays


# --- meeting mode -----------------------------------------------------------------


def test_scores_entered_on_the_referral_show_in_meeting_mode_as_entered(
    qtbot: QtBot, open_dialog: Opener, ctx: ServiceContext, unscored: int
) -> None:
    clinician = ServiceContext(ctx.db, Actor("dr.referrer", "clinician"))
    dialog = open_dialog(clinician, unscored)
    to_scores_tab(qtbot, dialog)
    type_kps(qtbot, dialog, "70")
    save(qtbot, dialog)
    assert not dialog.isVisible()

    meeting = meetings.create_meeting(
        ctx, title="Scores before the meeting", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    meetings.list_case(ctx, meeting.id, unscored)
    win = MeetingModeWindow(ctx, meeting.id).start()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    kps = win.scores.score_forms["kps"]
    assert kps.answers() == {"kps": 70}
    entered = stored(ctx, unscored)["kps"].entered_at.astimezone()
    assert kps.entered_label.text() == f"Entered by dr.referrer on {format_datetime(entered)}"
    assert kps.entered_label.isVisibleTo(kps)
    assert (
        win.scores.score_forms["ecog"].entered_label.text().startswith("Entered by dr.referrer on ")
    )
