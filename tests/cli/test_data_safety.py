"""Data safety from the command line: audit verify, backup and restore (fictional data)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def mdt(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MDTBOARD_DB": str(db)},
        input=stdin,
    )


@pytest.mark.parametrize(
    ("tamper", "first_broken"),
    [
        ("UPDATE audit_events SET summary = 'nothing to see' WHERE id = 2", 2),
        ("UPDATE audit_events SET user = 'someone.else' WHERE id = 1", 1),
        # rows that cannot even be read back: broken, the row not named
        ("UPDATE audit_events SET occurred_at = 'garbage' WHERE id = 2", None),
        ("UPDATE audit_events SET occurred_at = 12345 WHERE id = 2", None),
        ("UPDATE audit_events SET summary = x'00ff' WHERE id = 2", 2),
        ("UPDATE audit_events SET hash = 7 WHERE id = 2", 2),
        ("DELETE FROM audit_events WHERE id = 1", 2),
        ("DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)", "last"),
        (
            "INSERT INTO audit_events (id, occurred_at, user, action, entity, entity_id, summary,"
            " prev_hash, hash) SELECT max(id) + 1, '2026-01-01 00:00:00', 'x', 'create', 'x', '',"
            " '', hash, CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END"
            " || substr(hash, 2) FROM audit_events",  # a forged hash, never the real one
            "after",
        ),
    ],
)
def test_audit_verify_catches_edits_inserts_and_deletions(
    demo_path: Path, tamper: str, first_broken: int | str | None
) -> None:
    # make a few more events through a real command first
    assert (
        mdt(
            "export",
            "agenda",
            "--meeting",
            "next",
            "--out",
            str(demo_path.parent / "a.pdf"),
            db=demo_path,
        ).returncode
        == 0
    )
    ok = mdt("audit", "verify", db=demo_path)
    assert ok.returncode == 0 and "audit chain ok" in ok.stdout
    conn = sqlite3.connect(demo_path)
    newest = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    if first_broken == "last":  # the newest event, deleted: named by the head
        first_broken = newest
    elif first_broken == "after":  # an event forged after the newest
        first_broken = newest + 1
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")  # as the sqlite3 shell can
    conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    conn.execute(tamper)
    conn.commit()
    conn.close()
    bad = mdt("audit", "verify", db=demo_path)
    assert bad.returncode == 1
    assert "BROKEN" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    where = f"event {first_broken}" if first_broken else "audit trail"
    assert f"BROKEN at {where}:" in bad.stderr  # the first broken link, named if known


def test_backup_is_checked_and_opens(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "b.db"
    res = mdt("backup", "--to", str(copy), db=demo_path)
    assert res.returncode == 0, res.stderr
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM referrals").fetchone()[0] == 40
    conn.close()
    assert mdt("check", db=copy).returncode == 0


def test_restore_needs_confirmation_and_keeps_the_replaced_file(
    demo_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    assert mdt("backup", "--to", str(backup), db=demo_path).returncode == 0
    conn = sqlite3.connect(demo_path)
    conn.execute("DELETE FROM actions")
    conn.commit()
    conn.close()
    refused = mdt("restore", str(backup), db=demo_path, stdin="")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    res = mdt("restore", str(backup), "--yes", db=demo_path)
    assert res.returncode == 0, res.stderr
    kept = list(demo_path.parent.glob("demo.db.replaced-*.bak"))
    assert len(kept) == 1
    conn = sqlite3.connect(demo_path)
    assert conn.execute("SELECT count(*) FROM actions").fetchone()[0] > 0
    conn.close()
    assert sqlite3.connect(kept[0]).execute("SELECT count(*) FROM actions").fetchone()[0] == 0


def test_restore_refuses_something_that_is_not_a_backup(demo_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    res = mdt("restore", str(junk), "--yes", db=demo_path)
    assert res.returncode == 1 and "not an mdtboard database" in res.stderr
    assert mdt("check", db=demo_path).returncode == 0


def test_two_restores_in_one_second_keep_both_replaced_files(
    demo_path: Path, tmp_path: Path
) -> None:
    from mdtboard.store.backup import restore

    backup = tmp_path / "b.db"
    assert mdt("backup", "--to", str(backup), db=demo_path).returncode == 0
    first = restore(backup, demo_path, "20261201T120000Z")
    second = restore(backup, demo_path, "20261201T120000Z")  # the same second
    assert first is not None and second is not None and first != second
    assert first.exists() and second.exists()


def test_restore_refuses_an_empty_database_and_changes_nothing(
    demo_path: Path, tmp_path: Path
) -> None:
    import hashlib

    empty = tmp_path / "zero.db"
    empty.write_bytes(b"")
    before = hashlib.sha256(demo_path.read_bytes()).hexdigest()
    res = mdt("restore", str(empty), "--yes", db=demo_path)
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1
    assert "empty database" in res.stderr
    assert hashlib.sha256(demo_path.read_bytes()).hexdigest() == before


def test_restore_without_yes_and_with_stdin_closed_says_why(
    demo_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    assert mdt("backup", "--to", str(backup), db=demo_path).returncode == 0
    res = subprocess.run(
        [sys.executable, "-m", "mdtboard", "restore", str(backup), "--db", str(demo_path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),  # no stdin at all: sys.stdin is None
    )
    assert res.returncode == 1 and "--yes" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_an_export_the_database_cannot_audit_leaves_the_old_file(
    demo_path: Path, tmp_path: Path
) -> None:
    """The audit comes before the file is put in place: a busy database refuses the
    audit, and the file that was there is untouched (nothing unaudited left the system)."""
    out = tmp_path / "summary.pdf"
    out.write_bytes(b"an earlier summary (fictional)")
    command = [
        *("export", "summary", "--meeting", "last", "--out", str(out), "--force"),
        *("--db", str(demo_path)),
    ]
    blocker = sqlite3.connect(demo_path)
    blocker.execute("BEGIN IMMEDIATE")  # another workstation is writing
    try:
        res = subprocess.run(
            [sys.executable, "-m", "mdtboard", *command],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "MDTBOARD_BUSY_TIMEOUT_MS": "300"},
        )
    finally:
        blocker.rollback()
        blocker.close()
    assert res.returncode == 1 and "busy" in res.stderr, res.stderr
    assert out.read_bytes() == b"an earlier summary (fictional)"
    assert sorted(p.name for p in tmp_path.iterdir() if "summary" in p.name) == ["summary.pdf"]


@pytest.mark.parametrize("kind", ["symlink", "folder"])
def test_export_refuses_to_replace_what_is_not_a_regular_file(
    demo_path: Path, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "agenda.pdf"
    if kind == "symlink":
        target = tmp_path / "elsewhere.pdf"
        target.write_bytes(b"kept (fictional)")
        out.symlink_to(target)
    else:
        out.mkdir()
    res = mdt("export", "agenda", "--meeting", "last", "--out", str(out), db=demo_path)
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1
    assert ("is a link" if kind == "symlink" else "a folder") in res.stderr
    assert out.is_symlink() if kind == "symlink" else out.is_dir()
