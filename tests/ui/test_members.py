"""Members and roles managed through the GUI (fictional names)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from mdtboard.services import members
from mdtboard.services.context import ServiceContext
from mdtboard.ui.members_dialog import MembersDialog


def _dialog(qtbot: QtBot, ctx: ServiceContext) -> MembersDialog:
    dialog = MembersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_add_then_change_a_member(
    qtbot: QtBot, ctx: ServiceContext, qtmodeltester: ModelTester
) -> None:
    dialog = _dialog(qtbot, ctx)
    qtmodeltester.check(dialog.model, force_py=True)
    before = dialog.model.rowCount()
    dialog.name.setFocus()
    qtbot.keyClicks(dialog.name, "Dr Newcomer Example (demo)")
    dialog.role.setFocus()
    while dialog.role.currentData() != "radiologist":
        qtbot.keyClick(dialog.role, Qt.Key.Key_Down)
    qtbot.mouseClick(dialog.add_btn, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == ""
    assert dialog.model.rowCount() == before + 1
    added = next(m for m in members.list_members(ctx.db) if m.name == "Dr Newcomer Example (demo)")
    assert added.role == "radiologist" and added.active

    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.row_at(r).id == added.id)  # type: ignore[union-attr]
    dialog.view.selectRow(row)
    dialog.active.setFocus()
    qtbot.keyClick(dialog.active, Qt.Key.Key_Space)  # no longer expected at meetings
    qtbot.mouseClick(dialog.save_btn, Qt.MouseButton.LeftButton)
    changed = next(
        m for m in members.list_members(ctx.db, include_inactive=True) if m.id == added.id
    )
    assert not changed.active
    assert added.id not in {m.id for m in members.list_members(ctx.db)}


def test_a_member_needs_a_name(qtbot: QtBot, ctx: ServiceContext) -> None:
    dialog = _dialog(qtbot, ctx)
    before = len(members.list_members(ctx.db, include_inactive=True))
    qtbot.mouseClick(dialog.add_btn, Qt.MouseButton.LeftButton)
    assert "name" in dialog.error.text()
    assert len(members.list_members(ctx.db, include_inactive=True)) == before
