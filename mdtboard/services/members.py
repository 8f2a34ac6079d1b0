"""MDT members and their roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mdtboard.domain.vocab import Role
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.storable import text_problems
from mdtboard.store.db import Database
from mdtboard.store.models import Member


@dataclass(frozen=True)
class MemberView:
    id: int
    name: str
    role: str
    email: str
    active: bool
    version: int

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def _view(m: Member) -> MemberView:
    return MemberView(m.id, m.name, str(m.role), m.email, m.active, m.version)


def list_members(db: Database, *, include_inactive: bool = False) -> list[MemberView]:
    with db.reader() as s:
        stmt = select(Member).order_by(Member.role, Member.name)
        if not include_inactive:
            stmt = stmt.where(Member.active.is_(True))
        return [_view(m) for m in s.execute(stmt).scalars()]


def validate_member(name: str, role: str, email: str = "") -> None:
    problems = text_problems(Member, {"name": name, "email": email})
    if not name.strip():
        problems["name"] = "a name is required"
    if role not in {r.value for r in Role}:
        problems["role"] = f"unknown role {role!r}"
    if problems:
        raise ValidationError(problems)


def add_member(ctx: ServiceContext, name: str, role: str, email: str = "") -> MemberView:
    ctx.require(Permission.MEMBERS_WRITE)
    validate_member(name, role, email)
    with ctx.unit_of_work() as s:
        m = Member(name=name.strip(), role=role, email=email.strip(), active=True)
        s.add(m)
        s.flush()
        ctx.audit(s, "create", "member", m.id, f"member added as {role}")
        return _view(m)


def update_member(
    ctx: ServiceContext,
    member_id: int,
    expected_version: int,
    *,
    name: str,
    role: str,
    email: str = "",
    active: bool = True,
) -> MemberView:
    ctx.require(Permission.MEMBERS_WRITE)
    validate_member(name, role, email)
    with ctx.unit_of_work() as s:
        m = s.get(Member, member_id)
        if m is None:
            raise NotFound(f"member {member_id} does not exist")
        if m.version != expected_version:
            raise Conflict(
                "this member was changed by someone else", entity="member", entity_id=member_id
            )
        changes = [
            f
            for f, new in (
                ("name", name.strip()),
                ("role", role),
                ("email", email.strip()),
                ("active", active),
            )
            if getattr(m, f) != new
        ]
        m.name, m.role, m.email, m.active = name.strip(), Role(role), email.strip(), active
        s.flush()
        if changes:
            ctx.audit(s, "update", "member", m.id, "changed: " + ", ".join(changes))
        return _view(m)
