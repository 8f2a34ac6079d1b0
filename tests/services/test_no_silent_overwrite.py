"""No silent overwrite on either engine (issue 15, part 4): a first draft made meanwhile,
a stale setting, two saves of one referral at the same moment, a write behind a held
lock. All data is fictional."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from mdtboard.services import decisions, meetings, referrals, settings
from mdtboard.services.context import Actor, ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.errors import Conflict, ServiceUnavailable
from mdtboard.services.worklist import CaseQuery, fetch_cases

PLAN = DecisionInput(
    intent="palliative",
    plan_text="Workstation A's plan (fictional)",
    modalities=(ModalityInput("palliative_care", {}),),
)


def test_a_first_draft_made_meanwhile_is_a_conflict_not_replaced(ctx: ServiceContext) -> None:
    m = meetings.create_meeting(
        ctx, title="Two workstations", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    case = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0]
    item = meetings.list_case(ctx, m.id, case.referral_id)
    b = ServiceContext(ctx.db, Actor("workstation.b", "chair"))
    decisions.save_draft(ctx, item.id, PLAN)  # A's first autosave
    with pytest.raises(Conflict, match="another workstation"):
        # B opened the case before A's draft existed: it saw no draft
        decisions.save_draft(b, item.id, replace(PLAN, plan_text="Workstation B's plan"))
    assert decisions.current_decision(ctx.db, item.id).data.plan_text == PLAN.plan_text  # type: ignore[union-attr]


def test_a_stale_setting_change_is_refused(ctx: ServiceContext) -> None:
    seen = settings.setting_versions(ctx.db)
    settings.update_settings(ctx, expected=seen, imaging_max_age_days=30)
    with pytest.raises(Conflict, match="imaging_max_age_days"):
        settings.update_settings(ctx, expected=seen, imaging_max_age_days=90)
    assert settings.get_settings(ctx.db).imaging_max_age_days == 30
    fresh = settings.setting_versions(ctx.db)
    assert settings.update_settings(ctx, expected=fresh, imaging_max_age_days=90)


def test_two_saves_of_one_referral_at_the_same_moment_give_one_conflict(
    ctx: ServiceContext,
) -> None:
    case = fetch_cases(ctx.db, CaseQuery(), 0, 1)[0]
    conflicts = unexpected = 0
    for n in range(10):
        detail = referrals.get_case(ctx.db, case.referral_id)
        start = threading.Barrier(2)
        outcome: list[str] = []

        def save(
            text_: str,
            detail: referrals.CaseDetail = detail,
            start: threading.Barrier = start,
            outcome: list[str] = outcome,
        ) -> None:
            start.wait()
            try:
                referrals.update_referral(
                    ctx, detail.id, detail.version, replace(detail.data, question=text_)
                )
                outcome.append("saved")
            except Conflict:
                outcome.append("conflict")
            except Exception as exc:  # anything else is the bug this test is about
                outcome.append(f"unexpected {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=save, args=(f"Question {n}{w}?",)) for w in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(outcome) == ["conflict", "saved"], outcome
        conflicts += outcome.count("conflict")
        unexpected += sum(o.startswith("unexpected") for o in outcome)
    assert conflicts == 10 and unexpected == 0


def test_a_write_behind_a_held_lock_fails_in_one_clear_line(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ctx.db.dialect != "postgresql":
        pytest.skip("SQLite's busy timeout is tested with the command line")
    import mdtboard.store.db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)
    case = fetch_cases(ctx.db, CaseQuery(), 0, 1)[0]
    detail = referrals.get_case(ctx.db, case.referral_id)
    with ctx.db.engine.connect() as holder:
        holder.execute(
            text("SELECT id FROM referrals WHERE id = :id FOR UPDATE"), {"id": detail.id}
        )
        began = time.monotonic()
        with pytest.raises(ServiceUnavailable, match="busy") as exc:
            referrals.update_referral(
                ctx, detail.id, detail.version, replace(detail.data, question="Blocked?")
            )
        assert time.monotonic() - began < 10
        assert "\n" not in str(exc.value)
        holder.rollback()
