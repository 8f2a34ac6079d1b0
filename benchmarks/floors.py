"""Floors: the least a path could cost on this machine, measured in the same run.

Run as a script for the start-up floor: a bare PySide6 window with an empty
table view, started the same way as the app and saved after its first paint.
"""

from __future__ import annotations

import sys


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
