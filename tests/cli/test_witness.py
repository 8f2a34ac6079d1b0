"""The audit head anchored outside the database (issue 15, part 3): a trail cut short
with a head from a backup, or rolled back whole, is found by this workstation's
witness; a restore is recorded on purpose. All data is fictional."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mdtboard.store.db import Database


def mdt(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )


def more_events(db: Path, tmp: Path, n: int) -> None:
    for k in range(n):
        out = tmp / f"agenda-{k}.pdf"
        assert (
            mdt("export", "agenda", "--meeting", "next", "--out", str(out), db=db).returncode == 0
        )


def head(db: Path) -> tuple[int, str]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT last_id, last_hash FROM audit_head").fetchone()
    finally:
        conn.close()


def test_a_tail_cut_off_with_a_head_from_a_backup_is_found(demo_path: Path, tmp_path: Path) -> None:
    backup = tmp_path / "earlier.db"
    assert mdt("backup", "--to", str(backup), db=demo_path).returncode == 0
    kept_id, _ = head(backup)
    more_events(demo_path, tmp_path, 3)
    assert mdt("audit", "verify", db=demo_path).returncode == 0  # the witness has seen them
    # the attack: drop the newest events and put the backup's (valid) head in place
    earlier = sqlite3.connect(backup).execute("SELECT * FROM audit_head").fetchone()
    conn = sqlite3.connect(demo_path)
    for trigger in ("audit_events_no_delete", "audit_head_forward_only", "audit_head_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DELETE FROM audit_events WHERE id > ?", (kept_id,))
    conn.execute("DELETE FROM audit_head")
    conn.execute(f"INSERT INTO audit_head VALUES ({', '.join('?' * len(earlier))})", earlier)
    conn.commit()
    conn.close()
    bad = mdt("audit", "verify", db=demo_path)
    assert bad.returncode == 1 and "rolled back" in bad.stderr, bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_the_whole_trail_rolled_back_to_an_earlier_copy_is_found(
    demo_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    assert mdt("backup", "--to", str(copy), db=demo_path).returncode == 0
    more_events(demo_path, tmp_path, 2)
    assert mdt("audit", "verify", db=demo_path).returncode == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{demo_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, demo_path)  # the file swapped behind mdtboard's back
    bad = mdt("audit", "verify", db=demo_path)
    assert bad.returncode == 1 and "rolled back" in bad.stderr, bad.stderr


def test_a_restore_is_recorded_and_the_witness_follows_it(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    assert mdt("backup", "--to", str(copy), db=demo_path).returncode == 0
    before, _ = head(copy)
    more_events(demo_path, tmp_path, 2)
    assert mdt("audit", "verify", db=demo_path).returncode == 0
    after, _ = head(demo_path)
    res = mdt("restore", str(copy), "--yes", db=demo_path)
    assert res.returncode == 0, res.stderr
    assert f"{after - before} audit events rolled back" in res.stdout
    ok = mdt("audit", "verify", db=demo_path)
    assert ok.returncode == 0, ok.stderr
    conn = sqlite3.connect(demo_path)
    (summary,) = conn.execute(
        "SELECT summary FROM audit_events WHERE action = 'restore' ORDER BY id DESC"
    ).fetchone()
    conn.close()
    assert summary == f"restored from copy.db; {after - before} events rolled back"


def test_audit_head_prints_the_identity_and_the_newest_event(demo_path: Path) -> None:
    res = mdt("audit", "head", db=demo_path)
    last_id, last_hash = head(demo_path)
    assert res.returncode == 0
    assert f"event {last_id} hash {last_hash}" in res.stdout and res.stdout.startswith("database ")


def test_an_altered_witness_is_reported(demo_path: Path, tmp_path: Path) -> None:
    assert mdt("audit", "verify", db=demo_path).returncode == 0
    (path,) = Path(os.environ["MDTBOARD_WITNESS_DIR"]).glob("*.json")
    data = json.loads(path.read_text())
    data["last_id"] = 1
    path.write_text(json.dumps(data))
    bad = mdt("audit", "verify", db=demo_path)
    assert bad.returncode == 1 and "witness" in bad.stderr and "altered" in bad.stderr


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_head SET last_id = 1",
        "DELETE FROM audit_head",
        "UPDATE audit_head SET database_id = '00000000-0000-0000-0000-000000000000'",
    ],
)
def test_the_database_only_lets_the_head_move_forward(demo_db: Database, statement: str) -> None:
    with pytest.raises(DBAPIError, match="only moves forward"), demo_db.engine.begin() as conn:
        conn.execute(text(statement))
