"""Accounts: there is always an enabled administrator (fictional data)."""

from __future__ import annotations

import pytest

from mdtboard.services import auth
from mdtboard.services.context import ServiceContext
from mdtboard.services.errors import ValidationError


def admins(ctx: ServiceContext) -> list[auth.UserView]:
    return [u for u in auth.list_users(ctx.db) if u.role == "administrator" and u.active]


@pytest.mark.parametrize("how", ["demote", "disable"])
def test_the_last_enabled_administrator_cannot_be_demoted_or_disabled(
    ctx: ServiceContext, how: str
) -> None:
    """The command line acts as the OS account, so the "not your own account" rule does
    not apply there: without this check it could leave nobody able to manage accounts."""
    auth.create_user(
        ctx, "second.admin", "Second Admin (demo)", "administrator", "fictional-pass-1"
    )
    *others, last = admins(ctx)
    for u in others:  # every other administrator may go
        auth.update_user(ctx, u.id, u.version, role="coordinator")
    assert [u.username for u in admins(ctx)] == [last.username]
    change = {"role": "read_only"} if how == "demote" else {"active": False}
    with pytest.raises(ValidationError, match="last enabled administrator"):
        auth.update_user(ctx, last.id, last.version, **change)  # type: ignore[arg-type]
    assert [u.username for u in admins(ctx)] == [last.username]
    auth.update_user(ctx, last.id, last.version, display_name="Renamed (demo)")  # still allowed
