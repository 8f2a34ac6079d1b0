"""Readiness of cases for discussion (traffic light), from the database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mdtboard.domain.lifecycle import CaseEvent, IllegalTransition, after, shown_status
from mdtboard.domain.readiness import CaseFacts, Readiness, assess
from mdtboard.domain.vocab import ReferralStatus
from mdtboard.services.errors import NotFound, ValidationError
from mdtboard.services.settings import get_settings, settings_in
from mdtboard.store.db import Database
from mdtboard.store.models import Assessment, Referral


def _facts(r: Referral, tools: Iterable[str]) -> CaseFacts:
    return CaseFacts(
        disease_kind=str(r.disease_kind),
        compartment=str(r.compartment),
        question=r.question,
        neuro_status=r.neuro_status,
        imaging_available=r.imaging_available,
        imaging_date=r.imaging_date,
        pathology_available=r.pathology_available,
        histology_key=r.histology_key,
        biopsy_deferral_rationale=r.biopsy_deferral_rationale,
        score_tools=frozenset(tools),
    )


def readiness_for(
    db: Database,
    referral_ids: Iterable[int],
    *,
    today: date | None = None,
    imaging_max_age_days: int | None = None,
) -> dict[int, Readiness]:
    """The traffic light of each case; the imaging age limit is the organisation's
    setting unless one is given."""
    ids = list(referral_ids)
    if not ids:
        return {}
    today = today or datetime.now(UTC).date()
    if imaging_max_age_days is None:
        imaging_max_age_days = get_settings(db).imaging_max_age_days
    with db.reader() as s:
        tools: dict[int, set[str]] = {i: set() for i in ids}
        for rid, tool in s.execute(
            select(Assessment.referral_id, Assessment.tool_id).where(
                Assessment.referral_id.in_(ids), Assessment.complete.is_(True)
            )
        ):
            tools[rid].add(tool)
        rows = s.execute(select(Referral).where(Referral.id.in_(ids))).scalars()
        return {r.id: assess(_facts(r, tools[r.id]), today, imaging_max_age_days) for r in rows}


def readiness_of(db: Database, referral_id: int, **kwargs: object) -> Readiness:
    result = readiness_for(db, [referral_id], **kwargs)  # type: ignore[arg-type]
    if referral_id not in result:
        raise NotFound(f"case {referral_id} does not exist")
    return result[referral_id]


def move(r: Referral, event: CaseEvent) -> bool:
    """Within the caller's transaction: the referral's status after ``event``, as the
    one lifecycle table says (``domain.lifecycle``). Returns whether it changed."""
    try:
        wanted = after(r.status, event)
    except IllegalTransition as exc:
        raise ValidationError({"status": f"case {r.id}: {exc}"}) from exc
    if r.status == wanted:
        return False
    r.status = wanted
    return True


def shown_status_in(s: Session, r: Referral) -> str:
    """The status as people see it: "ready" for a new case whose light is green now."""
    if r.status not in (ReferralStatus.NEW, ReferralStatus.READY):
        return str(r.status)
    tools = set(
        s.execute(
            select(Assessment.tool_id).where(
                Assessment.referral_id == r.id, Assessment.complete.is_(True)
            )
        ).scalars()
    )
    light = assess(_facts(r, tools), datetime.now(UTC).date(), settings_in(s).imaging_max_age_days)
    return shown_status(r.status, light.ready)
