"""Issue 17 part 6: demo data stays demo. ``make run`` opens the demo's own file
(``mdtboard --demo``); ``mdtboard demo`` never fills the real default database
unless told to with ``--force``; every screen of a demo database says DEMO."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.settings import is_demo
from mdtboard.services.setup import create_empty_database
from mdtboard.store.db import Target, open_database, sqlite_url
from mdtboard.store.paths import default_db_path, demo_db_path


def mdt(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command with its own user data folder (``home``), no database named."""
    named = ("MDTBOARD_DB", "MDTBOARD_DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if k not in named}
    env["XDG_DATA_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def paths(home: Path) -> tuple[Path, Path]:
    """(default, demo) database files under a user data folder, as the app names them."""
    data = home / default_db_path().parent.name
    return data / default_db_path().name, data / demo_db_path().name


def test_demo_refuses_the_real_default_database(tmp_path: Path) -> None:
    default, _demo = paths(tmp_path)
    res = mdt(tmp_path, "demo", "--cases", "5")
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "real default database" in lines[0] and "--demo" in lines[0]
    assert not default.exists()  # nothing written there


def test_make_runs_commands_use_the_demo_file_and_never_the_default(tmp_path: Path) -> None:
    default, demo = paths(tmp_path)
    made = mdt(tmp_path, "--demo", "demo", "--if-missing", "--cases", "5")
    assert made.returncode == 0, made.stderr
    assert demo.is_file() and "demo" in demo.name
    assert not default.exists()
    again = mdt(tmp_path, "--demo", "demo", "--if-missing", "--cases", "5")  # make run again
    assert again.returncode == 0, again.stderr
    checked = mdt(tmp_path, "--demo", "check")
    assert checked.returncode == 0, checked.stderr
    assert not default.exists()
    both = mdt(tmp_path, "--demo", "--db", str(demo), "check")
    assert both.returncode == 1 and "--demo and --db" in both.stderr


def test_every_demo_window_says_demo(qtbot: QtBot, ctx: ServiceContext, tmp_path: Path) -> None:
    from mdtboard.ui.main_window import DEMO_TITLE, MainWindow

    assert is_demo(ctx.db)  # the fixture is the demo generator's output
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    assert DEMO_TITLE in win.windowTitle()
    badge = win.statusBar().findChild(object, "demoBadge")
    assert badge is not None and badge.text() == DEMO_TITLE
    from mdtboard.services import meetings
    from mdtboard.ui.meeting import MeetingModeWindow

    meeting = next(m for m in meetings.list_meetings(ctx.db) if m.status != "closed")
    mode = MeetingModeWindow(ctx, meeting.id)
    qtbot.addWidget(mode)
    assert DEMO_TITLE in mode.windowTitle()
    mode.toggle_presentation()
    qtbot.addWidget(mode.presentation)
    assert DEMO_TITLE in mode.presentation.windowTitle()

    real = Target(sqlite_url(tmp_path / "real.db"))
    create_empty_database(real)
    db = open_database(real)
    try:
        assert not is_demo(db)
        plain = MainWindow(ServiceContext(db, Actor("coord.c", "coordinator")))
        qtbot.addWidget(plain)
        assert "DEMO" not in plain.windowTitle()
        assert plain.statusBar().findChild(object, "demoBadge") is None
    finally:
        db.dispose()
