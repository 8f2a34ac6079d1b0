"""Sign-in (issue 15, part 9): two fields and the Tab between them, throttling after
failures, no stray typed text in the audit trail, a first administrator of its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services import auth
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError
from mdtboard.store.db import Target, open_database, sqlite_url
from mdtboard.store.models import AuditEvent
from mdtboard.store.types import utcnow
from mdtboard.ui.signin import FirstAdminDialog, SignInDialog


def shown(qtbot: QtBot, dialog: object) -> None:
    qtbot.addWidget(dialog)  # type: ignore[arg-type]
    dialog.show()  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)  # type: ignore[arg-type]
    dialog.activateWindow()  # type: ignore[attr-defined]
    qtbot.waitUntil(dialog.isActiveWindow)  # type: ignore[attr-defined]


def test_sign_in_by_keyboard_only_user_name_tab_password_enter(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    dialog = SignInDialog(ctx.db)
    shown(qtbot, dialog)
    fields = dialog.findChildren(QLineEdit)
    assert len(fields) == 2  # only user name and password: no stray field to Tab into
    assert QApplication.focusWidget() is dialog.username
    qtbot.keyClicks(QApplication.focusWidget(), "chair")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.password
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(QApplication.focusWidget(), "demo-chair-pass")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.role == "chair"
    assert not dialog.isVisible()


def test_failed_sign_ins_slow_down_and_never_lock_out_for_good(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [utcnow()]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    refused_quickly = 0
    for _ in range(30):  # 30 wrong passwords as fast as they can be typed
        try:
            auth.sign_in(ctx.db, "chair", "not the password")
        except auth.SignInFailed as exc:
            refused_quickly += "try again in" in str(exc)
    assert refused_quickly >= 30 - auth.FREE_ATTEMPTS - 1
    # the right password inside the wait is refused too, without being checked
    with pytest.raises(auth.SignInFailed, match="try again in"):
        auth.sign_in(ctx.db, "chair", "demo-chair-pass")
    # once the wait has passed it works: nobody is locked out for good
    now[0] += auth.LONGEST_WAIT + timedelta(seconds=1)
    assert auth.sign_in(ctx.db, "chair", "demo-chair-pass").role == "chair"


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(3, 0), (4, 2), (5, 4), (6, 8), (30, 300)],
)
def test_the_wait_doubles_and_is_capped(failures: int, wait: int) -> None:
    now = utcnow()
    recent = [now] * failures
    assert auth.throttle_wait(recent, now) == timedelta(seconds=wait)
    assert auth.throttle_wait(recent, now + auth.FAILURE_WINDOW) == timedelta(0)


def test_a_failed_sign_in_keeps_the_typed_name_only_for_an_account(ctx: ServiceContext) -> None:
    for typed in ("demo-chair-pass", "chair"):  # a password typed into the name field
        with pytest.raises(auth.SignInFailed):
            auth.sign_in(ctx.db, typed, "wrong password")
    with ctx.db.reader() as s:
        users = (
            s.execute(
                select(AuditEvent.user)
                .where(AuditEvent.action == "sign_in_failed")
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
    assert users[-2:] == [auth.UNKNOWN_ACCOUNT, "chair"]
    assert all("demo-chair-pass" not in u for u in users)


@pytest.mark.parametrize(
    ("password", "words"),
    [("short-pass", "at least 12"), (" " * 14, "only spaces"), ("\t" * 12, "only spaces")],
)
def test_passwords_are_twelve_characters_and_not_only_spaces(
    ctx: ServiceContext, password: str, words: str
) -> None:
    with pytest.raises(ValidationError, match=words):
        auth.create_user(ctx, "nurse9", "Nurse (demo)", "clinician", password)


def test_the_first_administrator_has_a_dialog_of_its_own(qtbot: QtBot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = open_database(Target(sqlite_url(tmp_path / "new.db")), create=True)
    try:
        assert not auth.has_users(db)
        dialog = FirstAdminDialog(db)
        shown(qtbot, dialog)
        for text in ("admin", "Fictional Admin", "a-long-fictional-pass", "a-long-fictional-pass"):
            qtbot.keyClicks(QApplication.focusWidget(), text)
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
        assert dialog.actor is not None and dialog.actor.role == "administrator"
        assert auth.has_users(db)
    finally:
        db.dispose()
