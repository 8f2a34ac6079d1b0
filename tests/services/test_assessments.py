"""Recording scores: the engine computes total and band; audited; bad answers refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdtboard.services import assessments
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import Conflict, NotFound, ValidationError
from mdtboard.store.models import Assessment, AuditEvent


def audit_count(ctx: ServiceContext) -> int:
    with ctx.db.reader() as s:
        return int(s.execute(select(func.count(AuditEvent.id))).scalar_one())


def test_total_and_band_come_from_the_engine(ctx: ServiceContext) -> None:
    before = audit_count(ctx)
    view = assessments.record_assessment(
        ctx,
        1,
        "sins",
        {
            "location": "junctional",
            "pain": "mechanical",
            "bone_lesion": "lytic",
            "alignment": "normal",
            "collapse": "under_50",
            "posterolateral": "unilateral",
        },
        subject="T11",
    )
    assert (view.total, view.band, view.complete) == (11, "indeterminate", True)
    assert view.entered_by == "test.user" and view.subject == "T11"
    assert audit_count(ctx) == before + 1
    with ctx.db.reader() as s:
        row = s.get(Assessment, view.id)
        assert row is not None and row.total == 11 and row.answers["pain"] == "mechanical"


def test_update_with_version_and_conflict(ctx: ServiceContext) -> None:
    v1 = assessments.record_assessment(ctx, 1, "kps", {"kps": 70})
    v2 = assessments.record_assessment(
        ctx, 1, "kps", {"kps": 50}, assessment_id=v1.id, expected_version=v1.version
    )
    assert v2.band == "unable_to_work" and v2.version == v1.version + 1
    with pytest.raises(Conflict):
        assessments.record_assessment(
            ctx, 1, "kps", {"kps": 90}, assessment_id=v1.id, expected_version=v1.version
        )


def test_bad_answers_are_refused_and_nothing_written(ctx: ServiceContext) -> None:
    with ctx.db.reader() as s:
        before = s.execute(select(func.count(Assessment.id))).scalar_one()
    with pytest.raises(ValidationError, match="kps"):
        assessments.record_assessment(ctx, 1, "kps", {"kps": 105})
    with pytest.raises(ValidationError, match="tool"):
        assessments.record_assessment(ctx, 1, "made_up", {})
    with pytest.raises(NotFound):
        assessments.record_assessment(ctx, 99999, "kps", {"kps": 70})
    with ctx.db.reader() as s:
        assert s.execute(select(func.count(Assessment.id))).scalar_one() == before


def test_incomplete_scores_are_kept_without_total(ctx: ServiceContext) -> None:
    view = assessments.record_assessment(ctx, 2, "tomita", {"primary_growth": "rapid"})
    assert not view.complete and view.total is None and view.band is None
