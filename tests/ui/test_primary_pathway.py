"""Meeting mode for a primary tumour: the primary-tumour pathway in place of NOMS
(reference/scores.md §9.4, D16) with Enneking (§12.1) and the WBB diagram (§12.2);
and the MDT's own NOMS inputs for a metastasis (§9, §10). Driven as a user would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.worklist import CaseQuery, fetch_cases
from mdtboard.store.models import Assessment, Decision
from mdtboard.ui.meeting import MeetingModeWindow
from mdtboard.ui.wbb_diagram import WbbDiagram
from tests.ui.test_meeting_mode import open_meeting_mode


def click_cell(qtbot: QtBot, diagram: WbbDiagram, zone: int, layer: str) -> None:
    at = diagram.cell_centre((zone, layer))
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=QPoint(round(at.x()), round(at.y())))


def test_s12_2_wbb_diagram_by_mouse_and_keyboard(qtbot: QtBot) -> None:
    diagram = WbbDiagram()
    qtbot.addWidget(diagram)
    diagram.resize(400, 400)
    diagram.show()
    qtbot.waitExposed(diagram)
    # every drawn cell is found where it is drawn: zones 1–12 clockwise, layers a–e
    for zone in range(1, 13):
        for layer in "abcde":
            assert diagram.cell_at(diagram.cell_centre((zone, layer))) == (zone, layer)
    # the vertebral body (zones 4–9) is drawn above the centre, the arch (10–3) below
    centre_y = diagram.height() / 2
    assert all(diagram.cell_centre((z, "b")).y() < centre_y for z in range(4, 10))
    assert all(diagram.cell_centre((z, "b")).y() > centre_y for z in (10, 11, 12, 1, 2, 3))

    with qtbot.waitSignal(diagram.sig_cells_changed) as changed:
        click_cell(qtbot, diagram, 5, "b")
    assert changed.args == [("5b",)]
    assert diagram.cursor_cell() == (5, "b")
    qtbot.keyClick(diagram, Qt.Key.Key_Right)  # clockwise: zone 6
    qtbot.keyClick(diagram, Qt.Key.Key_Space)
    qtbot.keyClick(diagram, Qt.Key.Key_Down)  # inwards: layer c
    qtbot.keyClick(diagram, Qt.Key.Key_Return)
    assert diagram.cells() == ("5b", "6b", "6c")
    assert "zone 6" in diagram.accessibleDescription()
    assert "Marked zones 5, 6; layers b, c" in diagram.accessibleDescription()
    click_cell(qtbot, diagram, 5, "b")  # a second click unmarks
    assert diagram.cells() == ("6b", "6c")
    for _ in range(6):
        qtbot.keyClick(diagram, Qt.Key.Key_Left)
    assert diagram.cursor_cell() == (11, "b")  # round the ring from the click on 5b
    qtbot.keyClick(diagram, Qt.Key.Key_Delete)
    assert diagram.cells() == ()


def _list(ctx: ServiceContext, search: str) -> tuple[int, int]:
    m = meetings.create_meeting(
        ctx, title=f"Pathway test {search}", starts_at=datetime.now(UTC) + timedelta(hours=2)
    )
    case = fetch_cases(ctx.db, CaseQuery(search=search), 0, 1)[0]
    meetings.list_case(ctx, m.id, case.referral_id)
    return m.id, case.referral_id


def test_s9_4_chordoma_gets_the_primary_tumour_pathway_and_its_staging_is_saved(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    meeting_id, referral_id = _list(ctx, "chordoma")
    win: MeetingModeWindow = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert win.step_buttons.button(3).text() == "4 Primary-tumour pathway"
    page = win.noms.pathway_page
    assert win.noms.step4.currentIndex() == 1 and page.isVisible()
    assert "NOMS does not apply" in win.noms.html
    assert "separation" not in win.noms.html.lower()  # never a NOMS suggestion
    assert page.lesion.currentText() == "S2–S4"

    # the stage by keyboard, the zones by mouse, en bloc by keyboard
    page.enneking.setFocus()
    while page.enneking.currentData() != "iib":
        qtbot.keyClick(page.enneking, Qt.Key.Key_Down)
    page.diagram.set_cells(())  # start from a clean drawing of this lesion
    for zone in (5, 6, 7):
        click_cell(qtbot, page.diagram, zone, "b")
    click_cell(qtbot, page.diagram, 6, "d")
    page.en_bloc.setFocus()
    while page.en_bloc.currentData() != "feasible":
        qtbot.keyClick(page.en_bloc, Qt.Key.Key_Down)
    reading = page.reading.toPlainText()
    assert "vertebrectomy" in reading  # §12.2: zones 5–7 lie within 4–8 and 5–9
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert win.status_line.text().startswith("Draft saved"), win.status_line.text()

    with ctx.db.reader() as s:
        row = (
            s.execute(
                select(Assessment)
                .where(
                    Assessment.referral_id == referral_id, Assessment.tool_id == "primary_staging"
                )
                .order_by(Assessment.id.desc())
            )
            .scalars()
            .first()
        )
        assert row is not None and row.subject == "S2–S4"
        assert row.answers["zones"] == [5, 6, 7] and row.answers["layers"] == ["b", "d"]
        assert (row.band, row.complete) == ("iib", True)
        draft = (
            s.execute(select(Decision).join(Decision.agenda_item).where(Decision.status == "draft"))
            .scalars()
            .all()
        )
        assert any(d.agenda_item.referral_id == referral_id and d.noms_band is None for d in draft)

    # undo takes the last mark back, as for any other edit of the case
    qtbot.waitUntil(lambda: not win._snapshot_timer.isActive())
    before = win.presenter.undo_steps
    click_cell(qtbot, page.diagram, 7, "d")
    qtbot.waitUntil(lambda: win.presenter.undo_steps > before)  # the edit is one undo step
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "7d" not in page.diagram.cells()


def test_s10_D13_mdt_chooses_the_class_for_an_unlisted_histology(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    meeting_id, referral_id = _list(ctx, "unknown primary")
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert win.noms.step4.currentIndex() == 0  # a metastasis: NOMS
    assert "oncologic" in win.noms.html.lower() and "Missing inputs" in win.noms.html
    win.noms.oncologic.setFocus()
    while win.noms.oncologic.currentData() != "radioresistant":
        qtbot.keyClick(win.noms.oncologic, Qt.Key.Key_Down)
    assert "Oncologic (radiosensitivity of the histology): Radioresistant" in win.noms.html
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with ctx.db.reader() as s:
        d = (
            s.execute(select(Decision).join(Decision.agenda_item).where(Decision.status == "draft"))
            .scalars()
            .all()
        )
        mine = next(x for x in d if x.agenda_item.referral_id == referral_id)
        assert mine.noms_oncologic == "radioresistant"


def test_s3_s4_s5_the_score_forms_derive_the_primary_items_from_the_histology(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    """§5: "the form derives both [primary items] from the recorded primary"; §3 (D6) and
    §4: the primary site and growth rate the histology gives, changeable by the user."""
    meeting_id, _ = _list(ctx, "breast carcinoma")
    win = open_meeting_mode(qtbot, ctx, meeting_id)
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    forms = win.scores.score_forms
    assert forms["bauer_modified"].answers() == {
        "primary_not_lung": "yes",
        "primary_favourable": "yes",
    }
    tokuhashi = forms["tokuhashi_revised"]
    assert tokuhashi.answers()["primary_site"] == "breast"
    assert "histology" in tokuhashi.derived()["primary_site"]  # shown as derived
    assert forms["tomita"].answers()["primary_growth"] == "slow"
