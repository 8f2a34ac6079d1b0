"""Open the app on a database, paint the main window, print its peak RSS in KiB."""

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
    print(peak_rss_kib())
    return 0


def peak_rss_kib() -> int:
    """This process's own peak RSS. (ru_maxrss would also count the parent's size at
    fork time on Linux, so every probe started from a big parent would look the same.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    raise SystemExit(main())
