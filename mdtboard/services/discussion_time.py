"""Time per case (issue 19 part 6): how long each case was open in meeting mode.

Meeting mode adds the seconds a case was open each time it leaves the case (another
case opened, the window closed); nobody starts or stops a clock. The time is a
measure of the meeting, not a clinical record: it is stored without an audit event
and never changes a decision or its seal.
"""

from __future__ import annotations

from sqlalchemy import select

from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import NotFound, ValidationError
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, DiscussionTime

#: longer than any discussion: a larger value is a clock error and is not stored
MAX_SECONDS_AT_ONCE = 4 * 3600


def add_time(ctx: ServiceContext, agenda_item_id: int, seconds: float) -> int:
    """Add ``seconds`` to the case's discussion time; returns the new total (whole
    seconds). Less than a second adds nothing."""
    if seconds < 0 or seconds > MAX_SECONDS_AT_ONCE:
        raise ValidationError({"seconds": f"{seconds:.0f} s is not a discussion time"})
    whole = int(seconds)
    with ctx.unit_of_work() as s:
        row = s.get(DiscussionTime, agenda_item_id)
        if row is None:
            if s.get(AgendaItem, agenda_item_id) is None:
                raise NotFound(f"agenda item {agenda_item_id} does not exist")
            row = DiscussionTime(agenda_item_id=agenda_item_id, seconds=0)
            s.add(row)
        if whole:
            row.seconds = (row.seconds or 0) + whole
        s.flush()
        return row.seconds


def times_for(db: Database, meeting_id: int) -> dict[int, int]:
    """Seconds per agenda item of a meeting (items never opened are absent)."""
    with db.reader() as s:
        rows = s.execute(
            select(DiscussionTime.agenda_item_id, DiscussionTime.seconds)
            .join(AgendaItem, AgendaItem.id == DiscussionTime.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting_id)
        )
        return {item: int(seconds) for item, seconds in rows}
