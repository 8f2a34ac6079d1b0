"""Effort, counted (issue 16 part 9): the standard case recorded in meeting mode with
key presses and clicks only, as a chair would, and the presses counted by an event
filter. The benchmark (benchmarks/run.py, effort_standard_case) reports the same
count; this test checks the recording is real and complete."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from benchmarks.effort import AGENDA_20_TARGET, STANDARD_CASE_TARGET, record_standard_case
from mdtboard.services import decisions, meetings
from mdtboard.services.context import ServiceContext


def shower(qtbot: QtBot) -> Callable[[QWidget], None]:
    """Show a window and wait until it is the active one, as a user sees it."""

    def show(w: QWidget) -> None:
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)

    return show


def test_the_standard_case_is_recorded_in_40_presses_or_fewer(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    effort, win = record_standard_case(ctx, qtbot, shower(qtbot))
    qtbot.addWidget(win)
    p = win.presenter
    assert p.decision is not None and p.decision.status == "signed_off", win.status_line.text()
    d = p.decision.data
    kinds = [m.kind for m in d.modalities]
    # §9.1: radioresistant (NSCLC, §10), high grade (ESCC 2, §2), fit → separation then SBRT
    assert kinds == ["dexamethasone", "surgery", "sbrt"], kinds
    sbrt = d.modalities[2].details
    assert (sbrt["dose_gy"], sbrt["fractions"]) == (24, 2)
    assert d.modalities[1].details["procedure"] == "separation_surgery"
    assert d.intent == "palliative" and d.plan_text and d.rationale
    assert [a.description for a in d.actions] == ["Book SBRT planning CT"]
    assert decisions.quorum(ctx.db, p.meeting_id).quorate
    stored = {s.tool_id: dict(s.answers) for s in p.case.scores if not s.subject}  # type: ignore[union-attr]
    assert stored["escc"] == {"grade": "2"}
    assert stored["sins"]["location"] == "semi_rigid"  # §1.1: T7
    assert stored["kps"] == {"kps": 60}
    assert stored["ecog"] == {"grade": "2"}  # §7.3: KPS 60 → ECOG 2, derived
    assert stored["frankel"] == {"grade": "d"}
    assert stored["tokuhashi_revised"]["palsy"] == "d"  # §3: Frankel D
    assert meetings.agenda(ctx.db, p.meeting_id)[0].decision_status == "signed_off"
    assert sum(n for _, n in effort.steps) == effort.presses
    print(f"effort_standard_case: {effort.presses} presses — {effort.text()}")
    assert effort.presses <= STANDARD_CASE_TARGET, effort.text()


def test_twenty_cases_onto_an_agenda_are_counted(qtbot: QtBot, ctx: ServiceContext) -> None:
    """The coordinator's count (effort_agenda_20, issue 17): 20 ready cases selected
    and listed in one step; every case lands on the agenda."""
    from benchmarks.effort import record_agenda_20

    effort, win = record_agenda_20(ctx, qtbot, shower(qtbot))
    qtbot.addWidget(win)
    page = win.meetings_page
    meeting_id = page.current_meeting_id()
    assert meeting_id is not None
    assert len(meetings.agenda(ctx.db, meeting_id)) == 20  # every press landed a case
    assert sum(n for _, n in effort.steps) == effort.presses
    print(f"effort_agenda_20: {effort.presses} presses — {effort.text()}")
    assert effort.presses <= AGENDA_20_TARGET, effort.text()
