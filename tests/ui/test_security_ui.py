"""Sign-in, idle lock, sign-out and the audit viewer, driven through the GUI."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mdtboard.services.context import Actor, ServiceContext
from mdtboard.store.models import AuditEvent
from mdtboard.ui.audit_viewer import AuditViewer
from mdtboard.ui.main_window import MainWindow
from mdtboard.ui.signin import IdleLock, SignInDialog


def test_sign_in_with_a_demo_account(qtbot: QtBot, ctx: ServiceContext) -> None:
    dialog = SignInDialog(ctx.db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "chair")
    qtbot.keyClicks(dialog.password, "wrong password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is None and "not recognised" in dialog.error.text()
    qtbot.keyClicks(dialog.password, "demo-chair-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.role == "chair"
    with ctx.db.reader() as s:
        actions = (
            s.execute(select(AuditEvent.action).where(AuditEvent.entity == "user")).scalars().all()
        )
    assert "sign_in_failed" in actions and "sign_in" in actions


def test_idle_lock_keeps_work_and_needs_the_password(qtbot: QtBot, ctx: ServiceContext) -> None:
    chair = ServiceContext(ctx.db, Actor("chair", "chair"))
    win = MainWindow(chair)
    qtbot.addWidget(win)
    win.show()
    win.search.setText("unsaved search text")
    lock = IdleLock(win, ctx.db, "chair", 15)
    lock.timer.setInterval(50)  # 15 minutes, shortened for the test
    lock.timer.start()
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    dialog = lock.dialog
    assert dialog.isVisible() and dialog.username.isReadOnly()
    qtbot.keyClicks(dialog.password, "nope")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert lock.locked
    qtbot.keyClicks(dialog.password, "demo-chair-pass")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not lock.locked
    assert win.search.text() == "unsaved search text"
    lock.timer.stop()  # the shortened timer would lock again during later tests


def test_sign_out_is_audited(qtbot: QtBot, ctx: ServiceContext) -> None:
    win = MainWindow(ServiceContext(ctx.db, Actor("chair", "chair")))
    qtbot.addWidget(win)
    win.show()
    win.act_sign_out.trigger()
    assert win.signed_out and not win.isVisible()
    with ctx.db.reader() as s:
        last = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert (last.action, last.user) == ("sign_out", "chair")


def test_audit_viewer_filters_and_verifies(
    qtbot: QtBot, ctx: ServiceContext, qtmodeltester: ModelTester
) -> None:
    viewer = AuditViewer(ctx)
    qtbot.addWidget(viewer)
    viewer.show()
    qtmodeltester.check(viewer.model, force_py=True)
    total = viewer.model.total
    assert total >= 1
    viewer.action.setFocus()
    target = viewer.action.findData("create")
    while viewer.action.currentIndex() != target:
        qtbot.keyClick(viewer.action, Qt.Key.Key_Down)
    assert 0 < viewer.model.total <= total
    assert all(viewer.model.index(r, 3).data() == "create" for r in range(viewer.model.rowCount()))
    qtbot.mouseClick(viewer.verify_btn, Qt.MouseButton.LeftButton)
    assert "intact" in viewer.status.text()


def test_read_only_users_cannot_open_the_audit_trail(qtbot: QtBot, ctx: ServiceContext) -> None:
    from mdtboard.services.errors import PermissionDenied

    viewer_ctx = ServiceContext(ctx.db, Actor("viewer", "read_only"))
    try:
        AuditViewer(viewer_ctx)
    except PermissionDenied:
        return
    raise AssertionError("a read-only user opened the audit trail")


def test_read_only_user_is_told_meeting_mode_is_not_allowed(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from mdtboard.services import meetings

    win = MainWindow(ServiceContext(ctx.db, Actor("viewer", "read_only")))
    qtbot.addWidget(win)
    win.show()
    seen: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    planned = next(m for m in meetings.list_meetings(ctx.db) if m.status == "planned")
    assert win.open_meeting_mode(planned.id) is None
    assert seen and "may not" in seen[0]


def _meeting_with_a_case(ctx: ServiceContext) -> int:
    from datetime import UTC, datetime, timedelta

    from mdtboard.services import meetings
    from mdtboard.services.worklist import CaseQuery, fetch_cases

    m = meetings.create_meeting(
        ctx, title="Lock test", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    case = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0]
    meetings.list_case(ctx, m.id, case.referral_id)
    return m.id


def _chair_in_meeting_mode(qtbot: QtBot, ctx: ServiceContext) -> tuple[MainWindow, Any]:
    chair = ServiceContext(ctx.db, Actor("chair", "chair"))
    win = MainWindow(chair)
    qtbot.addWidget(win)
    win.show()
    mode = win.open_meeting_mode(_meeting_with_a_case(chair))
    assert mode is not None
    qtbot.waitExposed(mode)
    mode.activateWindow()
    qtbot.waitUntil(mode.isActiveWindow)
    return win, mode


def test_sign_out_closes_meeting_mode_and_keeps_its_draft(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    from mdtboard.services import decisions

    win, mode = _chair_in_meeting_mode(qtbot, ctx)
    qtbot.keyClick(mode, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    mode.consensus.plan_text.setFocus()
    qtbot.keyClicks(mode.consensus.plan_text, "Typed just before signing out")
    qtbot.keyClick(mode, Qt.Key.Key_F11)
    presentation = mode.presentation
    assert presentation is not None and presentation.isVisible()
    entry_id = mode.presenter.entry.id  # type: ignore[attr-defined,union-attr]

    win.act_sign_out.trigger()
    assert win.signed_out
    assert not mode.isVisible() and not presentation.isVisible()
    draft = decisions.current_decision(ctx.db, entry_id)
    assert draft is not None and draft.data.plan_text == "Typed just before signing out"


def test_idle_lock_hides_meeting_mode_and_the_shared_screen(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    win, mode = _chair_in_meeting_mode(qtbot, ctx)
    qtbot.keyClick(mode, Qt.Key.Key_F11)
    presentation = mode.presentation
    assert presentation is not None and presentation.isVisible()
    form = win.edit_case(win.model.row_at(0).referral_id)  # type: ignore[union-attr]
    qtbot.waitExposed(form)  # a window-modal referral form with a patient's details
    lock = IdleLock(win, ctx.db, "chair", 15)
    lock.timer.setInterval(50)
    lock.timer.start()
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert not mode.isVisible() and not presentation.isVisible() and not form.isVisible()
    assert not win.centralWidget().isVisible()  # the case list is hidden too
    qtbot.keyClicks(lock.dialog.password, "demo-chair-pass")
    qtbot.keyClick(lock.dialog.password, Qt.Key.Key_Return)
    assert not lock.locked
    assert mode.isVisible() and presentation.isVisible() and win.centralWidget().isVisible()
    assert form.isVisible()  # and the unsaved form comes back as it was
    lock.timer.stop()
    form.undo_stack.setClean()
    form.reject()
    mode.close()


def test_a_disabled_account_ends_the_gui_session_at_its_next_action(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Any
) -> None:
    """Issue 15, part 5: the session follows the account — the next action is refused in
    one line and every window of the session closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from mdtboard.services import auth

    actor = auth.sign_in(ctx.db, "coordinator", "demo-coordinator-pass")
    win = MainWindow()  # the frame, then the signed-in session, as the app does
    qtbot.addWidget(win)
    win.attach(ServiceContext(ctx.db, actor, account=True, on_account_changed=win.account_changed))
    win.show()
    qtbot.waitExposed(win)
    account = next(u for u in auth.list_users(ctx.db) if u.username == "coordinator")
    auth.update_user(ctx, account.id, account.version, active=False)
    shown: list[str] = []

    def answer() -> None:  # every message box of the session's end, as a user would
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.accept()
        if not win.signed_out:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)
    job = win.export_worklist(str(tmp_path / "w.csv"))  # an action that writes its audit
    assert job is not None
    qtbot.waitUntil(lambda: win.signed_out, timeout=20_000)
    assert any("disabled" in text for text in shown)
    assert not (tmp_path / "w.csv").exists()
