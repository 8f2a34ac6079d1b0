"""Opening the referral form in tests as a user sees it (shown, exposed, active), and
closing every one at the end without the unsaved-changes question, so a failing test
never hangs on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from mdtboard.services.context import ServiceContext
from mdtboard.ui.referral_dialog import ReferralDialog


class FormOpener:
    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.opened: list[ReferralDialog] = []

    def open(
        self,
        ctx: ServiceContext,
        referral_id: int | None = None,
        size: tuple[int, int] | None = None,
    ) -> ReferralDialog:
        dialog = ReferralDialog(ctx, referral_id)
        self.opened.append(dialog)
        if size is not None:
            dialog.resize(*size)
        dialog.show()
        self.qtbot.waitExposed(dialog)
        dialog.activateWindow()
        self.qtbot.waitUntil(dialog.isActiveWindow)
        return dialog

    def close_all(self) -> None:
        for dialog in self.opened:
            dialog.undo_stack.setClean()
            dialog.close()
            dialog.deleteLater()


@contextmanager
def referral_forms(qtbot: QtBot) -> Iterator[FormOpener]:
    opener = FormOpener(qtbot)
    try:
        yield opener
    finally:
        opener.close_all()
