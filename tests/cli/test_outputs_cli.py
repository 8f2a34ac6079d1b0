"""Outputs aimed at the database, its key, a backup or a device are refused in one line
and change nothing (issue 15, part 1). All data is fictional."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mdt(*args: str, db: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "MDTBOARD_AUDIT_KEY_FILE": str(key), "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.fixture
def demo(demo_path: Path) -> tuple[Path, Path]:
    key = Path(os.environ["MDTBOARD_AUDIT_KEY_FILE"])
    backups = demo_path.parent / "backups"
    backups.mkdir(exist_ok=True)
    (backups / "demo.2026-11-30.bak").write_bytes(demo_path.read_bytes())
    return demo_path, key


@pytest.mark.parametrize(
    ("argv", "target", "words"),
    [
        pytest.param(
            ("export", "letter", "--case", "1", "--out"),
            "{db}",
            "is the database",
            id="letter-onto-the-database",
        ),
        pytest.param(
            ("export", "summary", "--meeting", "last", "--force", "--out"),
            "{db}",
            "is the database",
            id="summary-onto-the-database-even-with-force",
        ),
        pytest.param(
            ("export", "agenda", "--meeting", "last", "--force", "--out"),
            "{key}",
            "audit key",
            id="agenda-onto-the-audit-key",
        ),
        pytest.param(("backup", "--force", "--to"), "{key}", "audit key", id="backup-onto-the-key"),
        pytest.param(("backup", "--to"), os.devnull, "device or pipe", id="backup-onto-a-device"),
        pytest.param(
            ("backup", "--force", "--to"), "{backup}", "backups folder", id="backup-onto-a-backup"
        ),
        pytest.param(
            ("export", "worklist", "--force", "--out"),
            "{db}-wal",
            "is the database",
            id="worklist-onto-the-wal",
        ),
        pytest.param(
            ("export", "agenda", "--meeting", "last", "--out"),
            "{old}",
            "--force",
            id="an-existing-file-needs-force",
        ),
        pytest.param(
            ("--force", "--screenshot"),
            "{db}",
            "is the database",
            id="screenshot-onto-the-database",
        ),
    ],
)
def test_an_output_aimed_at_an_input_is_refused_and_nothing_changes(
    demo: tuple[Path, Path], tmp_path: Path, argv: tuple[str, ...], target: str, words: str
) -> None:
    db, key = demo
    old = tmp_path / "old.pdf"
    old.write_bytes(b"an earlier document (fictional)")
    backup = db.parent / "backups" / "demo.2026-11-30.bak"
    wal = Path(f"{db}-wal")
    wal.write_bytes(wal.read_bytes() if wal.exists() else b"")
    path = Path(target.format(db=db, key=key, backup=backup, old=old))
    watched = [p for p in (db, key, backup, old, wal) if p.exists()]
    before = {p: digest(p) for p in watched}
    res = mdt(*argv, str(path), db=db, key=key)
    assert res.returncode == 1, res.stdout + res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and words in res.stderr, res.stderr
    assert {p: digest(p) for p in watched} == before
    assert Path(os.devnull).is_char_device()


def test_force_replaces_an_ordinary_file_and_the_worklist_export_is_audited(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    db, key = demo
    out = tmp_path / "worklist.csv"
    out.write_text("an earlier export (fictional)\n")
    res = mdt(
        "export", "worklist", "--urgency", "mscc", "--out", str(out), "--force", db=db, key=key
    )
    assert res.returncode == 0, res.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("case_id,patient,mrn") and len(lines) > 1
    assert all(",mscc," in line for line in lines[1:])
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    assert sha in res.stdout
    conn = sqlite3.connect(db)
    try:
        (summary,) = conn.execute(
            "SELECT summary FROM audit_events WHERE entity = 'worklist' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert sha in summary and "worklist.csv" in summary
    bad = mdt(
        "export", "worklist", "--urgency", "soon", "--out", str(tmp_path / "x.csv"), db=db, key=key
    )
    assert bad.returncode == 1 and "--urgency" in bad.stderr
