"""Floors: the least a path could cost on this machine, measured in the same run.

Run as a script for the start-up floor: a bare PySide6 window with an empty
table view, started the same way as the app and saved after its first paint
(noted in ``MDTBOARD_STARTUP_TRACE`` at the point where the app notes its own).
"""

from __future__ import annotations

import os
import sys
import time


def bare_window_screenshot(path: str) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    win.setCentralWidget(QTableView(win))
    win.resize(1280, 760)

    class Once(QObject):
        done = False

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if not self.done and event.type() == QEvent.Type.Paint:
                self.done = True

                def shoot() -> None:
                    trace = os.environ.get("MDTBOARD_STARTUP_TRACE")
                    if trace:  # the same note, at the same point, as the app's first paint
                        with open(trace, "a", encoding="utf-8") as fh:
                            fh.write(f"first_paint {time.time():.6f}\n")
                    win.grab().save(path, "PNG")
                    app.quit()

                QTimer.singleShot(0, shoot)
            return False

    f = Once()
    win.installEventFilter(f)
    win.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(bare_window_screenshot(sys.argv[1]))
