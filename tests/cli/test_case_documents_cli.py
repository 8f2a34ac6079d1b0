"""`mdtboard export letter --to gp`, `export outcome` and `audit seal CODE` (issue 18),
run as a script would: no terminal, one line per error. All data is fictional."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader


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


def signed_case(db: Path) -> tuple[int, str, str, str]:
    """A signed-off case of the demo: referral id, MRN, GP, signer."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT r.id, p.mrn, r.gp_name, d.signed_off_by FROM decisions d "
            "JOIN agenda_items i ON i.id = d.agenda_item_id "
            "JOIN referrals r ON r.id = i.referral_id JOIN patients p ON p.id = r.patient_id "
            "WHERE d.status = 'signed_off' AND r.gp_name <> r.referrer_name "
            "ORDER BY d.id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()


def test_gp_copy_and_outcome_record_from_the_command_line(demo_path: Path, tmp_path: Path) -> None:
    case, mrn, gp, signer = signed_case(demo_path)
    assert gp  # the demo records a fictional GP on every referral
    out = tmp_path / "gp.pdf"
    done = mdtboard("export", "letter", "--db", str(demo_path), "--case", str(case),
                    "--to", "gp", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    t = text(out)
    family = gp.split()[-1]
    assert f"Dear Dr {family}," in t and "(referrer)" in t and mrn in t
    record = tmp_path / "record.pdf"
    done = mdtboard("export", "outcome", "--db", str(demo_path), "--case", str(case),
                    "--out", str(record))  # fmt: skip
    assert done.returncode == 0, done.stderr
    code = re.search(r"^seal ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})$", done.stdout, re.M)
    assert code is not None, done.stdout
    assert len(PdfReader(record).pages) == 1
    rt = text(record)
    assert code.group(1) in rt and signer in rt and mrn in rt
    # the code read off the paper finds the record, as printed
    found = mdtboard("audit", "seal", "--db", str(demo_path), code.group(1).lower())
    assert found.returncode == 0, found.stderr
    assert f"MRN {mrn}" in found.stdout and "the record is as printed" in found.stdout
    # changed behind the app's back: the same code now says what changed
    conn = sqlite3.connect(demo_path)
    conn.execute(
        "UPDATE decisions SET plan_text = 'Altered' WHERE agenda_item_id IN "
        "(SELECT id FROM agenda_items WHERE referral_id = ?)",
        (case,),
    )
    conn.commit()
    conn.close()
    bad = mdtboard("audit", "seal", "--db", str(demo_path), code.group(1))
    assert bad.returncode == 1
    assert "CHANGED after sign-off: decision" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_errors_are_one_line_and_write_nothing(demo_path: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(demo_path)
    undecided = conn.execute(
        "SELECT r.id FROM referrals r WHERE NOT EXISTS (SELECT 1 FROM agenda_items i "
        "JOIN decisions d ON d.agenda_item_id = i.id WHERE i.referral_id = r.id) LIMIT 1"
    ).fetchone()[0]
    case = signed_case(demo_path)[0]
    conn.execute("UPDATE referrals SET gp_name = '' WHERE id = ?", (case,))
    conn.commit()
    conn.close()
    for args, words in (
        (("export", "outcome", "--case", str(undecided)), "no MDT decision"),
        (("export", "letter", "--case", str(case), "--to", "gp"), "no GP recorded"),
        (("audit", "seal", "XYZ"), "CODE: a seal code is 12 hexadecimal digits"),
        (("audit", "seal", "0000-0000-0000"), "no signed-off decision"),
    ):
        out = tmp_path / "out.pdf"
        extra = ("--out", str(out)) if args[0] == "export" else ()
        done = mdtboard(*args, "--db", str(demo_path), *extra)
        assert done.returncode != 0, args
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, done.stderr)
        assert not out.exists()
        assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*"))
