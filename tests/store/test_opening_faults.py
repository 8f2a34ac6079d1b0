"""Opening faults (issue 15, part 7): an emptied database with backups, a damaged page,
a key write killed half-way. All data is fictional."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mdtboard.store import audit
from mdtboard.store.db import Target, open_database, sqlite_url
from mdtboard.store.errors import DatabaseDamaged


def mdt(*args: str, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "MDTBOARD_AUDIT_KEY_FILE": str(key)},
    )


def test_an_emptied_database_with_backups_is_damaged_not_made_anew(demo_path: Path) -> None:
    backups = demo_path.parent / "backups"
    backups.mkdir()
    (backups / f"{demo_path.stem}.2026-11-30.bak").write_bytes(demo_path.read_bytes())
    demo_path.write_bytes(b"")
    with pytest.raises(DatabaseDamaged, match="empty") as exc:
        open_database(Target(sqlite_url(demo_path)))
    assert exc.value.latest_backup is not None
    assert demo_path.stat().st_size == 0  # no new schema was written into it
    res = mdt("check", "--db", str(demo_path), key=Path(os.environ["MDTBOARD_AUDIT_KEY_FILE"]))
    assert res.returncode == 1 and "mdtboard restore" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def _corrupt_index(path: Path, name: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * page_size)


def test_check_finds_a_damaged_index_and_a_write_into_it_is_one_clear_line(
    demo_path: Path,
) -> None:
    key = Path(os.environ["MDTBOARD_AUDIT_KEY_FILE"])
    assert mdt("check", "--db", str(demo_path), key=key).returncode == 0
    _corrupt_index(demo_path, "ix_audit_events_occurred_at")
    res = mdt("check", "--db", str(demo_path), key=key)
    assert res.returncode == 1 and "damaged" in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    write = mdt("settings", "imaging_max_age_days", "40", "--db", str(demo_path), key=key)
    assert write.returncode == 1, write.stdout
    assert "damaged" in write.stderr and "Traceback" not in write.stderr
    assert len(write.stderr.strip().splitlines()) == 1


def test_a_key_write_killed_half_way_never_blocks_the_first_save(tmp_path: Path) -> None:
    key = tmp_path / "audit.key"
    key.write_bytes(b"")  # what a kill during the old, non-atomic write left behind
    (tmp_path / ".audit.key.4242.new").write_bytes(b"12")  # a temporary of a killed run
    made = mdt("demo", "--db", str(tmp_path / "x.db"), "--cases", "5", key=key)
    assert made.returncode == 0, made.stderr
    assert len(audit.load_key(key, create=False)) == 32
    assert mdt("audit", "verify", "--db", str(tmp_path / "x.db"), key=key).returncode == 0


def test_two_first_runs_agree_on_one_key(tmp_path: Path) -> None:
    key = tmp_path / "audit.key"
    first = audit.load_key(key)
    # a second process that did not see the key when it started ends up with the same
    assert audit._new_key(key) == first
    assert audit.load_key(key, create=False) == first
    assert [p.name for p in tmp_path.iterdir()] == ["audit.key"]
