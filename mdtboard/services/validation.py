"""Local validation of the prognostic scores (issue 19 part 3): how long did this unit's
patients live, by the band their score put them in, and how well does each score rank
them (Harrell's C)?

A case counts for a score when it has a recorded outcome (``CaseOutcome``), a first
signed-off decision, and a complete assessment of that score entered at or before that
first sign-off. When there are several, the latest of those is used (the latest entered;
the highest id on a tie): the score the board had when it decided. A score entered only
after the first sign-off is left out, since it may already know how the patient fared.

The duration is the outcome's date (death or last contact) minus the local date of the
case's first signed-off decision, in whole days (an amendment signed later does not move
it); the patient died when the vital status is "died", and was censored at that date
otherwise. A case whose outcome date is before its first sign-off is left out (the
record contradicts itself). The rows are read in a fixed number of SQL queries per
score (a window function picks each case's assessment, portable to PostgreSQL); the
curves and concordance are computed by ``domain.survival``.

Decision support only: an observed curve describes this unit's cases; it does not
re-derive or replace a published score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.sql.selectable import Subquery

from mdtboard.domain.scores import PROGNOSTIC_TOOLS, TOOLS
from mdtboard.domain.survival import (
    HIGHER_IS_BETTER,
    PREDICTIONS,
    BandSurvival,
    Concordance,
    band_survival,
    harrell_c,
)
from mdtboard.domain.vocab import DecisionStatus
from mdtboard.services.errors import ValidationError
from mdtboard.services.metrics import period_bounds
from mdtboard.store.db import Database
from mdtboard.store.models import AgendaItem, Assessment, CaseOutcome, Decision

#: (band id, days from first sign-off to death or last contact, died, score total)
ValidationRow = tuple[str, float, bool, float]


@dataclass(frozen=True)
class ScoreValidation:
    """One prognostic score on this unit's cases."""

    tool_id: str
    label: str
    n: int
    deaths: int
    #: every band of the score in the score's own order (a band with no case has n 0)
    bands: tuple[BandSurvival, ...]
    concordance: Concordance
    higher_is_better: bool
    #: the cases counted, as ``validation_rows`` gives them (for censoring marks)
    rows: tuple[ValidationRow, ...] = ()

    @property
    def c(self) -> float | None:
        """Harrell's C; None when no pair of cases could be compared."""
        return self.concordance.c


def _first_signoff() -> Subquery:
    """Per referral, the time of its first signed-off decision (a later amendment keeps
    the earlier decision as "amended", with its sign-off time)."""
    signed = (DecisionStatus.SIGNED_OFF.value, DecisionStatus.AMENDED.value)
    return (
        select(
            AgendaItem.referral_id.label("referral_id"),
            func.min(Decision.signed_off_at).label("signed"),
        )
        .join(Decision, Decision.agenda_item_id == AgendaItem.id)
        .where(Decision.signed_off_at.is_not(None), Decision.status.in_(signed))
        .group_by(AgendaItem.referral_id)
        .subquery()
    )


def validation_rows(
    db: Database, tool_id: str, *, start: date | None = None, end: date | None = None
) -> list[ValidationRow]:
    """(band, days, died, score) for every case that counts for ``tool_id`` (see the
    module's docstring), in referral order. With ``start`` and ``end``: only the cases
    whose first sign-off falls on those local days (inclusive)."""
    if tool_id not in PROGNOSTIC_TOOLS:
        raise ValidationError({"tool_id": f"{tool_id!r} is not a prognostic score"})
    first = _first_signoff()
    fc = first.c
    ranked = (
        select(
            Assessment.referral_id.label("referral_id"),
            Assessment.band.label("band"),
            Assessment.total.label("total"),
            func.row_number()
            .over(
                partition_by=Assessment.referral_id,
                order_by=(Assessment.entered_at.desc(), Assessment.id.desc()),
            )
            .label("rn"),
        )
        .join(first, fc.referral_id == Assessment.referral_id)
        .where(
            Assessment.tool_id == tool_id,
            Assessment.complete.is_(True),
            Assessment.total.is_not(None),
            Assessment.band.is_not(None),
            Assessment.entered_at <= fc.signed,
        )
        .subquery()
    )
    query = (
        select(
            ranked.c.band,
            ranked.c.total,
            fc.signed,
            CaseOutcome.status_on,
            CaseOutcome.vital_status,
        )
        .join(first, fc.referral_id == ranked.c.referral_id)
        .join(CaseOutcome, CaseOutcome.referral_id == ranked.c.referral_id)
        .where(ranked.c.rn == 1)
        .order_by(ranked.c.referral_id)
    )
    if start is not None and end is not None and end < start:
        raise ValidationError({"to": "the end of the period is before its start"})
    if start is not None:
        query = query.where(fc.signed >= period_bounds(start, start)[0])
    if end is not None:
        query = query.where(fc.signed < period_bounds(end, end)[1])
    with db.reader() as s:
        found = s.execute(query).all()
    rows: list[ValidationRow] = []
    for band, total, signed, status_on, vital in found:
        days = (status_on - _local_date(signed)).days
        if days < 0:
            continue  # an outcome dated before the decision: not a usable record
        rows.append((str(band), float(days), str(vital) == "died", float(total)))
    return rows


def _local_date(when: datetime) -> date:
    return when.astimezone().date()


def validate(
    db: Database, *, start: date | None = None, end: date | None = None
) -> list[ScoreValidation]:
    """Each prognostic score (tokuhashi_revised, tomita, bauer_modified, nesms, in that
    order): n, deaths, the Kaplan–Meier curve and 6- and 12-month shares of every band
    beside what the band predicts (``PREDICTIONS``, where there is one), and Harrell's C
    in the score's own direction (``HIGHER_IS_BETTER``)."""
    out: list[ScoreValidation] = []
    for tool_id in PROGNOSTIC_TOOLS:
        rows = validation_rows(db, tool_id, start=start, end=end)
        tool = TOOLS[tool_id]
        bands = band_survival(
            ((band, days, died) for band, days, died, _score in rows),
            order=[b.id for b in tool.bands],
            predictions=PREDICTIONS.get(tool_id),
        )
        higher = HIGHER_IS_BETTER[tool_id]
        concordance = harrell_c(
            [r[3] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
            higher_is_better=higher,
        )
        out.append(
            ScoreValidation(
                tool_id=tool_id,
                label=tool.short_label,
                n=len(rows),
                deaths=sum(1 for r in rows if r[2]),
                bands=bands,
                concordance=concordance,
                higher_is_better=higher,
                rows=tuple(rows),
            )
        )
    return out
