"""The one rule for every file the app writes: an output never lands on an input."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from mdtboard.store.outputs import OutputRefused, check_output_path, move_into_place


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    db = tmp_path / "mdtboard.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    key = tmp_path / "audit.key"
    key.write_bytes(b"k" * 64)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "mdtboard.2026-11-30.bak").write_bytes(b"SQLite format 3\x00 fictional")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    (tmp_path / "old.pdf").write_bytes(b"%PDF an earlier document (fictional)")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "old.pdf")
    return {"db": db, "key": key, "dir": tmp_path}


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param("mdtboard.db", "is the database", id="the-database"),
        pytest.param("mdtboard.db-wal", "is the database", id="its-wal"),
        pytest.param("mdtboard.db-shm", "is the database", id="its-shm"),
        pytest.param("mdtboard.db-journal", "is the database", id="its-journal"),
        pytest.param("audit.key", "audit key", id="the-audit-key"),
        pytest.param("backups/mdtboard.2026-11-30.bak", "backups folder", id="a-backup"),
        pytest.param("backups/new.pdf", "backups folder", id="into-the-backups-folder"),
        pytest.param("other.db", "database file", id="another-database-file"),
        pytest.param("backups", "folder", id="a-folder"),
        pytest.param("link.pdf", "link", id="a-link"),
        pytest.param("old.pdf", "add --force", id="an-existing-file-without-force"),
        pytest.param("missing/x.pdf", "does not exist", id="a-missing-folder"),
        pytest.param(" ", "file name", id="no-name"),
    ],
)
def test_outputs_never_land_on_inputs(place: dict[str, Path], name: str, words: str) -> None:
    out = place["dir"] / name if name.strip() else Path(name)
    with pytest.raises(OutputRefused, match=words) as exc:
        check_output_path(out, database=place["db"], audit_key=place["key"], what="--out")
    assert str(exc.value).startswith("--out: ") and "\n" not in str(exc.value)


def test_a_database_reached_by_another_spelling_is_still_the_database(
    place: dict[str, Path],
) -> None:
    dotted = place["dir"] / "backups" / ".." / "mdtboard.db"
    with pytest.raises(OutputRefused, match="is the database"):
        check_output_path(dotted, database=place["db"], audit_key=place["key"], replace=True)
    with pytest.raises(OutputRefused, match="audit key"):
        check_output_path(
            place["dir"] / "." / "audit.key", database=None, audit_key=place["key"], replace=True
        )


def test_a_device_is_refused() -> None:
    with pytest.raises(OutputRefused, match="device or pipe"):
        check_output_path(Path(os.devnull), database=None, audit_key=Path("/nonexistent/k"))


def test_a_new_file_or_a_confirmed_replacement_is_allowed(place: dict[str, Path]) -> None:
    new = place["dir"] / "new.pdf"
    assert check_output_path(new, database=place["db"], audit_key=place["key"]) == new
    old = place["dir"] / "old.pdf"
    assert check_output_path(old, database=place["db"], audit_key=place["key"], replace=True)


def test_move_into_place_replaces_the_target_whole(tmp_path: Path) -> None:
    staged, out = tmp_path / ".out.writing", tmp_path / "out.pdf"
    out.write_bytes(b"old")
    staged.write_bytes(b"new document")
    move_into_place(staged, out)
    assert out.read_bytes() == b"new document" and not staged.exists()
