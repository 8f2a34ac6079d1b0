"""Long work off the GUI thread, with progress and cancel.

``run_in_background(parent, fn, title)`` runs ``fn(progress, cancelled)`` in a
QThread and shows a QProgressDialog; the result or the error comes back on
the GUI thread through signals.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)

Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


_paused = 0
_paused_lock = threading.Lock()


def _pause_collector() -> None:
    """While a job runs, the cyclic collector waits: a full collection holds the GIL for
    tens of milliseconds and the window would freeze. Reference counting still frees
    almost everything; the collector resumes when the last job ends."""
    global _paused
    with _paused_lock:
        _paused += 1
        gc.disable()


def _resume_collector() -> None:
    global _paused
    with _paused_lock:
        _paused -= 1
        if _paused == 0:
            gc.enable()


class _Runner(QObject):
    sig_progress = Signal(int, int)
    sig_done = Signal(object)
    sig_failed = Signal(object)

    def __init__(self, job: Job, cancel_flag: threading.Event) -> None:
        super().__init__()
        self._job = job
        self._cancel = cancel_flag

    @Slot()
    def run(self) -> None:
        _pause_collector()
        try:
            result = self._job(self.sig_progress.emit, self._cancel.is_set)
        except Exception as exc:  # reported to the GUI thread, never lost
            log.info("background job failed: %s", type(exc).__name__)
            self.sig_failed.emit(exc)
            return
        finally:
            _resume_collector()
        self.sig_done.emit(result)


class BackgroundJob(QObject):
    """One job: ``sig_finished(result)`` or ``sig_failed(exception)``, then it is done."""

    sig_finished = Signal(object)
    sig_failed = Signal(object)

    def __init__(
        self, parent: QWidget, job: Job, title: str, *, show_progress: bool = True
    ) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread = QThread(self)
        self._runner = _Runner(job, self._cancel)
        self._runner.moveToThread(self._thread)
        self._thread.started.connect(self._runner.run)
        self._runner.sig_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._runner.sig_done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._runner.sig_failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.dialog: QProgressDialog | None = None
        if show_progress:
            dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
            dialog.setWindowTitle(title)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.canceled.connect(self.cancel)
            self.dialog = dialog
        self.done = False

    def start(self) -> None:
        # Objects alive now (Qt wrappers, SQLAlchemy, caches) are moved out of the
        # collector's reach: otherwise a full collection triggered by the job's many
        # allocations walks them all while holding the GIL, and the window stalls.
        gc.freeze()
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _on_progress(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, total))

    def _finish(self) -> None:
        self.done = True
        self._thread.quit()
        self._thread.wait()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.hide()

    def _on_done(self, result: object) -> None:
        self._finish()
        self.sig_finished.emit(result)

    def _on_failed(self, exc: object) -> None:
        self._finish()
        self.sig_failed.emit(exc)

    def wait(self) -> None:
        self._thread.wait()


def run_in_background(parent: QWidget, job: Job, title: str, **kwargs: Any) -> BackgroundJob:
    bg = BackgroundJob(parent, job, title, **kwargs)
    bg.start()
    return bg
