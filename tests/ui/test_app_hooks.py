"""The uncaught-exception handler: plain message, drafts saved, no patient data logged."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from mdtboard.ui.app import install_exception_hook


class DraftWindow(QWidget):
    saved = 0

    def save_now(self) -> bool:
        DraftWindow.saved += 1
        return True


def test_uncaught_exception_saves_drafts_and_tells_the_user(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    win = DraftWindow()
    qtbot.addWidget(win)
    win.show()
    previous = sys.excepthook
    install_exception_hook(win)
    seen: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(20, close_box)

    QTimer.singleShot(20, close_box)
    try:
        secret = "MRN " + "DEMO" + "0000001 " + "Zo" + "ë Imaginary"  # not in any source line
        raise RuntimeError(secret)
    except RuntimeError as exc:
        logger = logging.getLogger("mdtboard")  # may not propagate once the CLI set up logs
        logger.addHandler(caplog.handler)
        try:
            with caplog.at_level(logging.ERROR, logger="mdtboard"):
                sys.excepthook(type(exc), exc, exc.__traceback__)
        finally:
            logger.removeHandler(caplog.handler)
    finally:
        sys.excepthook = previous
    assert seen and "unexpected problem" in seen[0]
    assert DraftWindow.saved == 1
    assert "RuntimeError" in caplog.text
    assert "DEMO0000001" not in caplog.text and "Zoë" not in caplog.text
