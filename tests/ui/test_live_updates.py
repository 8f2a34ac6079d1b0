"""Another workstation's change appears in this worklist within a second, on SQLite
(change counter) and on PostgreSQL (LISTEN/NOTIFY). Fictional data."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from pytestqt.qtbot import QtBot

from mdtboard.services.context import ServiceContext
from mdtboard.ui.main_window import MainWindow

OTHER_WORKSTATION = r"""
import sys
from datetime import UTC, date, datetime
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.referrals import PatientInput, ReferralInput, register_referral
from mdtboard.store.db import Target, open_database

db = open_database(Target(sys.argv[1]))
register_referral(
    ServiceContext(db, Actor("other.workstation", "coordinator")),
    PatientInput("LIVE0000001", "Elsewhere", "Fictional", date(1971, 2, 3)),
    ReferralInput(received_at=datetime.now(UTC), referrer_name="Dr Remote", urgency="urgent",
                  question="Seen live?", disease_kind="primary", histology_key="meningioma",
                  compartment="idem", levels=("T6",)),
)
"""


def test_edit_in_another_process_shows_within_a_second(qtbot: QtBot, ctx: ServiceContext) -> None:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    before = win.model.total
    subprocess.run(
        [sys.executable, "-c", OTHER_WORKSTATION, ctx.db.url],
        check=True,
        timeout=120,
        env={**os.environ},
        capture_output=True,
    )
    committed = time.perf_counter()
    qtbot.waitUntil(lambda: win.model.total == before + 1, timeout=1000)
    elapsed = time.perf_counter() - committed
    assert elapsed < 1.0
    mrns = [win.model.row_at(r).mrn for r in range(win.model.rowCount())]  # type: ignore[union-attr]
    assert "LIVE0000001" in mrns
