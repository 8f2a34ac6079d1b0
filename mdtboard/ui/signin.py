"""Sign-in, first administrator, and the idle lock (unsaved work is kept while locked)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QToolBar,
    QWidget,
)

from mdtboard.services import auth
from mdtboard.services.context import Actor
from mdtboard.services.errors import ServiceError
from mdtboard.store.db import Database


class SignInDialog(QDialog):
    """User name and password, nothing else: Tab goes from one to the other, Enter signs
    in. Locked (``lock``), the user name is fixed and only the password is asked for.
    The first administrator of a new database is made in :class:`FirstAdminDialog`."""

    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        *,
        username: str = "",
        lock: bool = False,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.lock = lock
        self.actor: Actor | None = None
        self.setObjectName("SignInDialog")
        self.setWindowTitle("mdtboard is locked" if lock else "Sign in to mdtboard")
        form = QFormLayout(self)
        intro = QLabel(
            "Locked after inactivity. Your unsaved work is kept; enter your password."
            if lock
            else "Sign in with your mdtboard account.",
            self,
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        self.username.setReadOnly(lock)
        form.addRow("&User name", self.username)
        self.password = _password_field(self, "password", "Password")
        form.addRow("&Password", self.password)
        self.error = _finish_form(self, form, self.submit)
        QWidget.setTabOrder(self.username, self.password)
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        try:
            # unlocking is signing in again: the same checks (a disabled account, the
            # throttle after failures) and the same audit
            self.actor = auth.sign_in(self.db, user, password)
        except ServiceError as exc:
            self.error.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.password.clear()
        self.accept()

    def reject(self) -> None:
        if self.lock:  # a locked session can only be unlocked (or the app quit)
            QApplication.instance().quit()  # type: ignore[union-attr]
            return
        super().reject()


class FirstAdminDialog(QDialog):
    """The first account of a new database, an administrator, in a dialog of its own."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.setObjectName("FirstAdminDialog")
        self.setWindowTitle("Create the administrator account")
        form = QFormLayout(self)
        intro = QLabel(
            "No account exists yet. Create the first administrator (a password of at "
            f"least {auth.MIN_PASSWORD} characters).",
            self,
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.username = QLineEdit(self)
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        form.addRow("&User name", self.username)
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("displayName")
        self.display_name.setAccessibleName("Display name")
        form.addRow("&Display name", self.display_name)
        self.password = _password_field(self, "password", "Password")
        form.addRow("&Password", self.password)
        self.repeat = _password_field(self, "repeatPassword", "Password again")
        form.addRow("Password &again", self.repeat)
        self.error = _finish_form(self, form, self.submit)
        QWidget.setTabOrder(self.username, self.display_name)
        QWidget.setTabOrder(self.display_name, self.password)
        QWidget.setTabOrder(self.password, self.repeat)
        self.username.setFocus()

    def submit(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        if password != self.repeat.text():
            self.error.setText("The two passwords differ; type them again.")
            self.password.clear()
            self.repeat.clear()
            self.password.setFocus()
            return
        try:
            auth.create_first_administrator(
                self.db, user, self.display_name.text().strip() or user, password
            )
            self.actor = auth.sign_in(self.db, user, password)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.password.clear()
        self.repeat.clear()
        self.accept()


def _password_field(parent: QWidget, name: str, label: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setAccessibleName(label)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _finish_form(dialog: QDialog, form: QFormLayout, submit: Callable[[], None]) -> QLabel:
    """The error line and the OK/Cancel buttons under a sign-in form; the error line."""
    label = QLabel(dialog)
    label.setObjectName("signInError")
    label.setStyleSheet("color:#b3261e;")
    label.setWordWrap(True)
    form.addRow(label)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return label


class IdleLock(QObject):
    """Locks the session after ``minutes`` without keyboard or mouse input."""

    sig_locked = Signal()
    sig_unlocked = Signal()

    def __init__(self, window: QWidget, db: Database, username: str, minutes: int) -> None:
        super().__init__(window)
        self.window, self.db, self.username = window, db, username
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.timer.timeout.connect(self.lock)
        self.locked = False
        self._hidden: list[QWidget] = []
        self._content: list[QWidget] = []
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.locked and event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self.timer.start()
        return False

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.sig_locked.emit()
        # Nothing of the record stays on screen while locked: other windows (meeting
        # mode, the presentation screen) are hidden, and the main window's contents too.
        self._hidden = [
            w for w in QApplication.topLevelWidgets() if w is not self.window and w.isVisible()
        ]  # forms and message boxes too, modal or not: they show patient details
        for w in self._hidden:
            w.hide()
        central = getattr(self.window, "centralWidget", lambda: None)()
        self._content = [w for w in (central, *self.window.findChildren(QToolBar)) if w is not None]
        for w in self._content:
            w.hide()
        dialog = SignInDialog(self.db, self.window, username=self.username, lock=True)
        dialog.setModal(True)
        dialog.accepted.connect(self._unlocked)
        self.dialog = dialog
        dialog.open()

    def _unlocked(self) -> None:
        for w in (*self._content, *self._hidden):
            w.show()
        self._hidden = []
        self.locked = False
        self.timer.start()
        self.sig_unlocked.emit()
