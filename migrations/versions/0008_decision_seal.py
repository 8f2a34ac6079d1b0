"""decision seal

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A signed-off decision keeps the keyed hash of each part of what was signed
(patient, referral, scores, suggestion, decision, actions, attendance,
sign-off), so a change made after sign-off is found and named.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("seal")
