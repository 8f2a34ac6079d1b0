"""Kill a writer with SIGKILL at random points, many times; nothing acknowledged is lost.

After every kill the database must pass integrity_check and foreign_key_check,
the audit chain must verify, and every write the writer acknowledged (printed
after its transaction committed) must be present. Fictional data.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mdtboard.store import audit
from mdtboard.store.db import Target, open_database, sqlite_url

WRITER = r"""
import sys
from datetime import UTC, date, datetime
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.referrals import PatientInput, ReferralInput, register_referral
from mdtboard.store.db import Target, open_database, sqlite_url

db = open_database(Target(sqlite_url(sys.argv[1])))
ctx = ServiceContext(db, Actor("crash.test", "administrator"))
run = sys.argv[2]
n = 0
print("ready", flush=True)
while True:
    n += 1
    mrn = f"K{run}-{n:05d}"
    register_referral(
        ctx,
        PatientInput(mrn, "Crashtest", "Fictional", date(1960, 1, 1), "unknown"),
        ReferralInput(received_at=datetime.now(UTC), referrer_name="Dr Kill", urgency="routine",
                      question="Crash test?", disease_kind="primary", histology_key="schwannoma",
                      compartment="idem", levels=("L4",)),
    )
    print(mrn, flush=True)
"""

KILLS = int(os.environ.get("MDTBOARD_CRASH_KILLS", "20"))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_loses_no_acknowledged_write(demo_path: Path) -> None:
    rng = random.Random(1234)
    acknowledged: list[str] = []
    for run in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(demo_path), str(run)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ},
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.35))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=30)
        acknowledged += [line for line in out.split() if line.startswith("K")]
        checked = _check_after_kill(demo_path, acknowledged)
    assert len(acknowledged) > KILLS  # the writer did get work done between kills
    print(
        f"\n{KILLS} kills survived, {len(acknowledged)} acknowledged writes, none lost, "
        f"{checked} audit events verified after the last"
    )


def _check_after_kill(path: Path, acknowledged: list[str]) -> int:
    """The database as the next user would open it: sound, and nothing acknowledged lost."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        present = {r[0] for r in conn.execute("SELECT mrn FROM patients WHERE mrn LIKE 'K%'")}
    finally:
        conn.close()
    assert [m for m in acknowledged if m not in present] == []
    db = open_database(Target(sqlite_url(path)))
    try:
        with db.reader() as s:
            report = audit.verify_database(s, audit.load_key())
    finally:
        db.dispose()
    assert report.ok, report.problem
    return report.checked
