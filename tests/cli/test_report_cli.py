"""`mdtboard report audit` and `report metrics` (issue 19 part 5), run as a script
would: no terminal, one line per error. All data is fictional."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from mdtboard.services import metrics
from mdtboard.store.db import Target, open_database, sqlite_url

START = (date.today() - timedelta(days=60)).isoformat()
END = (date.today() + timedelta(days=30)).isoformat()


def mdtboard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in PdfReader(path).pages))


def rates(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) whose key is a rate ("rate" or "…_rate"), at any depth; not
    "quorate", a count of meetings that happens to end in the same letters."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "rate" or k.endswith("_rate"):
                yield f"{path}.{k}", v
            yield from rates(v, f"{path}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from rates(v, f"{path}[{n}]")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_events(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT entity, entity_id, summary FROM audit_events WHERE action = 'export' "
            "ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_metrics_json(demo_path: Path) -> None:
    done = mdtboard("report", "metrics", "--db", str(demo_path),
                    "--from", START, "--to", END, "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # the same figures the service computes, through JSON
    db = open_database(Target(sqlite_url(demo_path)))
    try:
        expected = metrics.compute(db, date.fromisoformat(START), date.fromisoformat(END))
    finally:
        db.dispose()
    assert data == json.loads(json.dumps(expected.as_json()))
    assert data["period"] == {"from": START, "to": END}
    # counted by hand: every demo meeting is in the period
    conn = sqlite3.connect(demo_path)
    total, held = conn.execute(
        "SELECT count(*), sum(status IN ('in_progress', 'closed')) FROM meetings"
    ).fetchone()
    conn.close()
    assert data["meetings"]["count"] == total >= 3
    assert data["meetings"]["held"] == held >= 2
    found = dict(rates(data))
    assert isinstance(data["meetings"]["quorate"], int)  # a count, not a rate
    assert len(found) >= 10 and ".meetings.quorum_rate" in found
    assert ".mscc_qs56.treatment_rate" in found and ".attendance_by_role[0].rate" in found
    for where, value in found.items():
        assert value is None or (isinstance(value, int | float) and 0 <= value <= 1), where
    assert any(v is not None and 0 < v < 1 for v in found.values())  # not all 0, 1 or null


def test_metrics_summary_without_json(demo_path: Path) -> None:
    done = mdtboard("report", "metrics", "--db", str(demo_path), "--from", START, "--to", END)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert 3 <= len(lines) <= 8
    data = json.loads(
        mdtboard("report", "metrics", "--db", str(demo_path),
                 "--from", START, "--to", END, "--json").stdout
    )  # fmt: skip
    m = data["meetings"]
    assert f"{m['count']} meetings, {m['held']} held" in lines[0]
    assert f"{round(m['quorum_rate'] * 100, 1):.1f}%" in lines[0]
    assert f"cases listed {data['cases']['listed']} " in done.stdout
    assert f"decisions signed off {data['decisions']['signed_off']}" in done.stdout
    assert "QS56" in done.stdout


def test_audit_report_written_and_audited(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.pdf"
    done = mdtboard("report", "audit", "--db", str(demo_path),
                    "--from", START, "--to", END, "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"audit report written: {out}"), lines
    digest = sha256(out)
    assert digest in lines[0]
    t = text(out)
    assert "MDT audit report" in t and "FICTIONAL DEMO DATA" in t
    assert "NICE QS56 — MSCC" in t and "Accreditation — CoC Standard 2.5" in t
    events = export_events(demo_path)
    assert events[-1] == (
        "database",
        f"{START}/{END}",
        f"audit_report exported as audit.pdf, sha256 {digest}",
    )
    # an existing file is kept without --force, replaced with it (and audited again)
    again = mdtboard("report", "audit", "--db", str(demo_path),
                     "--from", START, "--to", END, "--out", str(out))  # fmt: skip
    assert again.returncode == 1
    assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr
    assert sha256(out) == digest and len(export_events(demo_path)) == len(events)
    forced = mdtboard("report", "audit", "--db", str(demo_path),
                      "--from", START, "--to", END, "--out", str(out), "--force")  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert len(export_events(demo_path)) == len(events) + 1
    assert export_events(demo_path)[-1][2].endswith(sha256(out))
    assert not list(tmp_path.glob(".*")) and not list(tmp_path.glob("*.partial"))


def test_errors_are_one_line_and_write_nothing(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    before = sha256(demo_path)
    events = len(export_events(demo_path))
    key = Path(os.environ["MDTBOARD_AUDIT_KEY_FILE"])
    for args, words in (
        (("--from", "2026-02-30", "--to", END), "--from: not a date in the form YYYY-MM-DD"),
        (("--from", "yesterday", "--to", END), "--from: not a date"),
        (("--from", START, "--to", "20270101"), "--to: not a date in the form YYYY-MM-DD"),
        (("--from", END, "--to", START), f"--to: {START} is before --from {END}"),
    ):
        for command in ("metrics", "audit"):
            extra = ("--out", str(out)) if command == "audit" else ("--json",)
            done = mdtboard("report", command, "--db", str(demo_path), *args, *extra)
            assert done.returncode == 1, (command, args)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and words in lines[0], (command, args, done.stderr)
            assert done.stdout == ""
    for target, words in (
        (demo_path, "is the database"),
        (Path(f"{demo_path}-wal"), "--out"),
        (key, "--out"),
        (tmp_path, "--out"),
    ):
        done = mdtboard("report", "audit", "--db", str(demo_path),
                        "--from", START, "--to", END, "--out", str(target), "--force")  # fmt: skip
        assert done.returncode == 1, target
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "--out" in lines[0], done.stderr
    assert not out.exists() and not Path(f"{demo_path}-wal").exists()
    assert sha256(demo_path) == before and len(export_events(demo_path)) == events
    assert not list(tmp_path.glob(".*")) and not list(tmp_path.glob("*.partial"))
