"""Standard-of-care protocols (issue 19 part 7).

NHS England's guidance on streamlining MDT meetings asks that cases with an agreed
standard of care be listed and recorded but not discussed in full. An administrator
keeps the protocols (title, text, version, approved by and on); a coordinator lists
a case under one (``list_under_protocol``); the chair confirms those cases together
in meeting mode (``decisions.confirm_standard_of_care``), each recorded and signed
off like a discussed case with the protocol applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from mdtboard.domain.vocab import AgendaStatus, MeetingStatus
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.storable import clean_text, input_problems
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Decision, Protocol


@dataclass(frozen=True)
class ProtocolInput:
    title: str
    text: str
    version_label: str
    approved_by: str
    approved_on: date | None


@dataclass(frozen=True)
class ProtocolView:
    id: int
    title: str
    text: str
    version_label: str
    approved_by: str
    approved_on: date
    active: bool
    version: int

    @property
    def label(self) -> str:
        return f"{self.title} (version {self.version_label})"

    def plan_text(self) -> str:
        """The plan a case confirmed under this protocol is signed off with."""
        return (
            f"Standard of care: {self.title}, version {self.version_label} (approved by "
            f"{self.approved_by} on {self.approved_on:%d/%m/%Y}). {self.text}".strip()
        )


def protocol_view(p: Protocol) -> ProtocolView:
    """The read model of one protocol row."""
    return ProtocolView(
        p.id, p.title, p.text, p.version_label, p.approved_by, p.approved_on, p.active, p.version
    )


def list_protocols(db: Database, *, include_inactive: bool = False) -> list[ProtocolView]:
    with db.reader() as s:
        q = select(Protocol).order_by(Protocol.title, Protocol.version_label)
        if not include_inactive:
            q = q.where(Protocol.active.is_(True))
        return [protocol_view(p) for p in s.execute(q).scalars()]


def _problems(data: ProtocolInput) -> dict[str, str]:
    problems = input_problems(Protocol, data)
    for name, words in (
        ("title", "give the protocol a title"),
        ("text", "write what the protocol says"),
        ("version_label", "give the version (e.g. 1.0)"),
        ("approved_by", "name who approved it"),
    ):
        if name not in problems and not str(getattr(data, name)).strip():
            problems[name] = words
    if data.approved_on is None:
        problems["approved_on"] = "give the date it was approved"
    elif data.approved_on > datetime.now(UTC).astimezone().date():
        problems["approved_on"] = "the approval date is in the future"
    return problems


def save_protocol(
    ctx: ServiceContext,
    data: ProtocolInput,
    *,
    protocol_id: int | None = None,
    expected_version: int | None = None,
    active: bool = True,
) -> ProtocolView:
    """Add a protocol, or (``protocol_id``) correct or retire one; audited."""
    ctx.require(Permission.PROTOCOLS_WRITE)
    if problems := _problems(data):
        raise ValidationError(problems)
    with ctx.unit_of_work() as s:
        same = s.execute(
            select(Protocol.id).where(
                Protocol.title == clean_text(data.title).strip(),
                Protocol.version_label == data.version_label.strip(),
            )
        ).scalar()
        if same is not None and same != protocol_id:
            raise ValidationError({"version_label": "this title already has that version"})
        if protocol_id is None:
            p = Protocol(version=1)
            s.add(p)
            action = "create"
        else:
            found = s.get(Protocol, protocol_id)
            if found is None:
                raise NotFound(f"protocol {protocol_id} does not exist")
            if found.version != expected_version:
                raise Conflict(
                    "this protocol changed since you opened it",
                    entity="protocol",
                    entity_id=protocol_id,
                )
            p, action = found, "update"
        p.title = clean_text(data.title).strip()
        p.text = clean_text(data.text).strip()
        p.version_label = data.version_label.strip()
        p.approved_by = clean_text(data.approved_by).strip()
        assert data.approved_on is not None
        p.approved_on = data.approved_on
        p.active = active
        s.flush()
        ctx.audit(
            s,
            action,
            "protocol",
            p.id,
            f"{p.title} version {p.version_label}, approved by {p.approved_by} "
            f"on {p.approved_on.isoformat()}" + ("" if active else "; retired"),
        )
        return protocol_view(p)


def list_under_protocol(ctx: ServiceContext, agenda_item_id: int, protocol_id: int | None) -> None:
    """List an agenda item as standard of care under ``protocol_id`` (None: back to
    a full discussion)."""
    ctx.require(Permission.AGENDA_WRITE)
    with ctx.unit_of_work() as s:
        item = s.get(AgendaItem, agenda_item_id)
        if item is None:
            raise NotFound(f"agenda item {agenda_item_id} does not exist")
        if item.meeting.status == MeetingStatus.CLOSED:
            raise ValidationError({"meeting": "the meeting is closed: its agenda is final"})
        if item.status != AgendaStatus.LISTED:
            raise ValidationError({"status": f"the case is already {item.status.label.lower()}"})
        decided = s.execute(
            select(Decision.id).where(
                Decision.agenda_item_id == agenda_item_id, Decision.status != "draft"
            )
        ).first()
        if decided is not None:
            raise ValidationError({"decision": "the case already has a signed-off decision"})
        title = "full discussion"
        if protocol_id is not None:
            p = s.get(Protocol, protocol_id)
            if p is None or not p.active:
                raise ValidationError({"protocol": "choose a current protocol"})
            title = f"standard of care: {p.title} version {p.version_label}"
        if item.protocol_id == protocol_id:
            return
        item.protocol_id = protocol_id
        s.flush()
        ctx.audit(s, "update", "agenda_item", item.id, f"listed for {title}")
