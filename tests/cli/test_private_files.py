"""Files the app creates are the account's own (0600 in 0700 folders) whatever the umask
it was started with (issue 15, part 6). All data is fictional."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mdt(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **env},
        preexec_fn=lambda: os.umask(0o022),  # a usual, permissive umask
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_companions_backups_exports_and_logs_are_private_under_umask_022(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state"
    env = {"XDG_STATE_HOME": str(state), "XDG_DATA_HOME": str(tmp_path / "data")}
    folder = tmp_path / "new-folder"
    db = folder / "mdt.db"
    made = mdt("demo", "--db", str(db), "--cases", "12", env=env)
    assert made.returncode == 0, made.stderr
    assert mode(folder) == 0o700, oct(mode(folder))
    for path in [db, *(p for p in folder.iterdir() if p.name.startswith("mdt.db-"))]:
        assert mode(path) == 0o600, (path.name, oct(mode(path)))
    assert (
        mdt("backup", "--db", str(db), "--to", str(tmp_path / "copy.db"), env=env).returncode == 0
    )
    out = tmp_path / "agenda.pdf"
    res = mdt("export", "agenda", "--meeting", "next", "--db", str(db), "--out", str(out), env=env)
    assert res.returncode == 0, res.stderr
    assert mode(tmp_path / "copy.db") == 0o600 and mode(out) == 0o600
    logs = list(state.rglob("mdtboard.log*"))
    assert logs and all(mode(p) == 0o600 for p in logs)
    assert all(mode(p.parent) == 0o700 for p in logs)


def test_check_warns_about_a_database_others_can_read(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    db = tmp_path / "shared.db"
    assert mdt("demo", "--db", str(db), "--cases", "5", env=env).returncode == 0
    quiet = mdt("check", "--db", str(db), env=env)
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
    db.chmod(0o644)
    res = mdt("check", "--db", str(db), env=env)
    assert res.returncode == 0
    assert "readable by other accounts: shared.db (mode 0644)" in res.stderr
