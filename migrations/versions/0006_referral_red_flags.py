"""referral red flags

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

The red-flag checklist of DOMAIN.md §3 recorded per referral (flag keys of
mdtboard.domain.mscc.RED_FLAGS), from which the urgency is suggested.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("red_flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_column("red_flags")
