"""Open the app on a database, paint the main window, print peak RSS in KiB."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtWidgets import QApplication

    from mdtboard.services.context import Actor, ServiceContext
    from mdtboard.store.db import Target, open_database, sqlite_url
    from mdtboard.ui.main_window import MainWindow

    app = QApplication([])
    db = open_database(Target(sqlite_url(sys.argv[1])))
    win = MainWindow(ServiceContext(db, Actor("bench", "read_only")))
    win.show()
    for _ in range(20):  # scroll through a few pages as a user would
        app.processEvents()
        win.table.scrollToBottom()
    app.processEvents()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
