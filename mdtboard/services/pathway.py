"""The MSCC pathway of a case: suspected or not, its QS56 clocks, dexamethasone.

One read model for every place that shows the clocks — the meeting-mode
banner, the worklist, the outcome summary and the letters — so they all
agree (reference/scores.md §11). The rules are the domain's (``mscc``);
this module only gathers the facts from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain import mscc
from mdtboard.domain.vocab import DecisionStatus
from mdtboard.services.errors import NotFound
from mdtboard.services.settings import settings_in
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Decision, Modality, Referral


@dataclass(frozen=True)
class PathwayStatus:
    """What the clocks say for one case now (computed by the clinical engine)."""

    suspected_mscc: bool
    neurology: bool
    #: the suspicion time was not recorded: the clocks count from the referral
    suspicion_from_referral: bool
    suspected_at: datetime
    clocks: tuple[mscc.Clock, ...]
    mri_to_plan: mscc.MriToPlan
    dexamethasone_started_at: datetime | None
    dexamethasone_omitted_reason: str
    problems: tuple[str, ...]
    prompts: tuple[str, ...]
    #: the reasons the red flags give for their urgency (first: the rule that fired)
    reasons: tuple[str, ...]

    def clock_lines(self) -> tuple[str, ...]:
        return tuple(mscc.describe_clock(c) for c in self.clocks)

    def mri_to_plan_line(self) -> str | None:
        """MRI → plan as information only (never the standard)."""
        info = self.mri_to_plan
        if info.elapsed is None:
            return None
        left = (
            ""
            if info.left_after_scan is None
            else f"; {mscc.duration_text(max(timedelta(0), info.left_after_scan))} of the "
            "standard were left after the scan"
        )
        return f"MRI → plan: {mscc.duration_text(info.elapsed)} (information only{left})"


def standards_in(s: Session) -> mscc.Standards:
    hours = settings_in(s).mscc_surgery_hours
    return mscc.Standards(surgery_after_decision=timedelta(hours=hours))


def _surgery_planned(s: Session, referral_ids: list[int]) -> set[int]:
    """Cases whose latest signed-off decision includes surgery (the surgery clock)."""
    if not referral_ids:
        return set()
    rows = s.execute(
        select(AgendaItem.referral_id)
        .join(Decision, Decision.agenda_item_id == AgendaItem.id)
        .join(Modality, Modality.decision_id == Decision.id)
        .where(
            AgendaItem.referral_id.in_(referral_ids),
            Decision.status == DecisionStatus.SIGNED_OFF,
            Modality.kind == "surgery",
        )
    )
    return {int(r[0]) for r in rows}


def status_of(
    r: Referral, now: datetime, standards: mscc.Standards, for_surgery: bool
) -> PathwayStatus | None:
    """The pathway of a referral row, or None when no QS56 clock applies to it."""
    flags = tuple(r.red_flags or ())
    if not mscc.clocks_apply(str(r.urgency), flags):
        return None
    suspected = mscc.is_suspected_mscc(str(r.urgency), flags)
    neurology = mscc.has_neurology(flags, r.neuro_deficit)
    start = r.mscc_suspected_at or r.received_at
    clocks = mscc.mscc_clocks(
        start,
        r.mri_at,
        r.plan_agreed_at,
        r.treatment_started_at,
        now,
        neurology,
        for_surgery,
        standards,
    )
    if not suspected:  # QS56 statement 6 is about MSCC: no treatment clock without it
        clocks = tuple(c for c in clocks if c.key != "decision_to_treatment")
    return PathwayStatus(
        suspected_mscc=suspected,
        neurology=neurology,
        suspicion_from_referral=r.mscc_suspected_at is None,
        suspected_at=start,
        clocks=clocks,
        mri_to_plan=mscc.mri_to_plan(clocks, now),
        dexamethasone_started_at=r.dexamethasone_started_at,
        dexamethasone_omitted_reason=r.dexamethasone_omitted_reason,
        problems=mscc.dexamethasone_problems(
            suspected, neurology, r.dexamethasone_started_at, r.dexamethasone_omitted_reason
        ),
        prompts=mscc.mscc_prompts(neurology),
        reasons=mscc.suggest_urgency(flags).reasons if flags else (),
    )


def pathways_in(
    s: Session, referrals: Iterable[Referral], now: datetime | None = None
) -> dict[int, PathwayStatus]:
    """The pathway of each of these referral rows that is on one (one extra query)."""
    now = now or datetime.now(UTC)
    rows = list(referrals)
    on_it = [r for r in rows if mscc.clocks_apply(str(r.urgency), tuple(r.red_flags or ()))]
    if not on_it:
        return {}
    # only a decision to treat starts the treatment clock: only then does it matter
    # whether surgery was planned, and only surgery has a local (settings) target
    surgery = _surgery_planned(s, [r.id for r in on_it if r.plan_agreed_at is not None])
    standards = standards_in(s) if surgery else mscc.Standards()
    out: dict[int, PathwayStatus] = {}
    for r in on_it:
        status = status_of(r, now, standards, r.id in surgery)
        if status is not None:
            out[r.id] = status
    return out


def pathway_of(db: Database, referral_id: int, now: datetime | None = None) -> PathwayStatus | None:
    with db.reader() as s:
        r = s.get(Referral, referral_id)
        if r is None:
            raise NotFound(f"case {referral_id} does not exist")
        return pathways_in(s, [r], now).get(referral_id)
