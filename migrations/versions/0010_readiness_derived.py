"""readiness derived when read: no referral is stored as "ready"

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"Ready" used to be a stored copy of the readiness traffic light, set when a case
was edited or scored, and it went stale as imaging aged. The light is now worked
out each time a case is read (domain.lifecycle.shown_status), so a stored
"ready" becomes "new", the status it stands for. No column changes: the value
stays allowed so that a database can go back down a revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE referrals SET status = 'new' WHERE status = 'ready'"))


def downgrade() -> None:
    # Nothing to undo: revision 0009 stored "new" for a case whose light was not
    # green and set "ready" again the next time the case was edited or scored.
    pass
