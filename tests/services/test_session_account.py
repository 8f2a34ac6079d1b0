"""The session follows the account (issue 15, part 5): a chair demoted or disabled
while signed in cannot act from the open session. All data is fictional."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdtboard.services import auth, decisions, meetings
from mdtboard.services.context import ServiceContext
from mdtboard.services.decisions import DecisionInput, ModalityInput
from mdtboard.services.errors import AccountChanged
from mdtboard.services.worklist import CaseQuery, fetch_cases


def _session(ctx: ServiceContext, username: str, told: list[str]) -> ServiceContext:
    actor = auth.sign_in(ctx.db, username, f"demo-{username}-pass")
    return ServiceContext(ctx.db, actor, account=True, on_account_changed=told.append)


@pytest.mark.parametrize("change", ["demote", "disable"])
def test_a_changed_account_cannot_sign_off_from_its_open_session(
    ctx: ServiceContext, change: str
) -> None:
    told: list[str] = []
    chair = _session(ctx, "chair", told)
    m = meetings.create_meeting(
        chair, title="Account test", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    case = fetch_cases(ctx.db, CaseQuery(statuses=("new", "ready")), 0, 1)[0]
    item = meetings.list_case(chair, m.id, case.referral_id)
    draft = decisions.save_draft(
        chair,
        item.id,
        DecisionInput(
            intent="palliative",
            plan_text="Palliative care review (fictional)",
            modalities=(ModalityInput("palliative_care", {}),),
        ),
    )
    account = next(u for u in auth.list_users(ctx.db) if u.username == "chair")
    auth.update_user(
        ctx,
        account.id,
        account.version,
        **({"role": "read_only"} if change == "demote" else {"active": False}),
    )
    with pytest.raises(AccountChanged) as exc:
        decisions.sign_off(chair, item.id, draft.version, "Ms Chair (demo)")
    message = str(exc.value)
    assert "\n" not in message and "chair" in message and "nothing was saved" in message
    assert told == [message]
    assert decisions.current_decision(ctx.db, item.id).status == "draft"  # type: ignore[union-attr]


def test_an_unchanged_account_acts_as_before(ctx: ServiceContext) -> None:
    told: list[str] = []
    coordinator = _session(ctx, "coordinator", told)
    m = meetings.create_meeting(
        coordinator, title="Still fine", starts_at=datetime.now(UTC) + timedelta(hours=1)
    )
    assert m.id and told == []
