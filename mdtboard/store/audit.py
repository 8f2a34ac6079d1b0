"""The audit trail: append-only and hash-chained.

Each event stores the hash of the event before it and its own hash,
HMAC-SHA256 over the previous hash and the event's fields, keyed with a
secret kept outside the database (``paths.audit_key_path()``). Editing,
inserting or deleting a row breaks the chain, and without the key nobody
can forge a consistent replacement.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.store.models import AuditEvent
from mdtboard.store.paths import audit_key_path
from mdtboard.store.types import utcnow

GENESIS = "0" * 64


def load_key(path: Path | None = None, *, create: bool = True) -> bytes:
    path = path or audit_key_path()
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        if not create:
            raise
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def _canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [
            prev_hash,
            event.id,
            _canonical_time(event.occurred_at),
            event.user,
            event.action,
            event.entity,
            event.entity_id,
            event.summary,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    session: Session,
    *,
    user: str,
    action: str,
    entity: str,
    entity_id: object = "",
    summary: str = "",
    key: bytes | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (flushes to obtain ids)."""
    key = key if key is not None else load_key()
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS
    next_id = (last.id + 1) if last else 1
    event = AuditEvent(
        id=next_id,
        occurred_at=utcnow(),
        user=user,
        action=action,
        entity=entity,
        entity_id="" if entity_id is None else str(entity_id),
        summary=summary,
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(key, prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(events: Iterable[AuditEvent], key: bytes) -> ChainReport:
    """Walk the events in id order and report the first broken link."""
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    for event in events:
        if event.id != expected_id:
            return ChainReport(
                False, checked, event.id, f"event {expected_id} is missing (next is {event.id})"
            )
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, "link to the previous event is broken")
        if not hmac.compare_digest(event.hash, event_hash(key, prev_hash, event)):
            return ChainReport(False, checked, event.id, "event content does not match its hash")
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked)
