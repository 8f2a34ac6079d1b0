"""Signed-off content is sealed (issue 15, part 2): an edit made with the sqlite3 shell
after sign-off is found and named by `mdtboard audit verify`. All data is fictional."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def verify(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdtboard", "audit", "verify", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )


def signed(db: Path) -> tuple[int, int, int, str]:
    """A signed-off decision: its id, referral, patient and MRN."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT d.id, r.id, p.id, p.mrn FROM decisions d "
            "JOIN agenda_items i ON i.id = d.agenda_item_id "
            "JOIN referrals r ON r.id = i.referral_id JOIN patients p ON p.id = r.patient_id "
            "WHERE d.status = 'signed_off' ORDER BY d.id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        pytest.param(
            "UPDATE decisions SET plan_text = 'Other plan' WHERE id = {d}",
            "changed after sign-off: decision",
            id="plan-text",
        ),
        pytest.param(
            "UPDATE decisions SET signed_off_by = 'Someone else' WHERE id = {d}",
            "changed after sign-off: sign-off",
            id="signer",
        ),
        pytest.param(
            "UPDATE decisions SET status = 'draft' WHERE id = {d}",
            "changed after sign-off: decision",
            id="status",
        ),
        pytest.param(
            "UPDATE assessments SET answers = '{{\"kps\": 10}}' "
            "WHERE referral_id = {r} AND tool_id = 'kps'",
            "changed after sign-off: scores",
            id="a-score",
        ),
        pytest.param(
            "UPDATE patients SET date_of_birth = '1901-01-01' WHERE id = {p}",
            "changed after sign-off: patient",
            id="date-of-birth",
        ),
        pytest.param(
            "UPDATE referrals SET question = 'Another question?' WHERE id = {r}",
            "changed after sign-off: referral",
            id="referral-question",
        ),
        pytest.param(
            "UPDATE attendances SET status = 'apologies' WHERE meeting_id = "
            "(SELECT i.meeting_id FROM agenda_items i JOIN decisions d "
            "ON d.agenda_item_id = i.id WHERE d.id = {d})",
            "changed after sign-off: attendance",
            id="attendance",
        ),
        pytest.param(
            "DELETE FROM referral_levels WHERE referral_id = {r}",
            "changed after sign-off: referral",
            id="levels",
        ),
        pytest.param(
            "UPDATE decisions SET seal = NULL, status = 'draft' WHERE id = {d}",
            "its seal is missing",
            id="seal-removed",
        ),
        pytest.param(
            "DELETE FROM modalities WHERE decision_id = {d}",
            "changed after sign-off: decision",
            id="modalities",
        ),
        pytest.param(
            "DELETE FROM actions WHERE decision_id = {d}; "
            "DELETE FROM modalities WHERE decision_id = {d}; "
            "DELETE FROM decisions WHERE id = {d}",
            "signed off (audit trail) but deleted",
            id="decision-deleted",
        ),
        pytest.param(
            "DELETE FROM referrals WHERE id = {r}",
            "the case it was signed for is missing",
            id="referral-row-deleted",
        ),
    ],
)
def test_a_signed_off_record_changed_in_the_database_is_named(
    demo_path: Path, tamper: str, words: str
) -> None:
    ok = verify(demo_path)
    assert ok.returncode == 0 and "match their seals" in ok.stdout, ok.stderr
    d, r, p, mrn = signed(demo_path)
    conn = sqlite3.connect(demo_path)
    conn.execute("PRAGMA foreign_keys = OFF")  # as the sqlite3 shell has it
    conn.executescript(tamper.format(d=d, r=r, p=p))
    conn.commit()
    conn.close()
    bad = verify(demo_path)
    assert bad.returncode == 1
    assert words in bad.stderr, bad.stderr
    assert f"decision {d}" in bad.stderr
    if "missing" not in words and "deleted" not in words:
        assert f"MRN {mrn}" in bad.stderr
    assert all(line.startswith("mdtboard: seal BROKEN: ") for line in bad.stderr.splitlines())
