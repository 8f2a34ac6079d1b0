"""The referral lifecycle (issue 16 part 3; DOMAIN.md "Life of a case"): one table
of status changes that every service goes through."""

from __future__ import annotations

import pytest

from mdtboard.domain.lifecycle import (
    STORED,
    TRANSITIONS,
    CaseEvent,
    IllegalTransition,
    after,
    shown_status,
)
from mdtboard.domain.vocab import ReferralStatus as S

E = CaseEvent


@pytest.mark.parametrize("event", [E.REGISTERED, E.IMPORTED])
def test_a_referral_is_born_new_however_it_arrives(event: CaseEvent) -> None:
    # DOMAIN.md: referral → preparation; the form and a CSV row give the same status
    assert after(None, event) is S.NEW


@pytest.mark.parametrize(
    ("path", "end"),
    [
        # referral → listed → discussed → decision signed off
        ([E.REGISTERED, E.SCORED, E.LISTED, E.SIGNED_OFF], S.DISCUSSED),
        # deferred at the meeting: waits for another one, then relisted
        ([E.REGISTERED, E.LISTED, E.DEFERRED], S.NEW),
        ([E.REGISTERED, E.LISTED, E.DEFERRED, E.LISTED], S.LISTED),
        # taken off the agenda before the meeting
        ([E.IMPORTED, E.LISTED, E.UNLISTED], S.NEW),
        # withdrawn, then brought back
        ([E.REGISTERED, E.WITHDRAWN], S.CLOSED),
        ([E.REGISTERED, E.WITHDRAWN, E.LISTED], S.LISTED),
        # discussed again years later (new lesion, progression): listed again
        ([E.REGISTERED, E.LISTED, E.SIGNED_OFF, E.LISTED], S.LISTED),
        # a signed-off decision corrected keeps the case discussed
        ([E.REGISTERED, E.LISTED, E.SIGNED_OFF, E.AMENDED], S.DISCUSSED),
        # a discussed case deferred at a later meeting keeps its decision
        ([E.REGISTERED, E.LISTED, E.SIGNED_OFF, E.LISTED, E.SIGNED_OFF, E.DEFERRED], S.DISCUSSED),
    ],
)
def test_the_life_of_a_case(path: list[CaseEvent], end: S) -> None:
    status: S | None = None
    for event in path:
        status = after(status, event)
    assert status is end


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (None, E.LISTED),  # not registered yet
        (S.NEW, E.REGISTERED),  # registered twice
        (S.NEW, E.SIGNED_OFF),  # a decision needs a meeting
        (S.NEW, E.DISCUSSED),
        (S.CLOSED, E.SIGNED_OFF),  # withdrawn: list it again first
        (S.NEW, E.AMENDED),  # nothing signed off to amend
    ],
)
def test_a_change_outside_the_table_is_refused(status: S | None, event: CaseEvent) -> None:
    with pytest.raises(IllegalTransition) as exc:
        after(status, event)
    assert event.label.lower() in str(exc.value)


def test_ready_is_never_a_stored_status() -> None:
    assert S.READY not in STORED
    assert S.READY not in set(TRANSITIONS.values())
    assert after(S.READY, E.LISTED) is S.LISTED  # a legacy stored copy counts as new


@pytest.mark.parametrize(
    ("stored", "ready", "shown"),
    [
        (S.NEW, True, "ready"),
        (S.NEW, False, "new"),
        (S.READY, False, "new"),  # a stale stored copy is not believed
        (S.LISTED, True, "listed"),
        (S.DISCUSSED, True, "discussed"),
        (S.CLOSED, True, "closed"),
    ],
)
def test_ready_is_shown_from_the_light(stored: S, ready: bool, shown: str) -> None:
    assert shown_status(stored, ready) == shown
