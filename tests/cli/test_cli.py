"""The command line: scriptable, one clear line per error, files left untouched."""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mdtboard.cli.main import main


def run_probe(probe: str, report: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the app with the command-line ``args`` after ``probe`` (Python that replaces
    a step of it); the last line of stdout is then the probe's ``report`` variable."""
    call = "from mdtboard.cli.main import main\n\nrc = main(sys.argv[1:])\n"
    end = f"print(ascii({report}))\nsys.exit(rc)\n"
    return subprocess.run(
        [sys.executable, "-c", probe + call + end, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_demo_then_screenshot_through_environment(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    env = {"MDTBOARD_DB": str(db)}
    made = run("demo", "--cases", "40", env=env)
    assert made.returncode == 0, made.stderr
    assert "40 cases" in made.stdout and "FICTIONAL" in made.stdout
    shot = tmp_path / "shot.png"
    res = run("--screenshot", str(shot), env=env)
    assert res.returncode == 0, res.stderr
    assert shot.stat().st_size > 10_000


# Runs `mdtboard --screenshot` with the start-up notes recorded: at each, is SQLAlchemy
# loaded, how many rows does the list show, can a referral be created, which of alembic
# and reportlab (never needed to show the list) are loaded?
FRAME_PROBE = """
import sys
from PySide6.QtWidgets import QApplication
from mdtboard.ui import app

seen = []


def note(event):
    win = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow")
    rows = win.table.model().rowCount()
    heavy = [m for m in ("alembic", "reportlab") if m in sys.modules]
    usable = win.act_new_referral.isEnabled()
    seen.append((event, "sqlalchemy" in sys.modules, rows, usable, heavy))


app.trace_startup = note
"""


def test_screenshot_paints_the_frame_before_loading_the_database_layer(
    tmp_path: Path, demo_path: Path
) -> None:
    shot = tmp_path / "s.png"
    res = run_probe(FRAME_PROBE, "seen", "--db", str(demo_path), "--screenshot", str(shot))
    assert res.returncode == 0, res.stderr
    seen = ast.literal_eval(res.stdout.strip().splitlines()[-1])
    assert seen == [("first_paint", False, 0, False, []), ("list_painted", True, 40, True, [])]
    assert shot.stat().st_size > 10_000


# Runs the desktop app with the sign-in dialog replaced: the first session signs out,
# the second sign-in is cancelled. What did the app show at each step?
SESSION_PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from mdtboard.ui import app

seen = []
sessions = []


def note(event):
    win = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow")
    seen.append((event, "sqlalchemy" in sys.modules, win.table.model().rowCount()))


def sign_in(db, frame):
    rows = frame.table.model().rowCount()
    seen.append(("sign_in", frame.isVisible(), frame.attached, rows, frame._status.text()))
    if sessions:
        return None  # the second time, nobody signs in
    from mdtboard.services import auth

    def session():
        seen.append(("session", frame.attached, frame.model.rowCount()))
        frame.sign_out()

    sessions.append(frame)
    QTimer.singleShot(0, session)
    return auth.sign_in(db, "coordinator", "demo-coordinator-pass")  # a demo account


app.trace_startup = note
app._sign_in = sign_in
"""


def test_the_app_paints_its_frame_then_asks_who_signs_in_then_fills_the_list(
    demo_path: Path,
) -> None:
    res = run_probe(SESSION_PROBE, "seen", "--db", str(demo_path))
    assert res.returncode == 1, res.stderr  # the second sign-in was cancelled
    seen = ast.literal_eval(res.stdout.strip().splitlines()[-1])
    waiting = "Waiting for sign-in…"
    assert seen == [
        ("first_paint", False, 0),  # the frame, before the database layer is loaded
        ("sign_in", True, False, 0, waiting),  # over the empty frame: no patient data yet
        ("session", True, 40),
        ("sign_in", True, False, 0, waiting),  # after sign-out: a new, empty frame
    ]


# The user quits (Ctrl+Q) while the frame waits for the database: the app ends, rc 0,
# without asking anyone to sign in (it used to carry on with a hidden window).
QUIT_EARLY_PROBE = """
import sys
from mdtboard.ui import app

real = app.wait_for_paint
asked = []


def wait_then_quit(window):
    real(window)
    window.act_quit.trigger()


def sign_in(db, frame):
    asked.append(frame.isVisible())
    return None


app.wait_for_paint = wait_then_quit
app._sign_in = sign_in
"""


def test_quitting_before_the_database_is_open_ends_the_app(demo_path: Path) -> None:
    res = run_probe(QUIT_EARLY_PROBE, "asked", "--db", str(demo_path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"  # nobody was asked to sign in


# A damaged database with an automatic backup: the user accepts the offer to restore,
# then cancels the sign-in. What did the app have open by then?
RESTORE_PROBE = """
import sys
from mdtboard.ui import app

offered = []
app.offer_restore = lambda message, backup: offered.append(backup.name) or True


def sign_in(db, frame):
    from sqlalchemy import text

    with db.engine.connect() as conn:
        offered.append(conn.execute(text("SELECT COUNT(*) FROM patients")).scalar_one())
    return None


app._sign_in = sign_in
"""


def test_a_damaged_database_is_restored_from_its_backup_when_the_user_agrees(
    demo_path: Path,
) -> None:
    import sqlite3

    from mdtboard.store.backup import automatic_backup, backups_folder

    with sqlite3.connect(demo_path) as conn:
        patients = conn.execute("SELECT COUNT(*) FROM patients").fetchone()[0]
    automatic_backup(demo_path, backups_folder(demo_path), 3, "2026-11-27")
    data = demo_path.read_bytes()
    demo_path.write_bytes(data[:4096] + b"\0" * (len(data) - 4096))  # damaged after page 1
    res = run_probe(RESTORE_PROBE, "offered", "--db", str(demo_path))
    assert res.returncode == 1, res.stderr  # the sign-in was cancelled
    offered = ast.literal_eval(res.stdout.strip().splitlines()[-1])
    assert offered == ["demo.2026-11-27.bak", patients]  # restored, then opened
    kept = [p.name for p in demo_path.parent.iterdir() if ".replaced-" in p.name]
    assert len(kept) == 1  # the damaged file is kept beside it


def test_a_path_keeps_its_own_spaces_in_the_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "two  spaces.db"
    assert main(["check", "--db", str(missing)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(str(missing))


def test_startup_trace_notes_the_first_paint_then_the_filled_list(
    tmp_path: Path, demo_path: Path
) -> None:
    trace = tmp_path / "startup.trace"
    res = run(
        "--db",
        str(demo_path),
        "--screenshot",
        str(tmp_path / "s.png"),
        env={"MDTBOARD_STARTUP_TRACE": str(trace)},
    )
    assert res.returncode == 0, res.stderr
    events = [line.split() for line in trace.read_text().splitlines()]
    assert [name for name, _t in events] == ["first_paint", "list_painted"]
    assert float(events[0][1]) <= float(events[1][1])


def test_a_server_that_cannot_be_reached_fails_after_the_frame_in_one_line(
    tmp_path: Path,
) -> None:
    shot = tmp_path / "s.png"
    url = "postgresql+psycopg://nobody@127.0.0.1:9/none"  # nothing listens on port 9
    trace = tmp_path / "startup.trace"
    env = {"MDTBOARD_DATABASE_URL": url, "MDTBOARD_STARTUP_TRACE": str(trace)}
    res = run("--screenshot", str(shot), env=env)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mdtboard: error: cannot connect to ")
    assert "Traceback" not in res.stderr and not shot.exists()
    assert [line.split()[0] for line in trace.read_text().splitlines()] == ["first_paint"]


def test_text_file_fails_with_one_line_and_is_unchanged(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    before = hashlib.sha256(notes.read_bytes()).hexdigest()
    res = run("--screenshot", str(tmp_path / "s.png"), env={"MDTBOARD_DB": str(notes)})
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "not an mdtboard database" in lines[0]
    assert "Traceback" not in res.stderr
    assert hashlib.sha256(notes.read_bytes()).hexdigest() == before
    assert not (tmp_path / "s.png").exists()


def test_missing_file_fails_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--db", str(tmp_path / "nope.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not found" in err[0]
    assert not (tmp_path / "nope.db").exists()


def test_demo_refuses_to_overwrite_without_force(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    assert main(["demo", "--db", str(demo_path)]) == 1
    assert "--force" in capsys.readouterr().err
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before
    assert main(["demo", "--db", str(demo_path), "--if-missing"]) == 0
    assert main(["demo", "--db", str(demo_path), "--force", "--cases", "5"]) == 0
    assert main(["check", "--db", str(demo_path)]) == 0
    assert "5 referrals" in capsys.readouterr().out


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    import sqlite3

    dumps = []
    for name in ("a.db", "b.db"):
        assert main(["demo", "--db", str(tmp_path / name), "--seed", "42", "--cases", "30"]) == 0
        conn = sqlite3.connect(tmp_path / name)
        dumps.append(
            conn.execute(
                "SELECT p.mrn, p.family_name, p.given_name, p.date_of_birth, r.histology_key,"
                " r.levels_text, r.urgency FROM patients p JOIN referrals r ON r.patient_id = p.id"
                " ORDER BY p.id"
            ).fetchall()
        )
        conn.close()
    assert dumps[0] == dumps[1] and len(dumps[0]) == 30


def test_bad_arguments_exit_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--cases", "zero"])
    assert exc.value.code == 2
    assert "--cases" in capsys.readouterr().err


def test_meetings_lists_ids_dates_titles(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["meetings", "--db", str(demo_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    first = lines[0].split("\t")
    assert first[0] == "1" and "Spine oncology MDT" in first[3]


def test_python_dash_m_shows_version() -> None:
    res = run("--version")
    assert res.returncode == 0 and res.stdout.startswith("mdtboard ")


def test_accounts_are_managed_from_the_command_line(
    demo_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mdtboard.services import auth
    from mdtboard.store.db import Target, open_database, sqlite_url

    db = ["--db", str(demo_path)]
    # no terminal and no password given: refused, nothing created
    assert run("users", "add", "nurse1", "--role", "coordinator", "--name", "N", *db).returncode
    monkeypatch.setenv("MDTBOARD_NEW_PASSWORD", "fictional-pass-1")
    assert (
        main(["users", "add", "nurse1", "--role", "coordinator", "--name", "Nurse (demo)", *db])
        == 0
    )
    target = open_database(Target(sqlite_url(demo_path)))
    try:
        assert auth.sign_in(target, "nurse1", "fictional-pass-1").role == "coordinator"
        assert main(["users", "role", "nurse1", "chair", *db]) == 0
        assert auth.sign_in(target, "nurse1", "fictional-pass-1").role == "chair"
        monkeypatch.setenv("MDTBOARD_NEW_PASSWORD", "fictional-pass-2")
        assert main(["users", "passwd", "nurse1", *db]) == 0
        assert auth.sign_in(target, "nurse1", "fictional-pass-2").username == "nurse1"
        assert main(["users", "disable", "nurse1", *db]) == 0
        with pytest.raises(auth.SignInFailed):
            auth.sign_in(target, "nurse1", "fictional-pass-2")
    finally:
        target.dispose()
    capsys.readouterr()
    assert main(["users", "list", *db]) == 0
    listed = dict(line.split("\t")[0:2] for line in capsys.readouterr().out.splitlines())
    assert listed["nurse1"] == "chair"
    assert main(["users", "enable", "nobody", *db]) == 1
    assert "no account named 'nobody'" in capsys.readouterr().err
    assert main(["audit", "verify", *db]) == 0


def test_settings_are_shown_and_changed_within_limits(
    demo_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(demo_path)]
    assert main(["settings", "imaging_max_age_days", "400", *db]) == 1
    assert "imaging_max_age_days" in capsys.readouterr().err
    assert main(["settings", "imaging_max_age_days", "42", *db]) == 0
    assert main(["settings", "letterhead", "Fictional Hospital | 1 Nowhere Road", *db]) == 0
    capsys.readouterr()
    assert main(["settings", *db]) == 0
    shown = dict(line.split("\t", 1) for line in capsys.readouterr().out.splitlines())
    assert shown["imaging_max_age_days"] == "42"
    assert shown["letterhead"] == "Fictional Hospital | 1 Nowhere Road"
    assert main(["settings", "no_such_thing", "1", *db]) == 1


def test_a_question_mark_in_the_file_name_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--db", str(tmp_path / "x?y.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot contain '?'" in err[0]
    assert list(tmp_path.iterdir()) == []


def test_a_garbage_database_url_fails_in_one_line() -> None:
    res = run("check", env={"MDTBOARD_DATABASE_URL": "garbage", "MDTBOARD_DB": ""})
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a database URL" in lines[0]


def test_a_bad_busy_timeout_falls_back_to_the_default(demo_path: Path) -> None:
    res = run("check", "--db", str(demo_path), env={"MDTBOARD_BUSY_TIMEOUT_MS": "abc"})
    assert res.returncode == 0, res.stderr


def test_backup_into_a_folder_is_refused_and_leaves_no_copy(
    demo_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    res = run("backup", "--db", str(demo_path), "--to", str(folder))
    assert res.returncode == 1 and "is a folder" in res.stderr
    assert list(folder.iterdir()) == [] and not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("unable to open database file", "folder writable"),
        ("database is locked", "is busy"),
        ("database disk image is malformed", "is damaged"),
    ],
)
def test_a_database_that_cannot_be_opened_is_not_called_damaged(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, error: str, words: str
) -> None:
    """A folder SQLite cannot write its journal in (or a lock) is not damage: the advice
    to restore a backup is kept for files that really are damaged."""
    import sqlite3

    from mdtboard.store import location
    from mdtboard.store.errors import StoreError

    class Refusing:
        def execute(self, *_a: object) -> object:
            raise sqlite3.OperationalError(error)

        def close(self) -> None:
            pass

    monkeypatch.setattr(location.sqlite3, "connect", lambda *a, **k: Refusing())
    with pytest.raises(StoreError, match=words) as exc:
        location.inspect_sqlite_file(demo_path)
    assert ("restore" in str(exc.value)) == (words == "is damaged")


def run_while_immutable(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run mdtboard while ``path`` cannot be changed, even by root (chattr +i)."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr is not available here")
    try:
        return run(*args)
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_database_in_a_folder_that_cannot_be_written_says_so(demo_path: Path) -> None:
    res = run_while_immutable(demo_path.parent, "check", "--db", str(demo_path))
    assert res.returncode == 1
    assert "folder writable" in res.stderr and "damaged" not in res.stderr, res.stderr


def test_an_older_database_that_cannot_be_written_says_why_in_one_line(tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "fixtures" / "schema-0005.db", old)
    res = run_while_immutable(old, "check", "--db", str(old))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and "schema upgrade" in lines[0], lines
