"""The audit head anchored outside the database: each workstation's witness.

The hash chain shows any event edited, inserted or removed in the middle, and
the head (newest id and hash, keyed) shows a removed tail — unless the head is
taken from an earlier copy of the database, or the whole file is rolled back
to a backup: then the chain and its head agree with each other, only older.
Transparency logs answer this with checkpoints that clients keep and compare
(signed tree heads; Crosby and Wallach, USENIX Security 2009): a log may never
show a client less than it has already shown it.

mdtboard does the same on a small scale. Every database carries an identity
(``audit_head.database_id``); every workstation keeps, beside its audit key,
one witness file per database identity holding the newest event id and hash
it wrote or saw there, keyed with the audit key. ``audit verify`` fails when
the chain is shorter than the witness, or does not hold the witnessed event
with the witnessed hash. A restore moves the witness back on purpose and is
recorded as an audit event. Standard library only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from mdtboard.store.paths import audit_key_path

log = logging.getLogger(__name__)
WITNESS_ENV = "MDTBOARD_WITNESS_DIR"
_SAFE_ID = re.compile(r"[0-9a-f-]{36}")


def witness_dir() -> Path:
    """Beside the audit key (``MDTBOARD_WITNESS_DIR`` overrides it)."""
    override = os.environ.get(WITNESS_ENV)
    return Path(override) if override else audit_key_path().parent / "witnesses"


@dataclass(frozen=True)
class Witness:
    database_id: str
    last_id: int
    last_hash: str


def _mac(key: bytes, w: Witness) -> str:
    text = f"mdtboard-witness|{w.database_id}|{w.last_id}|{w.last_hash}"
    return hmac.new(key, text.encode("ascii"), hashlib.sha256).hexdigest()


def _path(database_id: str) -> Path:
    if not _SAFE_ID.fullmatch(database_id):
        raise ValueError(f"not a database identity: {database_id!r}")
    return witness_dir() / f"{database_id}.json"


class WitnessAltered(ValueError):
    """The witness file does not carry this key's mark."""


def read(database_id: str, key: bytes) -> Witness | None:
    """This workstation's witness for a database, or None if it has none."""
    try:
        data = json.loads(_path(database_id).read_text(encoding="utf-8"))
        w = Witness(str(data["database_id"]), int(data["last_id"]), str(data["last_hash"]))
        mac = str(data["mac"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WitnessAltered(f"the witness file of database {database_id} is unreadable") from exc
    if w.database_id != database_id or not hmac.compare_digest(mac, _mac(key, w)):
        raise WitnessAltered(f"the witness file of database {database_id} was altered")
    return w


def save(key: bytes, w: Witness, *, back: bool = False) -> None:
    """Keep ``w`` as this workstation's witness: only forward, unless ``back`` (a
    restore). Written under a temporary name, then renamed; a failure is logged, never
    raised (the write it follows has committed)."""
    try:
        if not back:
            try:
                held = read(w.database_id, key)
            except WitnessAltered:
                held = None
            if held is not None and held.last_id >= w.last_id:
                return
        path = _path(w.database_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
        body = {**w.__dict__, "mac": _mac(key, w)}
        tmp.write_text(json.dumps(body), encoding="utf-8")
        tmp.replace(path)
    except (OSError, ValueError):
        log.warning("could not keep the audit witness of database %s", w.database_id)


def check(session: Session, key: bytes) -> str:
    """Why the trail is older than this workstation's witness, or "" when it is not."""
    from mdtboard.store.models import AuditEvent, AuditHead

    head = session.get(AuditHead, 1)
    if head is None or not head.database_id:
        return ""
    try:
        w = read(head.database_id, key)
    except WitnessAltered as exc:
        return str(exc)
    if w is None:
        return ""
    if w.last_id > head.last_id:
        return (
            f"the trail ends at event {head.last_id}, but this workstation wrote or saw event "
            f"{w.last_id}: events were removed, or the database was rolled back to an earlier "
            "copy (a restore is recorded; this was not)"
        )
    seen = session.get(AuditEvent, w.last_id)
    if seen is None or seen.hash != w.last_hash:
        return (
            f"event {w.last_id} is not the one this workstation saw: the trail was replaced "
            "or rolled back"
        )
    return ""


def head_of(session: Session) -> Witness | None:
    from mdtboard.store.models import AuditHead

    head = session.get(AuditHead, 1)
    if head is None or not head.database_id:
        return None
    return Witness(head.database_id, head.last_id, head.last_hash)
