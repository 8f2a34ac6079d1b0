"""Logs never carry patient names, MRNs or dates of birth (fictional data)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def test_no_patient_identifiers_in_logs(demo_path: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {**os.environ, "MDTBOARD_DB": str(demo_path), "XDG_STATE_HOME": str(state)}

    def run(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "mdtboard", *args], env=env, capture_output=True, timeout=120
        )

    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "referrals.csv"
    run("import-referrals", str(example))
    run("import-referrals", str(example))  # refused: the MRNs now exist with these names
    bad = tmp_path / "bad.csv"
    bad.write_text(example.read_text().replace("1949-09-30", "1949-13-45"))
    run("import-referrals", str(bad))
    run("export", "summary", "--meeting", "last", "--out", str(tmp_path / "s.pdf"))
    run("export", "letter", "--case", "99999", "--out", str(tmp_path / "l.pdf"))
    run("--db", str(tmp_path / "nope.db"), "check")
    logs = list(state.rglob("*.log"))
    assert logs, "the commands should have logged something"
    text = "\n".join(p.read_text(encoding="utf-8") for p in logs)
    assert "command import-referrals" in text
    conn = sqlite3.connect(demo_path)
    identifiers = [
        value
        for row in conn.execute("SELECT family_name, given_name, mrn, date_of_birth FROM patients")
        for value in row
    ]
    conn.close()
    identifiers += ["Figment", "Notreal", "IMP0000001", "1949-09-30", "1958-04-12"]
    leaked = sorted({v for v in identifiers if len(v) > 3 and v in text})
    assert leaked == []
