"""Application start-up: QApplication, main window, optional screenshot."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from mdtboard import __version__
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.store.db import Database


def ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName("mdtboard")
    app.setApplicationName("mdtboard")
    app.setApplicationVersion(__version__)
    return app


class FirstPaint(QObject):
    """Calls back once, right after the watched widget's first paint."""

    def __init__(self, widget: QWidget, callback: object) -> None:
        super().__init__(widget)
        self._callback = callback
        self._done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            QTimer.singleShot(0, self._callback)  # type: ignore[call-overload]
        return False


def save_screenshot(widget: QWidget, path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    return widget.grab().save(str(path), "PNG")


def _sign_in(db: Database) -> Actor | None:
    from mdtboard.services import auth
    from mdtboard.ui.signin import SignInDialog

    dialog = SignInDialog(db, first_run=not auth.has_users(db))
    if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    return dialog.actor


def run_app(db: Database, *, screenshot: Path | None = None) -> int:
    app = ensure_app()
    try:
        if screenshot is not None:
            return _run_screenshot(app, db, screenshot)
        return _run_signed_in(app, db)
    finally:
        db.dispose()


def _run_signed_in(app: QApplication, db: Database) -> int:
    from mdtboard.services.settings import get_settings
    from mdtboard.ui.main_window import MainWindow
    from mdtboard.ui.signin import IdleLock

    while True:  # after a sign-out, ask who signs in next
        actor = _sign_in(db)
        if actor is None:
            return 1
        window = MainWindow(ServiceContext(db, actor))
        install_exception_hook(window)
        window.idle_lock = IdleLock(window, db, actor.username, get_settings(db).idle_lock_minutes)
        start_automatic_backup(db)
        window.show()
        QTimer.singleShot(0, gc.freeze)  # start-up objects live for the whole session
        rc = app.exec()
        if not window.signed_out:
            return rc


def _run_screenshot(app: QApplication, db: Database, screenshot: Path) -> int:
    """Render the main window after its first paint. Changes nothing: it runs read-only
    as the operating-system account."""
    from mdtboard.ui.main_window import MainWindow

    local = Actor.local()
    window = MainWindow(ServiceContext(db, Actor(local.username, "read_only", local.display_name)))
    exit_code = 0

    def shoot() -> None:
        nonlocal exit_code
        if not save_screenshot(window, screenshot):
            print(f"mdtboard: error: cannot write screenshot {screenshot}", file=sys.stderr)
            exit_code = 1
        window.close()
        app.quit()

    FirstPaint(window, shoot)
    window.show()
    rc = app.exec()
    return exit_code or rc


def start_automatic_backup(db: Database) -> threading.Thread | None:
    """Once a day, a checked copy of the database in its backups folder (keeps the newest N),
    made in the background so the window never waits for it."""
    path = db.target.sqlite_path
    if path is None or db.target.encrypted:
        return None  # PostgreSQL: pg_dump; SQLCipher: see docs (sqlcipher_export)
    from datetime import UTC, datetime

    from mdtboard.services.settings import get_settings
    from mdtboard.store.backup import automatic_backup, backups_folder

    keep = get_settings(db).backups_keep
    today = datetime.now(UTC).strftime("%Y-%m-%d")

    def work() -> None:
        import logging

        try:
            automatic_backup(path, backups_folder(path), keep, today)
        except Exception as exc:  # a failed backup must never stop the app
            from mdtboard.logs import log_exception

            log_exception(logging.getLogger("mdtboard.backup"), exc, "automatic backup failed")

    thread = threading.Thread(target=work, name="mdtboard-backup", daemon=True)
    thread.start()
    return thread


def offer_restore(message: str, backup: Path | None) -> bool:
    """The database cannot be read: say so plainly and offer the latest backup."""
    from PySide6.QtWidgets import QMessageBox

    ensure_app()
    if backup is None:
        QMessageBox.critical(None, "Database damaged", message)
        return False
    answer = QMessageBox.question(
        None,
        "Database damaged",
        f"{message}\n\nRestore the latest automatic backup now? The damaged file is kept "
        "beside it.",
    )
    return answer == QMessageBox.StandardButton.Yes


def install_exception_hook(window: QWidget | None = None) -> None:
    """Uncaught exceptions: log them (no patient data), tell the user plainly, keep going.

    Drafts are saved by their own autosave; the hook asks open windows to save now.
    """
    import logging

    from PySide6.QtWidgets import QMessageBox

    log = logging.getLogger("mdtboard.crash")

    def hook(exc_type: type[BaseException], exc: BaseException, tb: object) -> None:
        from mdtboard.logs import log_exception

        log_exception(log, exc, "uncaught exception in the GUI")
        for w in QApplication.topLevelWidgets():
            save = getattr(w, "save_now", None)
            if callable(save):
                try:
                    save()
                except Exception:  # saving must never raise from the hook
                    log.exception("draft save after an error failed")
        QMessageBox.critical(
            window,
            "Something went wrong",
            "mdtboard hit an unexpected problem and did not finish that action.\n"
            "Your saved work and drafts are kept. The details are in the log file.",
        )

    sys.excepthook = hook
