"""Recording scores: answers are stored, total and band always come from the engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from mdtboard.domain import noms, staging
from mdtboard.domain.lifecycle import CaseEvent
from mdtboard.domain.scores import TOOLS, evaluate
from mdtboard.domain.vocab import DecisionStatus
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.services.permissions import Permission
from mdtboard.services.readiness import move
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Assessment, Decision, Referral
from mdtboard.store.types import utcnow


@dataclass(frozen=True)
class AssessmentView:
    id: int
    referral_id: int
    tool_id: str
    subject: str
    answers: Mapping[str, Any]
    total: int | None
    band: str | None
    complete: bool
    entered_by: str
    entered_at: datetime
    version: int
    created_at: datetime | None = None


def assessment_view(a: Assessment) -> AssessmentView:
    return AssessmentView(
        id=a.id,
        referral_id=a.referral_id,
        tool_id=a.tool_id,
        subject=a.subject,
        answers=dict(a.answers),
        total=a.total,
        band=a.band,
        complete=a.complete,
        entered_by=a.entered_by,
        entered_at=a.entered_at,
        version=a.version,
        created_at=a.created_at,
    )


@dataclass(frozen=True)
class _Result:
    total: int | None
    band: str | None
    complete: bool
    missing: tuple[str, ...]


def _evaluate(tool_id: str, answers: Mapping[str, Any]) -> tuple[_Result, dict[str, Any]]:
    """The engine's result, and the answers as they are stored (a primary-tumour staging
    record, §12, is validated by its own rules and stored in its clean form)."""
    try:
        if tool_id == staging.TOOL_ID:
            clean = staging.clean(answers)
            st = staging.evaluate_staging(clean)
            return _Result(None, st.band, st.complete, st.missing), clean
        if tool_id not in TOOLS:
            raise ValidationError({"tool": f"unknown score tool {tool_id!r}"})
        r = evaluate(tool_id, answers)
    except ValueError as exc:
        raise ValidationError({tool_id: str(exc)}) from exc
    return _Result(r.total, r.band, r.complete, r.missing), dict(answers)


def _summary(tool_id: str, result: _Result, subject: str) -> str:
    about = f" ({subject})" if subject else ""
    if not result.complete:
        return f"{tool_id}{about}: incomplete, missing {', '.join(result.missing)}"
    total = "" if result.total is None else f" total {result.total},"
    return f"{tool_id}{about}:{total} band {result.band}"


def record_assessment(
    ctx: ServiceContext,
    referral_id: int,
    tool_id: str,
    answers: Mapping[str, Any],
    *,
    subject: str = "",
    assessment_id: int | None = None,
    expected_version: int | None = None,
) -> AssessmentView:
    """Create (or, with ``assessment_id``, update) one score for a referral."""
    ctx.require(Permission.ASSESSMENT_WRITE)
    with ctx.unit_of_work() as s:
        referral = s.get(Referral, referral_id)
        if referral is None:
            raise NotFound(f"case {referral_id} does not exist")
        view, action, summary = record_in(
            s, ctx, referral, tool_id, answers, subject, assessment_id, expected_version
        )
        ctx.audit(s, action, "assessment", view.id, f"case {referral_id}: {summary}")
        return view


def record_in(
    s: Any,
    ctx: ServiceContext,
    referral: Referral,
    tool_id: str,
    answers: Mapping[str, Any],
    subject: str = "",
    assessment_id: int | None = None,
    expected_version: int | None = None,
) -> tuple[AssessmentView, str, str]:
    """One score written in the caller's unit of work (the caller audits it): the
    stored view, "create" or "update", and a one-line summary for the audit event."""
    result, clean = _evaluate(tool_id, {k: v for k, v in answers.items() if v is not None})
    referral_id = referral.id
    if assessment_id is None:
        row = Assessment(referral_id=referral_id, tool_id=tool_id, subject=subject)
        s.add(row)
        action = "create"
    else:
        existing = s.get(Assessment, assessment_id)
        if existing is None or existing.referral_id != referral_id:
            raise NotFound(f"assessment {assessment_id} does not exist for case {referral_id}")
        if expected_version is not None and existing.version != expected_version:
            raise Conflict(
                f"{tool_id} for case {referral_id} was changed by someone else "
                f"(version {existing.version}, you edited {expected_version})",
                entity="assessment",
                entity_id=assessment_id,
            )
        if _part_of_signed_decision(s, existing):
            # The signed-off record keeps the score it was decided on: a new one —
            # unless someone already made that new one from the same version.
            newer = s.execute(
                select(Assessment.id).where(
                    Assessment.referral_id == referral_id,
                    Assessment.tool_id == tool_id,
                    Assessment.subject == existing.subject,
                    Assessment.id > existing.id,
                )
            ).first()
            if newer is not None:
                raise Conflict(
                    f"{tool_id} for case {referral_id} was changed by someone else "
                    "after the decision was signed off",
                    entity="assessment",
                    entity_id=assessment_id,
                )
            row = Assessment(referral_id=referral_id, tool_id=tool_id, subject=subject)
            s.add(row)
            action = "create"
        else:
            row = existing
            action = "update"
    row.answers = clean
    row.total = result.total
    row.band = result.band
    row.complete = result.complete
    row.entered_by = ctx.actor.username
    row.entered_at = utcnow()
    row.subject = subject
    s.flush()
    move(referral, CaseEvent.SCORED)
    summary = _summary(tool_id, result, subject)
    return assessment_view(row), action, summary


@dataclass(frozen=True)
class ScoreChange:
    """One score to save with a case: a new one, or ``assessment_id`` at the
    ``expected_version`` the form was opened with."""

    tool_id: str
    answers: Mapping[str, Any]
    subject: str = ""
    assessment_id: int | None = None
    expected_version: int | None = None


def record_changes_in(
    s: Any, ctx: ServiceContext, referral: Referral, changes: Sequence[ScoreChange]
) -> tuple[list[AssessmentView], list[str]]:
    """Several scores written in the caller's unit of work, in order (the caller
    audits them with its own event): the stored views, and "create …"/"update …"
    summaries for that event. A stale ``expected_version`` raises Conflict, so the
    caller's whole transaction is rolled back."""
    saved: list[AssessmentView] = []
    summaries: list[str] = []
    for c in changes:
        view, action, summary = record_in(
            s, ctx, referral, c.tool_id, c.answers, c.subject, c.assessment_id, c.expected_version
        )
        saved.append(view)
        summaries.append(f"{action} {summary}")
    return saved, summaries


def _part_of_signed_decision(s: Any, a: Assessment) -> bool:
    """Was this score entered before a decision on its case was signed off?"""
    signed = s.execute(
        select(Decision.id)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .where(
            AgendaItem.referral_id == a.referral_id,
            Decision.status != DecisionStatus.DRAFT,
            Decision.signed_off_at >= a.entered_at,
        )
        .limit(1)
    ).first()
    return signed is not None


def scores_at(
    scores: Iterable[AssessmentView], signed_off_at: datetime | None
) -> list[AssessmentView]:
    """The score of each tool (and subject) a decision rests on: the latest entered,
    and for a signed-off decision the latest entered up to its sign-off."""
    latest: dict[tuple[str, str], AssessmentView] = {}
    later: dict[tuple[str, str], AssessmentView] = {}
    for a in scores:
        key = (a.tool_id, a.subject)
        into = later if signed_off_at is not None and a.entered_at > signed_off_at else latest
        held = into.get(key)
        if held is None or (a.entered_at, a.id) > (held.entered_at, held.id):
            into[key] = a
    # A score that existed at the sign-off but was edited in place afterwards (records
    # from before scores were kept with their decision) is still shown; its entry time
    # says when. A score first recorded after the sign-off is not part of the decision.
    for key, a in later.items():
        if a.created_at is not None and signed_off_at is not None and a.created_at <= signed_off_at:
            latest.setdefault(key, a)
    return [latest[k] for k in sorted(latest)]


def list_assessments(db: Database, referral_id: int) -> list[AssessmentView]:
    with db.reader() as s:
        rows = s.execute(
            select(Assessment)
            .where(Assessment.referral_id == referral_id)
            .order_by(Assessment.tool_id, Assessment.subject, Assessment.id)
        ).scalars()
        return [assessment_view(a) for a in rows]


#: bands from least to most severe: several lesions give NOMS their worst
_SEVERITY = {
    "escc": ("low_grade", "borderline", "high_grade"),
    "sins": ("stable", "indeterminate", "unstable"),
}


def _worst(scores: Iterable[AssessmentView], tool_id: str) -> AssessmentView | None:
    order = _SEVERITY[tool_id]
    found = [a for a in scores if a.tool_id == tool_id and a.complete and a.band in order]
    return max(found, key=lambda a: order.index(str(a.band)), default=None)


def noms_for_case(
    scores: Iterable[AssessmentView],
    histology_key: str,
    disease_kind: str,
    fit_for_surgery: bool | None,
    oncologic: str | None = None,
    mechanical_pain: bool | None = None,
) -> noms.NomsSuggestion:
    """The NOMS suggestion (or the primary-tumour pathway, §9.4) from a case's scores:
    the worst ESCC and SINS of its lesions, the histology's radiosensitivity unless the
    MDT chose the class, and the optional item from the SINS answers unless the MDT set
    it (§9, D12)."""
    latest = scores_at(scores, None)
    escc, sins = _worst(latest, "escc"), _worst(latest, "sins")
    if mechanical_pain is None and sins is not None:
        mechanical_pain = noms.mechanical_pain_from_sins(sins.answers)
    sources = {}
    if escc is not None:
        sources["neurologic"] = f"ESCC {escc.answers.get('grade')}"
    if sins is not None:
        sources["mechanical"] = f"SINS {sins.total}"
    return noms.from_scores(
        escc.band if escc else None,
        histology_key,
        sins.band if sins else None,
        fit_for_surgery,
        disease_kind=disease_kind,
        mechanical_pain_without_deformity=mechanical_pain,
        oncologic=oncologic,
        sources=sources,
    )


def noms_in(s: Any, referral: Referral, decision: Decision) -> noms.NomsSuggestion:
    """The suggestion for a decision being saved, from the scores stored for its case."""
    rows = s.execute(select(Assessment).where(Assessment.referral_id == referral.id)).scalars()
    return noms_for_case(
        [assessment_view(a) for a in rows],
        referral.histology_key,
        str(referral.disease_kind),
        decision.fit_for_surgery,
        decision.noms_oncologic,
        decision.noms_mechanical_pain,
    )
