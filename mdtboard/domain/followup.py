"""Was the decision carried out? Rules for the follow-up of a signed-off decision
(issue 19, part 1) and the outcome of a case (part 2).

Each planned modality gets a status — not started, started on a date, completed
on a date, or not given — and, when it was not given or was given differently
from the plan, a coded reason. Published audits of MDT recommendations count a
decision as implemented when every modality was given, partly implemented when
some were, not implemented when none was; a decision with a modality still
unrecorded is pending. These rules are pure: the services store what they accept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mdtboard.domain.vocab import Labelled


class ImplementationStatus(Labelled):
    NOT_STARTED = "not_started"
    STARTED = "started"
    COMPLETED = "completed"
    NOT_GIVEN = "not_given"


class DeviationReason(Labelled):
    """Why a modality was not given, or given differently from the plan."""

    PATIENT_CHOICE = "patient_choice"
    CLINICAL_DETERIORATION = "clinical_deterioration"
    DIED_BEFORE_TREATMENT = "died_before_treatment"
    PLAN_CHANGED = "plan_changed"
    NOT_FIT = "not_fit"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    OTHER = "other"


class VitalStatus(Labelled):
    ALIVE = "alive"  # at last contact
    DIED = "died"


class Ambulation(Labelled):
    AMBULATORY = "ambulatory"
    NON_AMBULATORY = "non_ambulatory"


class Implementation(Labelled):
    """A decision as a whole, from the statuses of its modalities."""

    PENDING = "pending"
    IMPLEMENTED = "implemented"
    PARTLY = "partly_implemented"
    NOT_IMPLEMENTED = "not_implemented"


@dataclass(frozen=True)
class ItemEntry:
    """One modality's follow-up as entered."""

    status: str
    started_on: date | None = None
    completed_on: date | None = None
    reason: str | None = None
    reason_text: str = ""


def item_problems(item: ItemEntry, today: date) -> dict[str, str]:
    """What is wrong with one entry, by field ({} when it can be stored). A start before
    sign-off is allowed: an emergency is treated before the MDT meets."""
    problems: dict[str, str] = {}
    try:
        status = ImplementationStatus(item.status)
    except ValueError:
        return {"status": f"unknown status {item.status!r}"}
    reason: DeviationReason | None = None
    if item.reason:
        try:
            reason = DeviationReason(item.reason)
        except ValueError:
            problems["reason"] = f"unknown reason {item.reason!r}"
    if status in (ImplementationStatus.STARTED, ImplementationStatus.COMPLETED):
        if item.started_on is None:
            problems["started_on"] = "give the date treatment started"
    elif item.started_on is not None:
        problems["started_on"] = f"a treatment {status.label.lower()} has no start date"
    if status == ImplementationStatus.COMPLETED:
        if item.completed_on is None:
            problems["completed_on"] = "give the date treatment was completed"
    elif item.completed_on is not None:
        problems["completed_on"] = "only a completed treatment has a completion date"
    for name in ("started_on", "completed_on"):
        when = getattr(item, name)
        if when is not None and name not in problems and when > today:
            problems[name] = "the date is in the future"
    if (
        item.started_on
        and item.completed_on
        and item.completed_on < item.started_on
        and "completed_on" not in problems
    ):
        problems["completed_on"] = "completed before it started"
    if status == ImplementationStatus.NOT_GIVEN and not item.reason and "reason" not in problems:
        problems["reason"] = "say why the treatment was not given"
    if reason == DeviationReason.OTHER and not item.reason_text.strip():
        problems["reason_text"] = "describe the other reason"
    if status == ImplementationStatus.NOT_STARTED and item.reason:
        problems["reason"] = "a reason is recorded when a treatment is not given or changed"
    return problems


def implementation(statuses: Iterable[str | None]) -> Implementation:
    """The decision's implementation from its modalities' statuses (None: not recorded).

    A decision without modalities (e.g. "discuss again after the scan") has nothing
    to carry out and counts as implemented."""
    given = 0
    not_given = 0
    pending = 0
    for s in statuses:
        if s in (ImplementationStatus.STARTED, ImplementationStatus.COMPLETED):
            given += 1
        elif s == ImplementationStatus.NOT_GIVEN:
            not_given += 1
        else:
            pending += 1
    if pending:
        return Implementation.PENDING
    if not_given == 0:
        return Implementation.IMPLEMENTED
    return Implementation.PARTLY if given else Implementation.NOT_IMPLEMENTED


@dataclass(frozen=True)
class OutcomeEntry:
    vital_status: str
    status_on: date
    ambulatory_30d: str | None = None
    ambulatory_90d: str | None = None
    local_recurrence: bool = False
    recurrence_on: date | None = None
    retreated: bool = False
    retreated_on: date | None = None


def outcome_problems(
    o: OutcomeEntry, today: date, treated_on: date | None = None
) -> dict[str, str]:
    """What is wrong with a case's outcome, by field."""
    problems: dict[str, str] = {}
    try:
        VitalStatus(o.vital_status)
    except ValueError:
        problems["vital_status"] = f"unknown vital status {o.vital_status!r}"
    if o.status_on > today:
        problems["status_on"] = "the date is in the future"
    for name in ("ambulatory_30d", "ambulatory_90d"):
        value = getattr(o, name)
        if value is not None:
            try:
                Ambulation(value)
            except ValueError:
                problems[name] = f"unknown ambulatory status {value!r}"
    for flag, name, words in (
        ("local_recurrence", "recurrence_on", "recurrence"),
        ("retreated", "retreated_on", "re-treatment"),
    ):
        when = getattr(o, name)
        if getattr(o, flag) and when is None:
            problems[name] = f"give the date of the {words}"
        elif not getattr(o, flag) and when is not None:
            problems[name] = f"a date is given but no {words} is recorded"
        elif when is not None and when > today:
            problems[name] = "the date is in the future"
        elif when is not None and when > o.status_on:
            problems[name] = "after the date of the vital status"
    if treated_on is not None:
        if o.status_on < treated_on:
            problems.setdefault("status_on", "before treatment started")
        days = (o.status_on - treated_on).days
        if o.ambulatory_30d is not None and days < 30 and o.vital_status == VitalStatus.ALIVE:
            problems["ambulatory_30d"] = "30 days after treatment have not passed at last contact"
        if o.ambulatory_90d is not None and days < 90 and o.vital_status == VitalStatus.ALIVE:
            problems["ambulatory_90d"] = "90 days after treatment have not passed at last contact"
    return problems
