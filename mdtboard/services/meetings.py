"""Meetings: listing and lookup (agenda building arrives with case preparation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Meeting


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    starts_at: datetime
    title: str
    location: str
    status: str
    items: int


def list_meetings(db: Database) -> list[MeetingSummary]:
    with db.reader() as s:
        n_items = (
            select(func.count(AgendaItem.id))
            .where(AgendaItem.meeting_id == Meeting.id)
            .correlate(Meeting)
            .scalar_subquery()
        )
        rows = s.execute(
            select(
                Meeting.id, Meeting.starts_at, Meeting.title, Meeting.location, Meeting.status,
                n_items.label("items"),
            ).order_by(Meeting.starts_at, Meeting.id)
        )
        return [
            MeetingSummary(r.id, r.starts_at, r.title, r.location, str(r.status), int(r.items))
            for r in rows
        ]
