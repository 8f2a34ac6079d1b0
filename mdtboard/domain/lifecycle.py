"""The life of a referral: one table of every status change, used by every service.

A referral is stored as ``new`` (waiting for a meeting), ``listed`` (on an open
agenda), ``discussed`` (a decision was signed off) or ``closed`` (withdrawn). Whether
a new case is *ready* for discussion is not a stored status: it is the readiness
traffic light (``domain.readiness``), worked out each time the case is read, so a
case whose imaging ages out of date stops being shown as ready the day it does.
``shown_status`` gives the status as people see it ("ready" for a new case whose
light is green).
"""

from __future__ import annotations

from mdtboard.domain.vocab import Labelled, ReferralStatus

NEW = ReferralStatus.NEW
LISTED = ReferralStatus.LISTED
DISCUSSED = ReferralStatus.DISCUSSED
CLOSED = ReferralStatus.CLOSED

#: the statuses a referral is stored with (``ready`` is derived, never stored)
STORED: tuple[ReferralStatus, ...] = (NEW, LISTED, DISCUSSED, CLOSED)


class CaseEvent(Labelled):
    """What happens to a referral, in any service."""

    REGISTERED = "registered"  # typed into the referral form
    IMPORTED = "imported"  # a row of a CSV import
    EDITED = "edited"  # its facts changed (form, differential, red flags)
    SCORED = "scored"  # a score recorded or changed
    LISTED = "listed"  # put on an open agenda (also relisted)
    UNLISTED = "unlisted"  # taken off its last open agenda
    DISCUSSED = "discussed"  # marked discussed at a meeting
    DEFERRED = "deferred"  # deferred at a meeting: it waits for another one
    WITHDRAWN = "withdrawn"  # withdrawn from discussion
    SIGNED_OFF = "signed_off"  # its decision signed off
    AMENDED = "amended"  # a signed-off decision corrected


E = CaseEvent

#: (status, event) → the status after it. A pair missing from the table is a change
#: the lifecycle does not allow (``IllegalTransition``).
TRANSITIONS: dict[tuple[ReferralStatus | None, CaseEvent], ReferralStatus] = {
    # a referral is born new, however it arrives
    (None, E.REGISTERED): NEW,
    (None, E.IMPORTED): NEW,
    # new: waiting for a meeting
    (NEW, E.EDITED): NEW,
    (NEW, E.SCORED): NEW,
    (NEW, E.LISTED): LISTED,
    (NEW, E.WITHDRAWN): CLOSED,
    # listed: on an open agenda
    (LISTED, E.EDITED): LISTED,
    (LISTED, E.SCORED): LISTED,
    (LISTED, E.LISTED): LISTED,  # on a second open agenda too
    (LISTED, E.UNLISTED): NEW,
    (LISTED, E.DISCUSSED): DISCUSSED,
    (LISTED, E.SIGNED_OFF): DISCUSSED,
    (LISTED, E.DEFERRED): NEW,
    (LISTED, E.WITHDRAWN): CLOSED,
    (LISTED, E.AMENDED): LISTED,  # an earlier decision corrected while listed again
    # discussed: a decision was signed off
    (DISCUSSED, E.EDITED): DISCUSSED,
    (DISCUSSED, E.SCORED): DISCUSSED,
    (DISCUSSED, E.LISTED): LISTED,  # brought back to the MDT
    (DISCUSSED, E.UNLISTED): DISCUSSED,
    (DISCUSSED, E.DISCUSSED): DISCUSSED,
    (DISCUSSED, E.SIGNED_OFF): DISCUSSED,
    (DISCUSSED, E.DEFERRED): DISCUSSED,  # it keeps the decision it already has
    (DISCUSSED, E.WITHDRAWN): CLOSED,
    (DISCUSSED, E.AMENDED): DISCUSSED,
    # closed: withdrawn; listing it again reopens it
    (CLOSED, E.EDITED): CLOSED,
    (CLOSED, E.SCORED): CLOSED,
    (CLOSED, E.LISTED): LISTED,
    (CLOSED, E.UNLISTED): CLOSED,
    (CLOSED, E.AMENDED): CLOSED,
}


class IllegalTransition(ValueError):
    def __init__(self, status: ReferralStatus | None, event: CaseEvent) -> None:
        self.status = status
        self.event = event
        where = f"a {status.value} case" if status is not None else "a case not yet registered"
        super().__init__(f"{where} cannot be {event.label.lower()}")


def after(status: ReferralStatus | None, event: CaseEvent) -> ReferralStatus:
    """The status a referral has after ``event``; IllegalTransition if not allowed."""
    stored = NEW if status == ReferralStatus.READY else status  # a legacy stored copy
    try:
        return TRANSITIONS[(stored, event)]
    except KeyError:
        raise IllegalTransition(status, event) from None


def shown_status(stored: ReferralStatus | str, ready: bool) -> str:
    """The status as the worklist and the documents show it."""
    value = str(stored)
    if value in (NEW.value, ReferralStatus.READY.value):
        return ReferralStatus.READY.value if ready else NEW.value
    return value
