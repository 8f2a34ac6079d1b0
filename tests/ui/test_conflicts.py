"""Two instances edit the same case: the second save shows both versions, nothing is lost."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import referrals
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.store.models import AuditEvent
from mdtboard.ui.conflict_dialog import ConflictDialog
from mdtboard.ui.referral_dialog import ReferralDialog


def answer_conflict(button: str, seen: list[ConflictDialog]) -> None:
    def poll() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, ConflictDialog):
            seen.append(w)
            getattr(w, button).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


@pytest.mark.parametrize("button", ["keep_btn", "take_btn", "cancel_btn"])
def test_second_save_gets_a_conflict_dialog(qtbot: QtBot, ctx: ServiceContext, button: str) -> None:
    dialog = ReferralDialog(ctx, 1)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.question.setFocus()
    dialog.question.selectAll()
    qtbot.keyClicks(dialog.question, "My question from workstation A?")

    other = ServiceContext(ctx.db, Actor("colleague.b", "coordinator"))
    case = referrals.get_case(ctx.db, 1)
    referrals.update_referral(
        other, 1, case.version, replace(case.data, question="Their question from workstation B?")
    )

    seen: list[ConflictDialog] = []
    answer_conflict(button, seen)
    dialog.save()
    assert seen and "question" in seen[0].differences
    saved = referrals.get_case(ctx.db, 1).data.question
    if button == "keep_btn":
        assert saved == "My question from workstation A?"
        assert not dialog.isVisible()
        with ctx.db.reader() as s:
            changes = (
                s.execute(
                    select(AuditEvent.user).where(
                        AuditEvent.entity == "referral", AuditEvent.entity_id == "1"
                    )
                )
                .scalars()
                .all()
            )
        assert {"colleague.b", "test.user"} <= set(changes)  # both saves are on record
    elif button == "take_btn":
        assert saved == "Their question from workstation B?"
        assert dialog.question.toPlainText() == "Their question from workstation B?"
        assert not dialog.has_unsaved_changes()
    else:
        assert saved == "Their question from workstation B?"
        assert dialog.question.toPlainText() == "My question from workstation A?"  # kept
        assert dialog.has_unsaved_changes()
        dialog.undo_stack.setClean()
