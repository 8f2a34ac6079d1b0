"""The audit key: a trail is only extended with the key that signed it (fictional data).

Without these checks a missing key file was silently replaced by a new one on the next
write, and the chain could never be verified again; an empty key file signed with a
zero-length key that anyone could forge."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mdtboard.services import referrals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceUnavailable
from mdtboard.store import audit
from mdtboard.store.models import AuditEvent
from tests.services.test_referrals import PATIENT, REFERRAL


def events(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count(AuditEvent.id))).scalar_one())


def register(ctx: ServiceContext, mrn: str) -> object:
    return referrals.register_referral(ctx, replace(PATIENT, mrn=mrn), REFERRAL)


@pytest.mark.parametrize(
    ("key_text", "message"),
    [
        (None, "not found"),  # the file is missing
        ("", "empty or too short"),
        ("00" * 8, "empty or too short"),
        ("not hex at all", "cannot be used"),
        ("ab" * 32, "not the one that signed"),  # a good key, but another one
    ],
    ids=["missing", "empty", "short", "not-hex", "another-key"],
)
def test_a_write_needs_the_key_that_signed_the_trail(
    ctx: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key_text: str | None,
    message: str,
) -> None:
    real_key = os.environ["MDTBOARD_AUDIT_KEY_FILE"]
    other = tmp_path / "other.key"
    if key_text is not None:
        other.write_text(key_text)
    before = events(ctx)
    monkeypatch.setenv("MDTBOARD_AUDIT_KEY_FILE", str(other))
    with pytest.raises(ServiceUnavailable, match=message):
        register(ctx, "KEY0000001")
    assert events(ctx) == before  # nothing written
    assert other.exists() == (key_text is not None)  # no new key was made for this trail
    monkeypatch.setenv("MDTBOARD_AUDIT_KEY_FILE", real_key)
    register(ctx, "KEY0000002")  # the right key: written, and the chain still verifies
    with ctx.db.reader() as s:
        assert audit.verify_database(s, audit.load_key(create=False)).ok


def test_audit_verify_with_an_unusable_key_says_so_in_one_line(
    demo_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"\xff\xfe not a key")
    res = subprocess.run(
        [sys.executable, "-m", "mdtboard", "audit", "verify", "--db", str(demo_path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "MDTBOARD_AUDIT_KEY_FILE": str(bad)},
    )
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be used" in lines[0], res.stderr
