"""Application start-up: QApplication, main window, optional screenshot.

This module and the main window's frame import Qt and nothing of the database
layer, so the window's frame paints before SQLAlchemy is loaded (``_frame_then_database``).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from mdtboard import __version__

if TYPE_CHECKING:
    from mdtboard.services.context import Actor
    from mdtboard.store.db import Database
    from mdtboard.store.location import Target
    from mdtboard.ui.main_window import MainWindow

#: a file to which start-up appends ``<event> <unix time>`` lines (benchmarks)
STARTUP_TRACE_ENV = "MDTBOARD_STARTUP_TRACE"


def trace_startup(event: str) -> None:
    """Note when a start-up step happened, if ``MDTBOARD_STARTUP_TRACE`` names a file."""
    path = os.environ.get(STARTUP_TRACE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {time.time():.6f}\n")


def route_qt_messages_to_log() -> None:
    """Qt's own diagnostics go to the log file, not the user's terminal, where they would
    mix with the one line a failed command prints. Critical and fatal ones (no display,
    a missing platform library) are printed as well: they are why the app stops.
    (Tests keep pytest-qt's handler.)"""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    log = logging.getLogger("mdtboard.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        level = levels.get(kind, logging.ERROR)
        log.log(level, "%s", message)
        if level >= logging.ERROR:
            print(f"mdtboard: Qt: {message}", file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


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
    """Save a PNG of ``widget`` under a temporary name, then put it in place (the path
    has passed ``store.outputs.check_output_path``)."""
    from mdtboard.store.outputs import move_into_place, staging_path

    staged = staging_path(path)
    try:
        if not widget.grab().save(str(staged), "PNG"):
            return False
        move_into_place(staged, path)
        return True
    except OSError:
        return False
    finally:
        staged.unlink(missing_ok=True)


#: the longest start-up waits for a window's paint (a window that is never exposed,
#: e.g. on a hidden workspace, must not stop the app)
PAINT_WAIT_MS = 3000


def wait_for_paint(widget: QWidget) -> None:
    """Show ``widget`` if needed and run the event loop until it has painted once more."""
    loop = QEventLoop()
    FirstPaint(widget, loop.quit)
    QTimer.singleShot(PAINT_WAIT_MS, loop.quit)
    if widget.isVisible():
        widget.update()
    else:
        widget.show()
    loop.exec()


def _sign_in(db: Database, parent: QWidget) -> Actor | None:
    from mdtboard.services import auth
    from mdtboard.ui.signin import FirstAdminDialog, SignInDialog

    dialog: SignInDialog | FirstAdminDialog = (
        SignInDialog(db, parent) if auth.has_users(db) else FirstAdminDialog(db, parent)
    )
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
        return None
    return dialog.actor


def _frame_then_database(target: Target) -> tuple[MainWindow, Database]:
    """Paint the main window's frame, then load the database layer and open the database.
    The caller has already refused a missing, foreign or newer SQLite file with the
    standard library, so those errors come before any window."""
    window = _painted_frame(target)
    trace_startup("first_paint")
    from mdtboard.store.db import open_database

    try:
        return window, open_database(target)
    except BaseException:
        window.close()
        raise


def _painted_frame(target: Target) -> MainWindow:
    from mdtboard.ui.main_window import MainWindow

    window = MainWindow(title=target.display)
    wait_for_paint(window)
    return window


def run_app(target: Target) -> int:
    """The desktop app: the frame paints, the database opens, someone signs in (the
    dialog over the empty frame: no patient data before that), the list fills."""
    app = ensure_app()
    window, db = _frame_then_database(target)
    from mdtboard.services.context import ServiceContext
    from mdtboard.services.settings import get_settings
    from mdtboard.ui.signin import IdleLock

    try:
        while True:  # after a sign-out, ask who signs in next, over a new frame
            if not window.isVisible():
                return 0  # closed (Quit) before anyone signed in
            window.show_frame_message("Waiting for sign-in…")
            actor = _sign_in(db, window)
            if actor is None:
                window.close()
                return 1
            if not window.isVisible():
                return 0
            window.attach(
                ServiceContext(db, actor, account=True, on_account_changed=window.account_changed)
            )
            install_exception_hook(window)
            minutes = get_settings(db).idle_lock_minutes
            window.idle_lock = IdleLock(window, db, actor.username, minutes)
            start_automatic_backup(db)
            QTimer.singleShot(0, gc.freeze)  # start-up objects live for the whole session
            rc = app.exec()
            if not window.signed_out:
                return rc
            window = _painted_frame(target)
    finally:
        db.dispose()


def run_screenshot(target: Target, screenshot: Path) -> int:
    """Paint the main window's frame, then open the database and fill the list, then save
    a PNG of the filled window and exit. Changes nothing: it runs read-only as the
    operating-system account."""
    ensure_app()
    window, db = _frame_then_database(target)
    from mdtboard.services.context import Actor, ServiceContext

    try:
        local = Actor.local()
        window.attach(ServiceContext(db, Actor(local.username, "read_only", local.display_name)))
        wait_for_paint(window)
        trace_startup("list_painted")
        saved = save_screenshot(window, screenshot)
        window.close()
    finally:
        db.dispose()
    if not saved:
        print(f"mdtboard: error: cannot write screenshot {screenshot}", file=sys.stderr)
        return 1
    return 0


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
