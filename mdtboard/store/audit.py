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
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.store import witness
from mdtboard.store.errors import AuditKeyProblem
from mdtboard.store.models import AuditEvent, AuditHead
from mdtboard.store.paths import audit_key_path
from mdtboard.store.types import utcnow

GENESIS = "0" * 64
#: session.info key of the witness to keep after the commit
PENDING_WITNESS = "mdtboard_audit_witness"


#: the shortest key accepted (the app makes 32 random bytes)
MIN_KEY_BYTES = 16


def load_key(path: Path | None = None, *, create: bool = True) -> bytes:
    """The audit key. ``create``: make a new one if the file does not exist (only for a
    database whose trail is still empty). Raises :class:`AuditKeyProblem` for a missing
    key (unless created), an unreadable one, or one too short to sign with."""
    path = path or audit_key_path()
    try:
        text = path.read_text(encoding="ascii")
        if create and not text.strip():
            # an empty key signed nothing (a run killed while writing it, before the key
            # was made atomically): with a trail still empty it is replaced
            return _new_key(path, replace=True)
        key = bytes.fromhex(text.strip())
    except FileNotFoundError:
        if not create:
            raise AuditKeyProblem(
                f"audit key file {path} not found: the audit trail was signed with it. "
                "Restore it, or point MDTBOARD_AUDIT_KEY_FILE at it; nothing was saved"
            ) from None
        return _new_key(path)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise AuditKeyProblem(
            f"audit key file {path} cannot be used ({type(exc).__name__}): "
            "restore it from a backup; nothing was saved"
        ) from exc
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyProblem(
            f"audit key file {path} is empty or too short to sign with: "
            "restore it from a backup; nothing was saved"
        )
    return key


def _new_key(path: Path, *, replace: bool = False) -> bytes:
    """Make the key atomically: written in full to a private temporary file, flushed
    to disk, then linked into place, so a run killed on the way never leaves an empty
    or partial key. If another process made one first, that key is used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            tmp.replace(path)
        else:
            try:
                os.link(tmp, path)  # fails, never overwrites, if a key appeared meanwhile
            except FileExistsError:
                return load_key(path, create=False)
            except OSError:  # a file system without links: the same, less strictly
                if path.exists():
                    return load_key(path, create=False)
                tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
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
    """Append one event in the caller's transaction (flushes to obtain ids).

    A trail that exists is only extended with the key that signed it: a new key is made
    only for an empty trail, and a key that does not match the head is refused."""
    # The head row is locked first (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE),
    # so concurrent writers append one after the other.
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    key = key if key is not None else load_key(create=head is None)
    if head is not None and not hmac.compare_digest(
        head.mac, head_mac(key, head.last_id, head.last_hash)
    ):
        raise AuditKeyProblem(
            f"the audit key ({audit_key_path()}) is not the one that signed this database's "
            "audit trail (or the trail was altered): restore the right key file; "
            "nothing was saved"
        )
    prev_hash = head.last_hash if head else GENESIS
    next_id = (head.last_id + 1) if head else 1
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
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS, mac="")
        session.add(head)
    if not head.database_id:  # the database's identity, made with its first event
        head.database_id = str(uuid.uuid4())
    head.last_id = next_id
    head.last_hash = event.hash
    head.mac = head_mac(key, next_id, event.hash)
    session.flush()
    # kept outside the database once this commits (store.witness)
    session.info[PENDING_WITNESS] = (witness.Witness(head.database_id, next_id, event.hash), key)
    from mdtboard.store.changes import announce

    announce(session)  # other workstations refresh once this commits
    return event


def head_mac(key: bytes, last_id: int, last_hash: str) -> str:
    return hmac.new(key, f"head:{last_id}:{last_hash}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    last_hash: str = GENESIS


def verify_chain(events: Iterable[AuditEvent], key: bytes) -> ChainReport:
    """Walk the events in id order and report the first broken link."""
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    unreadable = "an event holds a value that cannot be read back (altered outside mdtboard)"
    rows = iter(events)
    while True:
        try:
            event = next(rows)
        except StopIteration:
            break
        except (ValueError, TypeError) as exc:  # e.g. a time that is not a time
            # rows are read in batches: which one failed is not known here
            return ChainReport(False, checked, None, f"{unreadable}: {type(exc).__name__}")
        if event.id != expected_id:
            return ChainReport(
                False, checked, event.id, f"event {expected_id} is missing (next is {event.id})"
            )
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.id, "link to the previous event is broken")
        try:
            expected = event_hash(key, prev_hash, event)
        except (ValueError, TypeError, AttributeError) as exc:  # a blob, a number for a time
            return ChainReport(False, checked, event.id, f"{unreadable}: {type(exc).__name__}")
        if not isinstance(event.hash, str) or not hmac.compare_digest(event.hash, expected):
            return ChainReport(False, checked, event.id, "event content does not match its hash")
        prev_hash = event.hash
        expected_id += 1
        checked += 1
    return ChainReport(True, checked, None, "", prev_hash)


def check_head(chain: ChainReport, head: AuditHead | None, key: bytes) -> ChainReport:
    """The head names the newest event: a deleted tail of the chain is caught here."""
    if not chain.ok:
        return chain
    if head is None:
        if chain.checked:
            return ChainReport(False, chain.checked, None, "the audit head record is missing")
        return chain
    if not hmac.compare_digest(head.mac, head_mac(key, head.last_id, head.last_hash)):
        return ChainReport(False, chain.checked, head.last_id, "the audit head record was altered")
    if head.last_id != chain.checked or head.last_hash != chain.last_hash:
        return ChainReport(
            False,
            chain.checked,
            chain.checked + 1,
            f"events after {chain.checked} are missing (the head records {head.last_id})",
        )
    return chain


def verify_database(session: Session, key: bytes) -> ChainReport:
    """Verify the whole trail stored in a database, including its head, and the head
    against this workstation's witness (a trail rolled back or cut short)."""
    events = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    head = session.get(AuditHead, 1)
    report = check_head(verify_chain(events, key), head, key)
    if report.ok and (problem := witness.check(session, key)):
        return ChainReport(False, report.checked, None, problem)
    if report.ok and report.checked == 0 and head is None and holds_records(session):
        return ChainReport(
            False, 0, None, "the audit trail is empty but the database holds records"
        )
    return report


def holds_records(session: Session) -> bool:
    """Does the database hold accounts, patients or meetings? (Creating any of them
    always writes audit events.)"""
    from sqlalchemy import func

    from mdtboard.store.models import Meeting, Patient, User

    return any(
        session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Patient, User, Meeting)
    )
