"""Reading the audit trail (administrators): filtered pages, and chain verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from mdtboard.services import seals
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ServiceUnavailable
from mdtboard.services.permissions import Permission
from mdtboard.services.storable import holds_nul
from mdtboard.store import audit, witness
from mdtboard.store.errors import AuditKeyProblem
from mdtboard.store.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    summary: str


def _where(stmt: Select[Any], f: AuditFilter) -> Select[Any]:
    if holds_nul(f.user, f.action, f.entity, f.entity_id, f.text):
        return stmt.where(false())
    if f.user:
        stmt = stmt.where(AuditEvent.user == f.user)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.entity:
        stmt = stmt.where(AuditEvent.entity == f.entity)
    if f.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.text:
        stmt = stmt.where(AuditEvent.summary.contains(f.text, autoescape=True))
    if f.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < f.until)
    return stmt


def count_events(ctx: ServiceContext, f: AuditFilter) -> int:
    ctx.require(Permission.AUDIT_VIEW)
    with ctx.db.reader() as s:
        return int(s.execute(_where(select(func.count(AuditEvent.id)), f)).scalar_one())


def fetch_events(ctx: ServiceContext, f: AuditFilter, offset: int, limit: int) -> list[AuditRow]:
    ctx.require(Permission.AUDIT_VIEW)
    with ctx.db.reader() as s:
        rows = s.execute(
            _where(select(AuditEvent), f).order_by(AuditEvent.id.desc()).offset(offset).limit(limit)
        ).scalars()
        return [
            AuditRow(e.id, e.occurred_at, e.user, e.action, e.entity, e.entity_id, e.summary)
            for e in rows
        ]


def distinct_values(ctx: ServiceContext, column: str) -> list[str]:
    ctx.require(Permission.AUDIT_VIEW)
    col = {"user": AuditEvent.user, "action": AuditEvent.action, "entity": AuditEvent.entity}[
        column
    ]
    with ctx.db.reader() as s:
        return [str(v) for v in s.execute(select(col).distinct().order_by(col)).scalars()]


@dataclass(frozen=True)
class Verification:
    """The hash chain, and the seals of the signed-off decisions."""

    chain: audit.ChainReport
    seals: seals.SealReport

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.seals.ok


def verify_in(s: Session, key: bytes) -> Verification:
    """The chain first; the seals only of a chain that holds (they are read from it)."""
    chain = audit.verify_database(s, key)
    result = Verification(chain, seals.verify(s, key) if chain.ok else seals.SealReport(0, ()))
    if result.ok and (head := witness.head_of(s)) is not None:
        witness.save(key, head)  # this workstation has now seen the trail up to its head
    return result


def verify(ctx: ServiceContext) -> Verification:
    ctx.require(Permission.AUDIT_VIEW)
    try:
        key = audit.load_key(create=False)
    except AuditKeyProblem as exc:
        raise ServiceUnavailable(str(exc)) from exc
    with ctx.db.reader() as s:
        return verify_in(s, key)
